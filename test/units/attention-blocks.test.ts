/**
 * attention RTL building blocks (gen/attention/rtl-term.ts, rtl-exp2.ts, hdl/lib/float/int-quotient.ts)
 * in Verilator under random stalls and backpressure, bit for bit against the golden functions of
 * gen/attention/fixed.ts (`term`, `expWeight`, `divideToFloat`), on edge values and seeded random
 * operands; the pipelined variants and a combinational one of each.
 */
import { mkdtempSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Bool, ModuleBuilder, SInt, UInt, type Expr, type Module } from '../../hdl/index.ts';
import { fire, streamIn, streamOut } from '../../hdl/lib/index.ts';
import { FORMATS, type FloatFormat } from '../../hdl/lib/float/format.ts';
import { fpIntQuotient } from '../../hdl/lib/float/int-quotient.ts';
import { fpIsInf, fpIsNaN } from '../../hdl/lib/float/golden/index.ts';
import { designFromModule } from '../../hdl/ports/from-module.ts';
import { cosim, formatReport } from '../../cosim/cosim.ts';
import { pipeModule } from '../float/op-harness.ts';
import { TxnTable } from '../../data/transactions.ts';
import type { FieldSpec } from '../../hdl/ports/design.ts';
import { Rng } from '../../data/rng.ts';
import { divideToFloat, expWeight, kappa, term, valueScaleExp } from '../../gen/attention/fixed.ts';
import { termUnit } from '../../gen/attention/rtl-term.ts';
import { exp2Weight } from '../../gen/attention/rtl-exp2.ts';


async function run(top: Module, inFields: FieldSpec[], ins: Record<string, bigint>[], outField: FieldSpec, want: bigint[], seed = 1): Promise<void> {
  const dut = designFromModule(top, mkdtempSync(path.join(os.tmpdir(), `kvhdl-${top.name}-`)));
  const stim = TxnTable.from(inFields, ins);
  const exp = TxnTable.from([outField], want.map((y) => ({ y })));
  const r = await cosim(dut, () => ({ out: exp }), { in: stim }, { seed, stall: 0.2, backpressure: 0.2 });
  expect(r.ok, formatReport(r)).toBe(true);
}

/** Finite patterns: edge values (zeros, subnormal and normal extremes) and random ones. */
function finitePatterns(f: FloatFormat, r: Rng, n: number): number[] {
  const maxFin = ((1 << f.exp) - 2) << f.man | ((1 << f.man) - 1);
  const edge = [0, 1, 2, (1 << f.man) - 1, 1 << f.man, maxFin, f.bias << f.man, (f.bias + 3) << f.man | 5];
  const out = [...edge, ...edge.map((x) => x | 0x8000)];
  while (out.length < n) {
    const x = r.int(0, 0xffff);
    if (!fpIsNaN(f, x) && !fpIsInf(f, x)) out.push(x);
  }
  return out;
}

describe('term unit (README §2) vs fixed.ts term', () => {
  const cases = [
    { format: 'fp16', D: 128, F: 16, W: 20, stages: 3 },
    { format: 'fp16', D: 128, F: 16, W: 20, stages: 2 },
    { format: 'fp16', D: 64, F: 7, W: 8, stages: 1 },
    { format: 'fp16', D: 1024, F: 24, W: 38, stages: 0 },
    { format: 'bf16', D: 128, F: 16, W: 24, stages: 3 },
    { format: 'bf16', D: 32, F: 10, W: 30, stages: 1 },
  ] as const;
  for (const c of cases) {
    it(JSON.stringify(c), async () => {
      const f = FORMATS[c.format];
      const k = kappa(c.D);
      const r = new Rng(c.D + c.F + c.W);
      const xs = finitePatterns(f, r, 3000);
      const ys = finitePatterns(f, r, 3000);
      const ins: Record<string, bigint>[] = [];
      const want: bigint[] = [];
      // all edge pairs, random pairs, and pairs near the rounding/saturation boundaries
      for (let i = 0; i < 16; i++) for (let j = 0; j < 16; j++) ins.push({ x: BigInt(xs[i]), y: BigInt(ys[j]) });
      for (let i = 0; i < 6000; i++) ins.push({ x: BigInt(xs[r.int(0, xs.length - 1)]), y: BigInt(ys[r.int(0, ys.length - 1)]) });
      for (let i = 0; i < 4000; i++) {
        // exponents chosen so that the shift lands near 0 and near the saturation point
        const ex = r.int(1, (1 << f.exp) - 2);
        const target = r.int(-45, c.W + 2) - (ex - f.bias - f.man) - k.e + 15 - c.F - 2 * f.man;
        const ey = Math.max(1, Math.min((1 << f.exp) - 2, target + f.bias));
        ins.push({ x: BigInt((r.int(0, 1) << 15) | (ex << f.man) | r.int(0, (1 << f.man) - 1)), y: BigInt((r.int(0, 1) << 15) | (ey << f.man) | r.int(0, (1 << f.man) - 1)) });
      }
      for (const v of ins) want.push(BigInt(term(f, Number(v.x), Number(v.y), k, c.F, c.W)));
      const top = pipeModule(`t_term_${c.format}_d${c.D}_f${c.F}_w${c.W}_s${c.stages}`, { x: UInt(16), y: UInt(16) }, (m, i, en) =>
        termUnit(m, 'term', f, i.x, i.y, k, c.F, c.W, { stages: c.stages, enable: en }),
      );
      await run(top, [{ name: 'x', width: 16, signed: false }, { name: 'y', width: 16, signed: false }], ins, { name: 'y', width: c.W, signed: true }, want);
    });
  }
});

