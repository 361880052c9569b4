/**
 * The float operators' pipeline presets (hdl/lib/pipeline-preset.ts): `{ pipeline: 'fast' }` in an
 * operator's options stands for the `stages` value of this table (an explicit `stages` wins).
 *
 * | operator | area | balanced | fast |
 * |---|---:|---:|---:|
 * | fpAdd / fpSub | 1 | 3 | 5 (FP_ADD_MAX_STAGES) |
 * | fpMul | 1 | 2 | 4 (FP_MUL_MAX_STAGES) |
 * | fpDiv | 8 | fpDivMaxStages(fmt) | fpDivMaxStages(fmt) (fp16 16, bf16 13) |
 * | fpToUIntSat | 0 | 1 | 2 (FP_TO_UINT_MAX_STAGES) |
 *
 * `floatPresetStages` reads the maxima at call time (no import-time use: add.ts, mul.ts, div.ts
 * and round-int.ts import this file).
 */
import type { PipelinePreset } from '../pipeline-preset.ts';
import type { FloatFormat } from './format.ts';
import type { FloatOpOptions } from './op.ts';
import { FP_ADD_MAX_STAGES } from './add.ts';
import { FP_MUL_MAX_STAGES } from './mul.ts';
import { fpDivMaxStages } from './div.ts';
import { FP_TO_UINT_MAX_STAGES } from './round-int.ts';

export type FloatPresetOp = 'add' | 'mul' | 'div' | 'toUInt';

/** The `stages` value of `preset` for operator `op` on `fmt` (the table above). */
export function floatPresetStages(op: FloatPresetOp, fmt: FloatFormat, preset: PipelinePreset): number {
  const table: Record<FloatPresetOp, Record<PipelinePreset, number>> = {
    add: { area: 1, balanced: 3, fast: FP_ADD_MAX_STAGES },
    mul: { area: 1, balanced: 2, fast: FP_MUL_MAX_STAGES },
    div: { area: 8, balanced: fpDivMaxStages(fmt), fast: fpDivMaxStages(fmt) },
    toUInt: { area: 0, balanced: 1, fast: FP_TO_UINT_MAX_STAGES },
  };
  return table[op][preset];
}

/** An operator's stages: `opts.stages`, else its preset's value, else 0 (combinational). */
export function opStages(op: FloatPresetOp, fmt: FloatFormat, opts: FloatOpOptions): number {
  if (opts.stages !== undefined) return opts.stages;
  return opts.pipeline ? floatPresetStages(op, fmt, opts.pipeline) : 0;
}
