/** dequantizer configuration (see README.md). */
import { z } from 'zod';
import { FORMATS, type FloatFormat } from '../../hdl/lib/float/format.ts';

/** Largest `stages`: 3 multiplier + 3 adder registers. */
export const DEQUANT_MAX_STAGES = 6;

export const dequantizerSchema = z.strictObject({
  format: z.enum(['fp16', 'bf16']).default('fp16').describe('float format of scale, min and the output values: IEEE binary16 or bfloat16'),
  bits: z.literal([1, 2, 4, 8]).default(2).describe('b: bits per unsigned code'),
  lanes: z.number().int().min(1).max(64).default(8).describe('P: codes per input beat = values per output beat'),
  stages: z
    .number()
    .int()
    .min(0)
    .max(DEQUANT_MAX_STAGES)
    .default(2)
    .describe('pipeline registers inside the float operators, 0..6: ceil(stages/2) in the multiplier, floor(stages/2) in the adder; latency = stages + 2'),
});

export type DequantizerConfig = z.infer<typeof dequantizerSchema>;

/** The float format of a configuration. */
export function formatOf(cfg: DequantizerConfig): FloatFormat {
  return FORMATS[cfg.format];
}

/** Multiplier and adder pipeline registers for `stages`. */
export function stageSplit(stages: number): { mul: number; add: number } {
  return { mul: Math.ceil(stages / 2), add: Math.floor(stages / 2) };
}