describe('exp2 weight (README §4) vs fixed.ts expWeight', () => {
  for (const [F, stages] of [[7, 1], [10, 0], [16, 2], [24, 2]] as const) {
    it(`F = ${F}, stages ${stages}`, async () => {
      const r = new Rng(F);
      const ZW = F + 8;
      const zs: number[] = [0, 1, 2 ** F - 1, 2 ** F, 16 * 2 ** F, 17 * 2 ** F - 1, 17 * 2 ** F, 2 ** ZW - 1];
      for (let i = 0; i < 6000; i++) zs.push(r.int(0, 18 * 2 ** F));
      for (let i = 0; i < 500; i++) zs.push(r.int(0, 2 ** ZW - 1));
      const top = pipeModule(`t_exp2_f${F}_s${stages}`, { z: UInt(ZW) }, (m, i, en) => exp2Weight(m, 'exp', i.z, F, { stages, enable: en }));
      await run(top, [{ name: 'z', width: ZW, signed: false }], zs.map((z) => ({ z: BigInt(z) })), { name: 'y', width: 17, signed: false }, zs.map((z) => BigInt(expWeight(z, F))));
    });
  }
});

describe('integer quotient to float (README §5) vs fixed.ts divideToFloat', () => {
  for (const [fmt, NW, DW] of [['fp16', 74, 30], ['bf16', 74, 25], ['fp16', 40, 40]] as const) {
    it(`${fmt}, num ${NW} bits, den ${DW} bits`, async () => {
      const f = FORMATS[fmt];
      const es = valueScaleExp(f);
      const r = new Rng(NW + DW);
      const ins: Record<string, bigint>[] = [];
      const big = (bits: number): bigint => r.bigint(0n, (1n << BigInt(bits)) - 1n);
      const edges = [0n, 1n, -1n, (1n << BigInt(NW - 1)) - 1n, -((1n << BigInt(NW - 1)) - 1n)];
      for (const num of edges) for (const den of [1n, (1n << BigInt(DW)) - 1n, 65536n, 3n]) ins.push({ num, den });
      for (let i = 0; i < 2500; i++) {
        const num = big(r.int(1, NW - 1));
        const den = big(r.int(1, DW));
        ins.push({ num: r.chance(0.5) ? -num : num, den: den === 0n ? 1n : den });
      }
      // exact quotients and ties: num = den·k·2^j (+ den/2)
      for (let i = 0; i < 500; i++) {
        const den = big(r.int(1, Math.min(DW, 20))) | 1n;
        let num = den * BigInt(r.int(1, 4095)) * (1n << BigInt(r.int(0, 20)));
        if (r.chance(0.5)) num = num * 2n + den;
        if (num < 1n << BigInt(NW - 1)) ins.push({ num, den });
      }
      const want = ins.map((v) => BigInt(divideToFloat(f, v.num, v.den, es)));
      const m = new ModuleBuilder(`t_quot_${fmt}_n${NW}_d${DW}`);
      const inp = streamIn(m, 'in', { num: SInt(NW), den: UInt(DW) });
      const out = streamOut(m, 'out', { y: UInt(16) });
      const d = fpIntQuotient(m, 'div', f, { valid: inp.valid, num: inp.bits.num, den: inp.bits.den }, out.ready, es);
      inp.ready.set(d.inReady);
      out.valid.set(d.outValid);
      out.bits.y.set(d.result);
      await run(m.build(), [{ name: 'num', width: NW, signed: true }, { name: 'den', width: DW, signed: false }], ins, { name: 'y', width: 16, signed: false }, want);
    });
  }
});
