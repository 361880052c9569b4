/** dequantizer configuration (see README.md). */
import { z } from 'zod';
import { FORMATS, type FloatFormat } from '../../hdl/lib/float/format.ts';
import type { PipelinePreset } from '../../hdl/lib/pipeline-preset.ts';
import { fillFromPreset, pipelineField } from '../pipeline-preset.ts';

/** Registers per `stages` value: multiplier, between multiplier and adder, adder (README "Pipeline"). */
const SPLITS: readonly { mul: number; mid: number; add: number }[] = [
  { mul: 0, mid: 0, add: 0 },
  { mul: 1, mid: 0, add: 0 },
  { mul: 1, mid: 0, add: 1 },
  { mul: 2, mid: 0, add: 1 },
  { mul: 2, mid: 0, add: 2 },
  { mul: 3, mid: 0, add: 2 },
  { mul: 3, mid: 0, add: 3 },
  { mul: 3, mid: 1, add: 3 },
  { mul: 4, mid: 1, add: 3 },
  { mul: 4, mid: 1, add: 4 },
  { mul: 4, mid: 1, add: 5 },
];

/** Largest `stages`: 4 multiplier + 1 middle + 5 adder registers. */
export const DEQUANT_MAX_STAGES = SPLITS.length - 1;

/** `stages` per `pipeline` preset (README "Pipeline"); an explicit `stages` overrides it. */
export const DEQUANTIZER_PRESETS: Readonly<Record<PipelinePreset, { stages: number }>> = {
  area: { stages: 2 },
  balanced: { stages: 7 },
  fast: { stages: DEQUANT_MAX_STAGES },
};

export const dequantizerSchema = z.strictObject({
  format: z.enum(['fp16', 'bf16']).default('fp16').describe('float format of scale, min and the output values: IEEE binary16 or bfloat16'),
  bits: z.literal([1, 2, 4, 8]).default(2).describe('b: bits per unsigned code'),
  lanes: z.number().int().min(1).max(64).default(8).describe('P: codes per input beat = values per output beat'),
  pipeline: pipelineField('stages = area 2, balanced 7, fast 10 (README "Pipeline")'),
  stages: z
    .number()
    .int()
    .min(0)
    .max(DEQUANT_MAX_STAGES)
    .optional()
    .describe('pipeline registers of the datapath, 0..10: up to 6 split between multiplier (ceil(stages/2)) and adder (floor(stages/2)); 7 adds one between them; 8..10 add multiplier and adder registers (README "Pipeline"); latency = stages + 2 (default: from pipeline)'),
}).transform((c) => fillFromPreset(c, DEQUANTIZER_PRESETS));

export type DequantizerConfig = z.infer<typeof dequantizerSchema>;

/** The float format of a configuration. */
export function formatOf(cfg: DequantizerConfig): FloatFormat {
  return FORMATS[cfg.format];
}

/** Multiplier, middle and adder pipeline registers for `stages`. */
export function stageSplit(stages: number): { mul: number; mid: number; add: number } {
  const s = SPLITS[stages];
  if (!s) throw new RangeError(`dequantizer stages must be 0..${DEQUANT_MAX_STAGES}, got ${stages}`);
  return s;
}
