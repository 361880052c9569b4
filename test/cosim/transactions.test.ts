import { describe, expect, it } from 'vitest';
import { TxnTable } from '../../data/transactions.ts';
import { Rng } from '../../data/rng.ts';

describe('TxnTable lane access (the bigint-free fast path) agrees with get/set', () => {
  for (const lw of [1, 2, 7, 13, 16, 31, 32]) {
    for (const signed of [false, true]) {
      it(`${signed ? 's' : 'u'}${lw} lanes, straddling word boundaries, neighbours untouched`, () => {
        const rng = new Rng(lw * 2 + (signed ? 1 : 0));
        const n = 9;
        const t = new TxnTable([{ name: 'a', width: 3, signed: false }, { name: 'd', width: lw * n, signed: false }, { name: 'z', width: 5, signed: false }], 4);
        const want: bigint[][] = [];
        for (let i = 0; i < 4; i++) {
          t.set(i, 'a', 5n);
          t.set(i, 'z', 31n);
          want.push([]);
          for (let k = 0; k < n; k++) {
            const u = rng.bits(lw);
            t.setLane(i, 'd', lw, k, Number(u) | 0);
            want[i].push(signed ? BigInt.asIntN(lw, u) : u);
          }
          t.setLane(i, 'd', lw, 3, Number(rng.bits(lw)) | 0); // overwrite: old bits must be cleared
          t.setLane(i, 'd', lw, 3, Number(signed ? BigInt.asUintN(lw, want[i][3]) : want[i][3]) | 0);
        }
        for (let i = 0; i < 4; i++) {
          for (let k = 0; k < n; k++) {
            expect(BigInt(t.lane(i, 'd', lw, k, signed))).toBe(want[i][k]);
            const viaGet = t.get(i, 'd') >> BigInt(k * lw);
            expect(signed ? BigInt.asIntN(lw, viaGet) : BigInt.asUintN(lw, viaGet)).toBe(want[i][k]);
          }
          expect(t.get(i, 'a')).toBe(5n);
          expect(t.get(i, 'z')).toBe(31n);
        }
      });
    }
  }
});
