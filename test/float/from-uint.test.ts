/**
 * fpFromUInt RTL (hdl/lib/float/from-uint.ts) against the golden model in Verilator: exhaustive for
 * 8-bit integers (narrower than both significands) and 16-bit integers (fp16 overflow to +Inf at
 * 65520, bf16 rounding), seeded random 32-bit; Verilator -Wall lint. fp16 and bf16 converters sit
 * side by side in one module per width (fewer Verilator builds).
 */
import { describe, expect, it } from 'vitest';
import { ModuleBuilder, UInt, cat } from '../../hdl/index.ts';
import { BF16, FP16 } from '../../hdl/lib/float/format.ts';
import { fpFromUInt as fpFromUIntRtl } from '../../hdl/lib/float/from-uint.ts';
import { fpFromUInt } from '../../hdl/lib/float/golden/index.ts';
import { Rng } from '../../data/rng.ts';
import { checkOp, opModule } from './op-harness.ts';
import { verilogProblems, writeDesign } from '../helpers/verilog-checks.ts';

/** One module per integer width k: y = {bf16(n), fp16(n)} (both conversions side by side). */
const top = (k: number) =>
  opModule(`kv_test_fpfromuint_k${k}`, k, (m, a) => ({ result: cat(fpFromUIntRtl(m, 'cvt_bf16', BF16, a), fpFromUIntRtl(m, 'cvt_fp16', FP16, a)), latency: 0 }));
const golden = (x: number) => ((fpFromUInt(BF16, x) << 16) | fpFromUInt(FP16, x)) >>> 0;

const range = (n: number) => Uint32Array.from({ length: n }, (_, i) => i);

describe('fpFromUInt RTL', () => {
  it('elaborates for any integer width; result is a 16-bit pattern', () => {
    for (const f of [FP16, BF16]) {
      for (const k of [1, 2, 7, 8, 9, 12, 16, 24, 32, 64]) {
        const m = new ModuleBuilder(`t_${f.name}_${k}`);
        const h = fpFromUIntRtl(m, 'cvt', f, m.input('n', UInt(k)));
        expect(h.type.width).toBe(16);
        m.output('y', UInt(16)).set(h);
        m.build();
      }
    }
  });

  it('verilator -Wall lint clean (k = 8, 16, 32)', async () => {
    for (const k of [8, 16, 32]) {
      const t = top(k);
      expect(await verilogProblems(writeDesign(t), t.name, { synth: false })).toEqual([]);
    }
  });

  for (const k of [8, 16]) {
    it(`fp16 and bf16: all ${k}-bit integers`, async () => {
      const n = range(1 << k);
      await checkOp(top(k), n, new Uint32Array(n.length), 32, golden, { seed: k, stall: 0.1 });
    });
  }

  it('fp16 and bf16: 100k random 32-bit integers (all magnitudes)', async () => {
    const rng = new Rng(7);
    const n = Uint32Array.from({ length: 100_000 }, () => rng.u32() >>> (rng.u32() % 32));
    await checkOp(top(32), n, new Uint32Array(n.length), 32, golden, { seed: 5, stall: 0.1 });
  });
});
