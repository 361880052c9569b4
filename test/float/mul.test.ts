/**
 * fpMul RTL (hdl/lib/float/mul.ts) against the golden model, bit-exact, in Verilator. Each test
 * module holds an fp16 and a bf16 multiplier side by side (y = {bf16 a·b, fp16 a·b}: fewer
 * Verilator builds) and every stimulus checks both: all pairs of the shared special values
 * (test/float/values.ts) plus multiply-specific ones, generated round-to-even ties, and seeded
 * random pairs (half uniform patterns, half with exponents chosen so that products land in the
 * normal, subnormal, underflow and overflow ranges), combinational and at every pipeline setting
 * under random stalls and backpressure; Verilator -Wall lint; elaboration checks.
 */
import { describe, expect, it } from 'vitest';
import { Bool, ModuleBuilder, UInt } from '../../hdl/index.ts';
import { BF16, FP16, type FloatFormat } from '../../hdl/lib/float/format.ts';
import { FP_MUL_MAX_STAGES, fpMul as fpMulRtl } from '../../hdl/lib/float/mul.ts';
import { fpMul, fpToNumber } from '../../hdl/lib/float/golden/index.ts';
import { Rng } from '../../data/rng.ts';
import { checkOp } from './op-harness.ts';
import { specialValues } from './values.ts';
import { allPairs, allStagesModule, concat, dualFormatGolden, dualFormatTop, isTie } from './dual-format.ts';
import { verilogProblems, writeDesign } from '../helpers/verilog-checks.ts';

/**
 * The shared special values (test/float/values.ts) plus multiply-specific ones: values whose
 * squares / products overflow (about sqrt(max)) or land in the subnormal range (about sqrt(min)).
 */
function specialSet(f: FloatFormat): number[] {
  const pow2 = (k: number) => (f.bias + k) << f.man; // 2^k, normal k
  const mmask = (1 << f.man) - 1;
  const half = Math.floor(f.bias / 2);
  const extra = [pow2(2), pow2(-2), pow2(half), pow2(half) | mmask, pow2(half + 1), pow2(-half), pow2(-half - 3) | 1, pow2(-half - 5) | mmask];
  return [...new Set([...specialValues(f), ...extra, ...extra.map((v) => v | 0x8000)])];
}



/** `count` pairs whose exact product is a rounding tie. */
function tiePairs(f: FloatFormat, count: number, seed: number): [number[], number[]] {
  const rng = new Rng(seed);
  const a: number[] = [];
  const b: number[] = [];
  for (let tries = 0; a.length < count && tries < 5_000_000; tries++) {
    const x = rng.u32() & 0xffff;
    // exponent of y chosen so that the product lands anywhere from below the subnormals to overflow
    const ex = (x >>> f.man) & ((1 << f.exp) - 1);
    const ey = Math.max(0, Math.min((1 << f.exp) - 2, 2 * f.bias - ex + (rng.u32() % (2 * f.man + 8)) - f.man - 6 - (rng.u32() % 4 === 0 ? f.bias - 8 : 0)));
    const y = (rng.u32() & 0x8000) | (ey << f.man) | (rng.u32() & ((1 << f.man) - 1));
    const g = fpMul(f, x, y);
    if (isTie(f, fpToNumber(f, x) * fpToNumber(f, y), g)) { a.push(x); b.push(y); }
  }
  if (a.length < count) throw new Error(`tiePairs(${f.name}): found only ${a.length} ties`);
  return [a, b];
}

/** Seeded random pairs: half uniform bit patterns, half with product exponents near the range. */
function randomPairs(f: FloatFormat, n: number, seed: number): [Uint32Array, Uint32Array] {
  const rng = new Rng(seed);
  const a = new Uint32Array(n);
  const b = new Uint32Array(n);
  const emaxF = (1 << f.exp) - 1;
  for (let i = 0; i < n; i++) {
    const r = rng.u32();
    const x = r & 0xffff;
    a[i] = x;
    if (i & 1) {
      b[i] = r >>> 16;
    } else {
      const ex = Math.max(1, (x >>> f.man) & emaxF);
      const delta = (rng.u32() % (f.man * 2 + 40)) - (f.man + 24); // product exponent around 0 biased
      const ey = Math.max(0, Math.min(emaxF - 1, f.bias - ex + delta + f.bias - (rng.u32() & 1 ? f.bias : 0)));
      b[i] = (rng.u32() & 0x8000) | (ey << f.man) | (rng.u32() & ((1 << f.man) - 1));
    }
  }
  return [a, b];
}



