/** nuq configuration (see README.md "Configuration"). */
import { z } from 'zod';
import { FORMATS, type FloatFormat } from '../../hdl/lib/float/format.ts';

export const nuqSchema = z
  .strictObject({
    format: z.enum(['fp16', 'bf16']).default('fp16').describe('element format: IEEE binary16 (fp16) or bfloat16 (bf16)'),
    bits: z.literal([1, 2, 3, 4]).default(3).describe('b: bits per code; the codebook has 2^b centroids'),
    channels: z.number().int().min(1).max(8192).default(128).describe('D: channels per token (the row length of the [tokens, channels] input)'),
    lanes: z.number().int().min(1).max(64).default(8).describe('P: elements per input beat (RTL); divides channels'),
    mode: z.enum(['per-channel']).default('per-channel').describe('per-channel thresholds, normalisation and codebooks (KVQuant keys); per-token is not implemented'),
  })
  .superRefine((c, ctx) => {
    if (c.channels % c.lanes !== 0) ctx.addIssue({ code: 'custom', path: ['lanes'], message: `must divide channels (${c.channels}), got ${c.lanes}` });
  });

export type NuqConfig = z.infer<typeof nuqSchema>;

export function nuqFormat(cfg: NuqConfig): FloatFormat {
  return FORMATS[cfg.format];
}

/** A validated configuration from a partial one (throws the zod error on bad input). */
export function nuqConfig(partial: Partial<NuqConfig> = {}): NuqConfig {
  return nuqSchema.parse(partial);
}
