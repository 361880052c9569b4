/**
 * fpLt / fpLe / fpEq / fpMin / fpMax RTL against the golden model in Verilator, for fp16 and bf16
 * at once: every input pair is checked under both formats (all pairs of both formats' special
 * values, then seeded random pairs: uniform patterns, equal magnitudes with random signs, and
 * near-equal patterns).
 */
import { describe, expect, it } from 'vitest';
import { specialValues } from './values.ts';
import { cat, type Expr, type ModuleBuilder } from '../../hdl/index.ts';
import { Rng } from '../../data/rng.ts';
import { BF16, FP16, type FloatFormat } from '../../hdl/lib/float/format.ts';
import { fpEq, fpLe, fpLt, fpMax, fpMin } from '../../hdl/lib/float/compare.ts';
import * as golden from '../../hdl/lib/float/golden/index.ts';
import { checkOp, opModule } from './op-harness.ts';
import { verilogProblems, writeDesign } from '../helpers/verilog-checks.ts';


function pairs(n: number, seed: number): { a: Uint32Array; b: Uint32Array } {
  const sv = [...new Set([...specialValues(FP16), ...specialValues(BF16)])];
  const total = sv.length * sv.length + n;
  const a = new Uint32Array(total);
  const b = new Uint32Array(total);
  let k = 0;
  for (const x of sv) for (const y of sv) (a[k] = x), (b[k++] = y);
  const rng = new Rng(seed);
  while (k < total) {
    const x = rng.u32() & 0xffff;
    const r = rng.u32();
    const kind = r & 3;
    // uniform; same magnitude, random sign; a few units apart; equal
    const y = kind === 0 ? (r >>> 16) : kind === 1 ? (x & 0x7fff) | (r & 0x8000) : kind === 2 ? (x + ((r >>> 8) & 7) - 3) & 0xffff : x;
    (a[k] = x), (b[k++] = y);
  }
  return { a, b };
}

type Build = (m: ModuleBuilder, name: string, f: FloatFormat, a: Expr, b: Expr) => { result: Expr; latency: number };

describe('float: comparisons and min/max RTL', () => {
  const n = 1_000_000;
  const ops = pairs(n, 42);

  it(`lt/le/eq (fp16 and bf16): special pairs + ${n} random pairs, lint-clean`, async () => {
    const flags: [Build, (f: FloatFormat, a: number, b: number) => boolean][] = [[fpLt, golden.fpLt], [fpLe, golden.fpLe], [fpEq, golden.fpEq]];
    const top = opModule('t_fpcmp', 16, (m, a, b) => {
      const bits = [FP16, BF16].flatMap((f) => flags.map(([op], i) => op(m, `${f.name}_${i}`, f, a, b)));
      for (const r of bits) expect(r.latency).toBe(0);
      return { result: cat(...bits.map((r) => r.result)), latency: 0 };
    });
    const want = (x: number, y: number) => [FP16, BF16].flatMap((f) => flags.map(([, g]) => g(f, x, y))).reduce((acc, v) => (acc << 1) | (v ? 1 : 0), 0);
    await checkOp(top, ops.a, ops.b, 6, want, { seed: 3, stall: 0.2 });
    expect(await verilogProblems(writeDesign(top), top.name, { synth: false })).toEqual([]);
  });

  it(`min/max (fp16 and bf16): special pairs + ${n} random pairs, lint-clean`, async () => {
    for (const f of [FP16, BF16]) {
      const top = opModule(`t_fpminmax_${f.name}`, 16, (m, a, b) => {
        const lo = fpMin(m, 'mn', f, a, b);
        const hi = fpMax(m, 'mx', f, a, b);
        return { result: cat(hi.result, lo.result), latency: 0 };
      });
      await checkOp(top, ops.a, ops.b, 32, (x, y) => (golden.fpMax(f, x, y) << 16) | golden.fpMin(f, x, y), { seed: 4, stall: 0.2 });
      if (f === FP16) expect(await verilogProblems(writeDesign(top), top.name, { synth: false })).toEqual([]);
    }
  });
});