const mulTop = (s16: number, s8: number) => dualFormatTop('kv_test_fpmul', 'mul', fpMulRtl, s16, s8);
const golden = dualFormatGolden(fpMul);

/** Stimulus tailored to both formats (each also checks the other format's multiplier). */
function stimulus(nFp16: number, nBf16: number, nTies: number, seed: number): [Uint32Array, Uint32Array] {
  return concat(
    allPairs(specialSet(FP16)), allPairs(specialSet(BF16)),
    tiePairs(FP16, nTies, seed + 1), tiePairs(BF16, nTies, seed + 2),
    randomPairs(FP16, nFp16, seed + 3), randomPairs(BF16, nBf16, seed + 4),
  );
}

/** (fp16 stages, bf16 stages) of the simulated modules: every setting of both formats. */
const CONFIGS = [[0, 0], [1, 2], [2, 3], [3, 4], [4, 1]] as const;

describe('fpMul RTL', () => {
  it('elaborates at every stages setting with latency = stages, and rejects out-of-range stages', () => {
    for (const f of [FP16, BF16]) {
      for (let s = 0; s <= FP_MUL_MAX_STAGES; s++) {
        const m = new ModuleBuilder(`t_${f.name}_${s}`);
        const r = fpMulRtl(m, 'mul', f, m.input('a', UInt(16)), m.input('b', UInt(16)), { stages: s, enable: m.input('en', Bool) });
        expect(r.latency).toBe(s);
        expect(r.result.type.width).toBe(16);
        m.output('y', UInt(16)).set(r.result);
        m.build();
      }
      const m = new ModuleBuilder('t_bad');
      expect(() => fpMulRtl(m, 'mul', f, m.input('a', UInt(16)), m.input('b', UInt(16)), { stages: FP_MUL_MAX_STAGES + 1 })).toThrow(/stages/);
    }
  });

  it('two instances coexist in one module (names prefixed)', () => {
    const m = new ModuleBuilder('t_two');
    const a = m.input('a', UInt(16));
    const b = m.input('b', UInt(16));
    const r1 = fpMulRtl(m, 'm1', FP16, a, b, { stages: 2 });
    const r2 = fpMulRtl(m, 'm2', FP16, r1.result, b, { stages: 1 });
    m.output('y', UInt(16)).set(r2.result);
    expect(() => m.build()).not.toThrow();
  });

  it('verilator -Wall lint clean at every stages setting of both formats (all in one module)', async () => {
    const top = allStagesModule('kv_test_fpmul_all_stages', 'mul', fpMulRtl, (_f: FloatFormat) => FP_MUL_MAX_STAGES);
    expect(await verilogProblems(writeDesign(top), top.name, { synth: false })).toEqual([]);
  });

  it('verilator -Wall lint clean (every simulated configuration)', async () => {
    for (const [s16, s8] of CONFIGS) {
      const top = mulTop(s16, s8);
      expect(await verilogProblems(writeDesign(top), top.name, { synth: false })).toEqual([]);
    }
  });

  it('combinational: specials, ties, 1M fp16-range + 1M bf16-range random pairs', async () => {
    const [a, b] = stimulus(1_000_000, 1_000_000, 3000, 100);
    await checkOp(mulTop(0, 0), a, b, 32, golden, { seed: 1, stall: 0.05 });
  });

  for (const [k, [s16, s8]] of CONFIGS.slice(1).entries()) {
    it(`pipelined fp16 stages=${s16}, bf16 stages=${s8} under random stalls and backpressure: specials, ties, 120k random`, async () => {
      const [a, b] = stimulus(60_000, 60_000, 1000, 200 + 100 * k);
      await checkOp(mulTop(s16, s8), a, b, 32, golden, { seed: 2 + k, stall: 0.3 });
    });
  }
});
