/**
 * fpDiv RTL (hdl/lib/float/div.ts) against the golden model, bit-exact, in Verilator. Each test
 * module holds an fp16 and a bf16 divider side by side (y = {bf16 a/b, fp16 a/b}: fewer Verilator
 * builds) and every stimulus checks both: all pairs of the shared special values
 * (test/float/values.ts) plus divide-specific ones, generated round-to-even ties (divisors that are
 * powers of two with results in the subnormal range: the only way a quotient can tie), and seeded
 * random pairs (half uniform patterns, half with quotient exponents near the normal / subnormal /
 * overflow range), combinational (the unrolled array) and pipelined under random stalls and
 * backpressure; Verilator -Wall lint; elaboration checks.
 */
import { describe, expect, it } from 'vitest';
import { Bool, ModuleBuilder, UInt } from '../../hdl/index.ts';
import { BF16, FP16, type FloatFormat } from '../../hdl/lib/float/format.ts';
import { fpDiv as fpDivRtl, fpDivMaxStages } from '../../hdl/lib/float/div.ts';
import { fpDiv, fpToNumber } from '../../hdl/lib/float/golden/index.ts';
import { Rng } from '../../data/rng.ts';
import { checkOp } from './op-harness.ts';
import { specialValues } from './values.ts';
import { allPairs, allStagesModule, concat, dualFormatGolden, dualFormatTop, isTie } from './dual-format.ts';
import { verilogProblems, writeDesign } from '../helpers/verilog-checks.ts';

/**
 * The shared special values (test/float/values.ts) plus divide-specific ones: powers of two that
 * move quotients into the subnormal range (where ties happen), and values whose quotients
 * overflow or underflow.
 */
function specialSet(f: FloatFormat): number[] {
  const pow2 = (k: number) => (f.bias + k) << f.man; // 2^k, normal k
  const half = Math.floor(f.bias / 2);
  const extra = [pow2(2), pow2(-2), pow2(f.man + 1), pow2(-f.man - 1), pow2(half), pow2(-half), pow2(half) | 0x55 & ((1 << f.man) - 1)];
  return [...new Set([...specialValues(f), ...extra, ...extra.map((v) => v | 0x8000)])];
}



/** `count` pairs a / 2^k (k so that the quotient is subnormal or tiny) whose quotient is a tie. */
function tiePairs(f: FloatFormat, count: number, seed: number): [number[], number[]] {
  const rng = new Rng(seed);
  const a: number[] = [];
  const b: number[] = [];
  const emaxF = (1 << f.exp) - 1;
  for (let tries = 0; a.length < count && tries < 1_000_000; tries++) {
    const x = rng.u32() & 0xffff;
    const ex = (x >>> f.man) & emaxF;
    if (ex === emaxF) continue;
    // divisor 2^k with the quotient exponent in [-(man+2), 1] (biased), normal or subnormal divisor
    const eq = -(rng.u32() % (f.man + 3)) + 1;
    const ey = Math.max(1, ex) + f.bias - eq; // y = 2^(ey - bias): quotient exponent ex - ey + bias = eq
    let y: number;
    if (ey >= 1 && ey < emaxF) y = ey << f.man;
    else if (ey <= 0 && ey > -f.man) y = 1 << (f.man - 1 + ey); // subnormal power of two
    else continue;
    y |= rng.u32() & 0x8000;
    const g = fpDiv(f, x, y);
    if (isTie(f, fpToNumber(f, x) / fpToNumber(f, y), g)) { a.push(x); b.push(y); }
  }
  if (a.length < count) throw new Error(`tiePairs(${f.name}): found only ${a.length} ties`);
  return [a, b];
}

