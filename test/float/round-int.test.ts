/**
 * fpRoundEven and fpToUIntSat (bits 2, 4, 8) RTL against the golden model in Verilator,
 * exhaustively over all 65,536 patterns of fp16 and of bf16; y = {rint, u2, u4, u8} so one build
 * checks all four. bf16 runs pipelined (stages 1) under random stalls; fpToUIntSat at stages 2
 * (input register) for 1..15 bits of fp16.
 */
import { describe, expect, it } from 'vitest';
import { cat } from '../../hdl/index.ts';
import { BF16, FP16 } from '../../hdl/lib/float/format.ts';
import { FP_TO_UINT_MAX_STAGES, fpRoundEven, fpToUIntSat } from '../../hdl/lib/float/round-int.ts';
import * as golden from '../../hdl/lib/float/golden/index.ts';
import { checkOp, opModule } from './op-harness.ts';
import { verilogProblems, writeDesign } from '../helpers/verilog-checks.ts';

const all = Uint32Array.from({ length: 65536 }, (_, i) => i);

describe('float: round to integer RTL', () => {
  for (const [f, stages, stall] of [[FP16, 0, 0], [BF16, 1, 0.3]] as const) {
    it(`${f.name}, stages ${stages}: rint and to-uint (2, 4, 8 bits) exhaustively${stall ? ', random stalls' : ''}; lint-clean`, async () => {
      const top = opModule(`t_fprint_${f.name}_s${stages}`, 16, (m, a, _b, en) => {
        const rs = [fpRoundEven(m, 'rint', f, a, { stages, enable: en }), ...[2, 4, 8].map((bits) => fpToUIntSat(m, `u${bits}`, f, a, bits, { stages, enable: en }))];
        expect(rs.map((r) => r.latency)).toEqual([stages, stages, stages, stages]);
        expect(rs.map((r) => r.result.width)).toEqual([16, 2, 4, 8]);
        return { result: cat(...rs.map((r) => r.result)), latency: stages };
      });
      const want = (x: number) => golden.fpRoundEven(f, x) * 2 ** 14 + golden.fpToUIntSat(f, x, 2) * 2 ** 12 + golden.fpToUIntSat(f, x, 4) * 2 ** 8 + golden.fpToUIntSat(f, x, 8);
      await checkOp(top, all, all, 30, want, { seed: 5, stall });
      expect(await verilogProblems(writeDesign(top), top.name, { synth: false })).toEqual([]);
    });
  }

  it(`fp16, to-uint at stages ${FP_TO_UINT_MAX_STAGES} (input register): 1, 2, 4, 8 and 15 bits exhaustively, random stalls; lint-clean`, async () => {
    const widths = [15, 8, 4, 2, 1];
    const top = opModule('t_fptouint_fp16_s2', 16, (m, a, _b, en) => {
      const rs = widths.map((bits) => fpToUIntSat(m, `u${bits}`, FP16, a, bits, { stages: FP_TO_UINT_MAX_STAGES, enable: en }));
      expect(rs.map((r) => r.latency)).toEqual(widths.map(() => FP_TO_UINT_MAX_STAGES));
      return { result: cat(...rs.map((r) => r.result)), latency: FP_TO_UINT_MAX_STAGES };
    });
    const want = (x: number) => widths.reduce((acc, bits) => acc * 2 ** bits + golden.fpToUIntSat(FP16, x, bits), 0);
    await checkOp(top, all, all, 30, want, { seed: 7, stall: 0.3 });
    expect(await verilogProblems(writeDesign(top), top.name, { synth: false })).toEqual([]);
    expect(() => opModule('t_fpu_bad_s', 16, (m, a) => fpToUIntSat(m, 'u', FP16, a, 2, { stages: FP_TO_UINT_MAX_STAGES + 1 }))).toThrow(/stages must be 0\.\.2/);
  });

  it('rejects conversions wider than the format reaches', () => {
    expect(() => opModule('t_fpu_bad', 16, (m, a) => fpToUIntSat(m, 'u', FP16, a, 16))).toThrow(/bits must be 1\.\.15/);
  });
});
