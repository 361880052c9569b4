/** nuq configuration (see README.md "Configuration"). */
import { z } from 'zod';
import { FORMATS, type FloatFormat } from '../../hdl/lib/float/format.ts';
import type { PipelinePreset } from '../../hdl/lib/pipeline-preset.ts';
import { fillFromPreset, pipelineField } from '../pipeline-preset.ts';

/** `opStages` per `pipeline` preset; an explicit `opStages` overrides it. */
export const NUQ_PRESETS: Readonly<Record<PipelinePreset, { opStages: number }>> = { area: { opStages: 1 }, balanced: { opStages: 3 }, fast: { opStages: 3 } };

export const nuqSchema = z
  .strictObject({
    format: z.enum(['fp16', 'bf16']).default('fp16').describe('element format: IEEE binary16 (fp16) or bfloat16 (bf16)'),
    bits: z.literal([1, 2, 3, 4]).default(3).describe('b: bits per code; the codebook has 2^b centroids'),
    channels: z.number().int().min(1).max(8192).default(16).describe('D: channels per token (the row length of the [tokens, channels] input)'),
    lanes: z.number().int().min(1).max(64).default(2).describe('P: elements per input beat (RTL); divides channels'),
    sparseDepth: z.number().int().min(2).max(1024).default(4).describe('outlier side FIFO depth in beats (a power of two): beats with outliers, and eos beats (their last record), waiting for the one-per-cycle sparse port (quantize mode)'),
    op: z.enum(['quantize', 'dequantize']).default('quantize').describe('quantize: x -> codes, flags, x̂ and the sparse outlier stream; dequantize: codes + sparse stream -> x̂ (the standalone dequantizer with the sparse merge, README "Dequantize mode")'),
    pipeline: pipelineField('opStages = area 1, balanced 3, fast 3'),
    opStages: z.number().int().min(0).max(3).optional().describe('pipeline registers inside each float subtract, multiply and add of the datapath (0..3; the float library\'s stages); latency grows by 4 cycles per step (dequantize: 2) (default: from pipeline)'),
    trimMax: z.number().int().min(0).max(7).default(0).describe('per-token RTL: the largest codebook trim it computes (0: each token\'s min and max; t > 0: per lane the t + 1 smallest and largest finite values, then a rank selection); kvhdl cosim refuses a codebook with a larger trim'),
    mode: z.enum(['per-channel', 'per-token']).default('per-channel').describe('per-channel: thresholds, normalisation and codebooks per channel from calibration (KVQuant keys); per-token: each token\'s thresholds, centre and half-range from its own values at quantization time, one shared codebook (KVQuant values; the quantize RTL computes trims up to trimMax; op dequantize takes each token\'s mid and half on the tk stream)'),
  })
  .transform((c) => fillFromPreset(c, NUQ_PRESETS))
  .superRefine((c, ctx) => {
    if ((c.sparseDepth & (c.sparseDepth - 1)) !== 0) ctx.addIssue({ code: 'custom', path: ['sparseDepth'], message: `must be a power of two, got ${c.sparseDepth}` });
    if (c.channels % c.lanes !== 0) ctx.addIssue({ code: 'custom', path: ['lanes'], message: `must divide channels (${c.channels}), got ${c.lanes}` });
  });

export type NuqConfig = z.infer<typeof nuqSchema>;

/** Table words per channel: lo, hi, mid, rcp, half, K centroids, K - 1 midpoints (README "Hardware"). */
export const tableWordsPerChannel = (cfg: NuqConfig): number => 2 * 2 ** cfg.bits + 4;
/** Table words of a per-token load: trim, K centroids, K - 1 midpoints, zero padding to a multiple of P (README "Per-token mode"). */
export const tableWordsPerToken = (cfg: NuqConfig): number => cfg.lanes * Math.ceil((2 * 2 ** cfg.bits) / cfg.lanes);
/** Input beats of one table load: D * words / P (per-token: the padded per-token table / P). */
export const tableBeats = (cfg: NuqConfig): number => (cfg.mode === 'per-token' ? tableWordsPerToken(cfg) : cfg.channels * tableWordsPerChannel(cfg)) / cfg.lanes;

export function nuqFormat(cfg: NuqConfig): FloatFormat {
  return FORMATS[cfg.format];
}

/** A validated configuration from a partial one (throws the zod error on bad input). */
export function nuqConfig(partial: z.input<typeof nuqSchema> = {}): NuqConfig {
  return nuqSchema.parse(partial);
}
