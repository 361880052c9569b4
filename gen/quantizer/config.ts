/** quantizer configuration (see README.md "Configuration"). */
import { z } from 'zod';
import { FORMATS, type FloatFormat } from '../../hdl/lib/float/format.ts';

export const quantizerSchema = z
  .strictObject({
    format: z.enum(['fp16', 'bf16']).default('fp16').describe('element format: IEEE binary16 (fp16) or bfloat16 (bf16)'),
    bits: z.literal([1, 2, 4, 8]).default(2).describe('b: bits per code (1, 2, 4 or 8)'),
    groupSize: z.number().int().min(1).max(1024).default(32).describe('G: values per quantization group (channels in per-token mode, tokens in per-channel mode)'),
    channels: z.number().int().min(1).max(8192).default(128).describe('D: channels per token (the row length of the [tokens, channels] input)'),
    lanes: z.number().int().min(1).max(64).default(8).describe('P: elements per input beat; divides channels and groupSize'),
    mode: z.enum(['per-token', 'per-channel']).default('per-token').describe('per-token: groups of G channels of one token (KIVI values); per-channel: groups of G tokens of one channel (KIVI keys)'),
    residual: z.number().int().min(0).max(4096).default(32).describe('R: full-precision window in tokens (per-channel: the R x D block buffer, a multiple of G)'),
  })
  .superRefine((c, ctx) => {
    const bad = (field: string, message: string) => ctx.addIssue({ code: 'custom', path: [field], message });
    const perWord = 32 / c.bits;
    if (c.channels % c.lanes !== 0) bad('lanes', `must divide channels (${c.channels}), got ${c.lanes}`);
    if (c.groupSize % c.lanes !== 0) bad('groupSize', `must be a multiple of lanes (${c.lanes}), got ${c.groupSize}`);
    if (c.mode === 'per-token') {
      if (c.channels % c.groupSize !== 0) bad('channels', `must be a multiple of groupSize (${c.groupSize}) in per-token mode, got ${c.channels}`);
      if (c.channels % perWord !== 0) bad('channels', `must be a multiple of 32/bits = ${perWord} in per-token mode (codes pack along channels), got ${c.channels}`);
    } else {
      if (c.residual < c.groupSize || c.residual % c.groupSize !== 0) {
        bad('residual', `must be a positive multiple of groupSize (${c.groupSize}) in per-channel mode, got ${c.residual}`);
      }
      if (c.residual % perWord !== 0) bad('residual', `must be a multiple of 32/bits = ${perWord} in per-channel mode (codes pack along tokens), got ${c.residual}`);
    }
  });

export type QuantizerConfig = z.infer<typeof quantizerSchema>;

/** The float format of a configuration. */
export function quantizerFormat(cfg: QuantizerConfig): FloatFormat {
  return FORMATS[cfg.format];
}

/** A validated configuration from a partial one (throws the zod error on bad input). */
export function quantizerConfig(partial: Partial<QuantizerConfig> = {}): QuantizerConfig {
  return quantizerSchema.parse(partial);
}
