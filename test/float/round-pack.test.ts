/**
 * The shared roundPack stage (normalize, RNE, pack) against the golden `roundPack` in Verilator,
 * on random (sign, significand with random leading zeros, exponent from deep underflow to
 * overflow, sticky): the paths that fpMul/fpDiv use and fpAdd does not (right shifts into
 * subnormals, underflow to zero, rounding up into the smallest normal, overflow to Inf).
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../data/rng.ts';
import { BF16, FP16, type FloatFormat } from '../../hdl/lib/float/format.ts';
import { leadingZeros, roundPack } from '../../hdl/lib/float/normalize-round.ts';
import * as golden from '../../hdl/lib/float/golden/index.ts';
import { checkOp, opModule } from './op-harness.ts';
import { verilogProblems, writeDesign } from '../helpers/verilog-checks.ts';
import { ModuleBuilder, UInt } from '../../hdl/index.ts';
import { evalExpr } from '../../hdl/core/eval.ts';

const EW = 10; // exponent input: SInt(10)

/** a = {sign, sig[w-1:0]}, b = {sticky, exp[9:0]}. */
function stimulus(f: FloatFormat, w: number, n: number, seed: number): { a: Uint32Array; b: Uint32Array } {
  const rng = new Rng(seed);
  const a = new Uint32Array(n);
  const b = new Uint32Array(n);
  const emax = (1 << f.exp) - 1;
  for (let i = 0; i < n; i++) {
    // a significand with random leading zeros; often few significant bits (rounding ties)
    let sig = (rng.u32() % 2 ** w) >>> rng.int(0, w);
    if (rng.chance(0.3)) sig = ((rng.u32() & ((1 << (f.man + 3)) - 1)) * 2 ** rng.int(0, w - f.man - 3)) >>> 0;
    let len = 32 - Math.clz32(sig);
    // the biased exponent of the leading one: subnormal range, overflow boundary, or anywhere
    const r = rng.float();
    const lead = r < 0.4 ? rng.int(-(f.man + 2), 2) : r < 0.6 ? rng.int(emax - 2, emax + 1) : rng.int(-(f.man + 8), emax + 4);
    let exp = Math.max(-(1 << (EW - 1)), Math.min((1 << (EW - 1)) - 1, lead + (w - len)));
    if (rng.chance(0.2)) {
      // a subnormal result whose guard bit is sig bit g: ties, broken only by bits shifted out
      const g = rng.int(w - 1 - f.man, w - 2);
      sig = 2 ** (w - 1) + 2 ** g + (g + 1 < w - 1 && rng.chance(0.5) ? 2 ** (g + 1) : 0) + (g > 0 && rng.chance(0.5) ? 2 ** rng.int(0, g - 1) : 0);
      exp = 1 - (g - (w - 2 - f.man));
    }
    len = 32 - Math.clz32(sig);
    // the golden rule for sticky: at least one bit below the rounding position (len >= man + 3)
    const sticky = len >= f.man + 3 && rng.chance(0.3) ? 1 : 0;
    a[i] = ((rng.u32() & 1) * 2 ** w + sig) >>> 0;
    b[i] = (sticky << EW) | (exp & ((1 << EW) - 1));
  }
  return { a, b };
}

describe('float: roundPack (shared normalize / round / pack stage)', () => {
  for (const [f, w, stages, stall] of [[FP16, 24, 0, 0], [BF16, 18, 1, 0.2]] as const) {
    it(`${f.name}, ${w}-bit significand, stages ${stages}: 200000 random values${stall ? ', random stalls' : ''}; lint-clean`, async () => {
      const top = opModule(`t_roundpack_${f.name}_w${w}_s${stages}`, 32, (m, a, b, en) =>
        roundPack(m, 'rp', f, { sign: a.bit(w), sig: a.slice(w - 1, 0), exp: b.slice(EW - 1, 0).asSInt(), sticky: b.bit(EW) }, { stages, enable: en }));
      const { a, b } = stimulus(f, w, 200_000, 11 + stages);
      const want = (x: number, y: number) => {
        const sig = x % 2 ** w;
        const exp = ((y & ((1 << EW) - 1)) << (32 - EW)) >> (32 - EW);
        // value = sig / 2^(w-1) * 2^(exp - bias)
        return golden.roundPack(f, Math.floor(x / 2 ** w) & 1, sig, exp - f.bias - (w - 1), ((y >> EW) & 1) === 1);
      };
      await checkOp(top, a, b, 16, want, { seed: 13, stall });
      expect(await verilogProblems(writeDesign(top), top.name, { synth: false })).toEqual([]);
    });
  }

  it('leadingZeros: a tree over the padded input; equals the width for 0 (all values, widths 1..13)', () => {
    for (let w = 1; w <= 13; w++) {
      const m = new ModuleBuilder(`t_lzc_${w}`);
      const x = m.input('x', UInt(w));
      const lz = leadingZeros(x);
      expect(lz.width).toBe(Math.max(1, Math.ceil(Math.log2(w + 1))));
      for (let v = 0; v < 2 ** w; v++) {
        expect(Number(evalExpr(lz, new Map([['x', BigInt(v)]])))).toBe(w - (32 - Math.clz32(v)));
      }
    }
  });
});
