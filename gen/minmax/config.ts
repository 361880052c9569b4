/** minmax configuration (see README.md). */
import { z } from 'zod';
import { treeLevels } from '../../hdl/lib/index.ts';
import type { PipelinePreset } from '../../hdl/lib/pipeline-preset.ts';
import { fillFromPreset, pipelineField } from '../pipeline-preset.ts';

/** `stages` per `pipeline` preset (README "Pipeline"); an explicit `stages` overrides it. "max": ceil(log2 P). */
export const MINMAX_PRESETS: Readonly<Record<PipelinePreset, { stages: number | 'max' }>> = {
  area: { stages: 0 },
  balanced: { stages: 1 },
  fast: { stages: 'max' },
};

export const minmaxSchema = z
  .strictObject({
    lanes: z.number().int().min(1).max(256).default(8).describe('P: values per input beat'),
    width: z.number().int().min(2).max(64).default(16).describe('W: bits per signed value'),
    pipeline: pipelineField('stages = area 0, balanced 1, fast "max" = ceil(log2 P) (README "Pipeline")'),
    stages: z
      .union([z.literal('max'), z.number().int().min(0)])
      .optional()
      .describe('pipeline registers in each per-beat reduction tree, 0..ceil(log2 P); "max": ceil(log2 P), a register after every tree level (default: from pipeline)'),
  })
  .transform((c) => fillFromPreset(c, MINMAX_PRESETS))
  .superRefine((c, ctx) => {
    const levels = treeLevels(c.lanes);
    if (c.stages !== 'max' && c.stages > levels) {
      ctx.addIssue({ code: 'custom', path: ['stages'], message: `must be at most ${levels} (ceil(log2 lanes)) for ${c.lanes} lanes, got ${c.stages}` });
    }
  })
  // "max" resolved: the RTL, the golden model and the manifest see the number of registers
  .transform((c) => ({ ...c, stages: c.stages === 'max' ? treeLevels(c.lanes) : c.stages }));

export type MinmaxConfig = z.infer<typeof minmaxSchema>;