/** Seeded random pairs: half uniform bit patterns, half with quotient exponents near the range. */
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
      const target = rng.u32() & 1 ? (rng.u32() % (f.man * 2 + 40)) - (f.man + 24) : f.bias + (rng.u32() % 20) - 10; // biased quotient exponent
      const ey = Math.max(0, Math.min(emaxF - 1, ex - target + f.bias));
      b[i] = (rng.u32() & 0x8000) | (ey << f.man) | (rng.u32() & ((1 << f.man) - 1));
    }
  }
  return [a, b];
}



const divTop = (s16: number, s8: number) => dualFormatTop('kv_test_fpdiv', 'div', fpDivRtl, s16, s8);
const golden = dualFormatGolden(fpDiv);

/** Stimulus tailored to both formats (each also checks the other format's divider). */
function stimulus(nFp16: number, nBf16: number, nTies: number, seed: number): [Uint32Array, Uint32Array] {
  return concat(
    allPairs(specialSet(FP16)), allPairs(specialSet(BF16)),
    tiePairs(FP16, nTies, seed + 1), tiePairs(BF16, nTies, seed + 2),
    randomPairs(FP16, nFp16, seed + 3), randomPairs(BF16, nBf16, seed + 4),
  );
}

const CONFIGS = [[0, 0], [fpDivMaxStages(FP16), fpDivMaxStages(BF16)], [4, 3]] as const;

describe('fpDiv RTL', () => {
  it('elaborates at every stages setting with latency = stages, and rejects out-of-range stages', () => {
    expect([fpDivMaxStages(FP16), fpDivMaxStages(BF16)]).toEqual([16, 13]);
    for (const f of [FP16, BF16]) {
      for (let s = 0; s <= fpDivMaxStages(f); s++) {
        const m = new ModuleBuilder(`t_${f.name}_${s}`);
        const r = fpDivRtl(m, 'div', f, m.input('a', UInt(16)), m.input('b', UInt(16)), { stages: s, enable: m.input('en', Bool) });
        expect(r.latency).toBe(s);
        m.output('y', UInt(16)).set(r.result);
        m.build();
      }
      const m = new ModuleBuilder('t_bad');
      expect(() => fpDivRtl(m, 'div', f, m.input('a', UInt(16)), m.input('b', UInt(16)), { stages: fpDivMaxStages(f) + 1 })).toThrow(/stages/);
      expect(() => fpDivRtl(m, 'div', f, m.input('c', UInt(8)), m.input('d', UInt(16)))).toThrow(/UInt\(16\)/);
    }
  });

  it('verilator -Wall lint clean at every stages setting of both formats (all in one module)', async () => {
    const top = allStagesModule('kv_test_fpdiv_all_stages', 'div', fpDivRtl, (f: FloatFormat) => fpDivMaxStages(f));
    expect(await verilogProblems(writeDesign(top), top.name, { synth: false })).toEqual([]);
  });

  it('verilator -Wall lint clean (every tested configuration)', async () => {
    for (const [s16, s8] of CONFIGS) {
      const top = divTop(s16, s8);
      expect(await verilogProblems(writeDesign(top), top.name, { synth: false })).toEqual([]);
    }
  });

  it('combinational array: specials, ties, 1M fp16-range + 1M bf16-range random pairs', async () => {
    const [a, b] = stimulus(1_000_000, 1_000_000, 2000, 100);
    await checkOp(divTop(0, 0), a, b, 32, golden, { seed: 1, stall: 0.02 });
  });

  it('one quotient bit per stage (fp16 16, bf16 13 stages) under random stalls and backpressure', async () => {
    const [a, b] = stimulus(60_000, 60_000, 500, 200);
    await checkOp(divTop(CONFIGS[1][0], CONFIGS[1][1]), a, b, 32, golden, { seed: 2, stall: 0.3 });
  });

  it('several quotient bits per stage (fp16 4, bf16 3 stages) under random stalls and backpressure', async () => {
    const [a, b] = stimulus(60_000, 60_000, 500, 300);
    await checkOp(divTop(CONFIGS[2][0], CONFIGS[2][1]), a, b, 32, golden, { seed: 3, stall: 0.2 });
  });
});
