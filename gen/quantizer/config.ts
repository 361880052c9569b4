/** quantizer configuration (see README.md "Configuration"). */
import { z } from 'zod';
import { FORMATS, type FloatFormat } from '../../hdl/lib/float/format.ts';
import { FP_ADD_MAX_STAGES } from '../../hdl/lib/float/add.ts';
import { fpDivMaxStages } from '../../hdl/lib/float/div.ts';
import { FP_TO_UINT_MAX_STAGES } from '../../hdl/lib/float/round-int.ts';
import type { PipelinePreset } from '../../hdl/lib/pipeline-preset.ts';
import { fillFromPreset, pipelineField } from '../pipeline-preset.ts';

/** The stage fields' values per `pipeline` preset (README "Pipeline"); explicit fields override. */
export const QUANTIZER_PRESETS: Readonly<Record<PipelinePreset, { fillStages: number | 'max'; subStages: number; divStages: number | 'max'; roundStages: number }>> = {
  area: { fillStages: 0, subStages: 2, divStages: 8, roundStages: 1 },
  balanced: { fillStages: 'max', subStages: 3, divStages: 'max', roundStages: 2 },
  fast: { fillStages: 'max', subStages: 5, divStages: 'max', roundStages: 2 },
};

export const quantizerSchema = z
  .strictObject({
    format: z.enum(['fp16', 'bf16']).default('fp16').describe('element format: IEEE binary16 (fp16) or bfloat16 (bf16)'),
    bits: z.literal([1, 2, 4, 8]).default(2).describe('b: bits per code (1, 2, 4 or 8)'),
    groupSize: z.number().int().min(1).max(1024).default(32).describe('G: values per quantization group (channels in per-token mode, tokens in per-channel mode)'),
    channels: z.number().int().min(1).max(8192).default(128).describe('D: channels per token (the row length of the [tokens, channels] input)'),
    lanes: z.number().int().min(1).max(64).default(8).describe('P: elements per input beat; divides channels and groupSize'),
    mode: z.enum(['per-token', 'per-channel']).default('per-token').describe('per-token: groups of G channels of one token (KIVI values); per-channel: groups of G tokens of one channel (KIVI keys)'),
    residual: z.number().int().min(0).max(4096).default(32).describe('R: full-precision window in tokens (per-channel: the R x D block buffer, a multiple of G)'),
    pipeline: pipelineField('fillStages / subStages / divStages / roundStages = area 0 / 2 / 8 / 1, balanced "max" / 3 / "max" / 2, fast "max" / 5 / "max" / 2 (README "Pipeline")'),
    fillStages: z
      .union([z.literal('max'), z.number().int().min(0)])
      .optional()
      .describe('pipeline registers of the fill side, 0..ceil(log2 lanes)+1: the group record register, then registers after the per-beat min/max tree levels; "max": ceil(log2 lanes)+1 (default: from pipeline)'),
    subStages: z.number().int().min(0).max(FP_ADD_MAX_STAGES).optional().describe('fpSub pipeline registers of range = max - min and of x - min, 0..5 (hdl/lib/float/add.ts; default: from pipeline)'),
    divStages: z.union([z.literal('max'), z.number().int().min(0)]).optional().describe('fpDiv pipeline registers of the scale and of (x - min) / scale, 0..16 for fp16, 0..13 for bf16; "max": the format\'s maximum (default: from pipeline)'),
    roundStages: z.number().int().min(0).max(FP_TO_UINT_MAX_STAGES).optional().describe('fpToUIntSat pipeline registers of the code, 0..2: 1 after the shift (before the rounding increment), 2 adds one between the divider and the conversion (default: from pipeline)'),
  })
  .transform((c) => fillFromPreset(c, QUANTIZER_PRESETS))
  .superRefine((c, ctx) => {
    const bad = (field: string, message: string) => ctx.addIssue({ code: 'custom', path: [field], message });
    const levels = c.lanes <= 1 ? 0 : Math.ceil(Math.log2(c.lanes));
    if (c.fillStages !== 'max' && c.fillStages > levels + 1) bad('fillStages', `must be at most ceil(log2 lanes) + 1 = ${levels + 1}, got ${c.fillStages}`);
    const maxDiv = fpDivMaxStages(FORMATS[c.format]);
    if (c.divStages !== 'max' && c.divStages > maxDiv) bad('divStages', `must be at most ${maxDiv} for ${c.format}, got ${c.divStages}`);
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
export function quantizerConfig(partial: z.input<typeof quantizerSchema> = {}): QuantizerConfig {
  return quantizerSchema.parse(partial);
}

/** The group datapath's pipeline depths of a configuration (defaults filled in; README "Pipeline"). */
export function quantizerPipeline(cfg: QuantizerConfig): { fillStages: number; subStages: number; divStages: number; roundStages: number } {
  const levels = cfg.lanes <= 1 ? 0 : Math.ceil(Math.log2(cfg.lanes));
  return {
    fillStages: cfg.fillStages === 'max' ? levels + 1 : cfg.fillStages,
    subStages: cfg.subStages,
    divStages: cfg.divStages === 'max' ? fpDivMaxStages(FORMATS[cfg.format]) : cfg.divStages,
    roundStages: cfg.roundStages,
  };
}

/** The module-name suffix of the pipeline depths: {f, s, v, n} = fill, sub, div, round stages. */
export function pipelineNameParts(cfg: QuantizerConfig): Record<string, number> {
  const p = quantizerPipeline(cfg);
  return { f: p.fillStages, s: p.subStages, v: p.divStages, n: p.roundStages };
}
