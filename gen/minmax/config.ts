/** minmax configuration (see README.md). */
import { z } from 'zod';
import { treeLevels } from '../../hdl/lib/index.ts';

export const minmaxSchema = z
  .strictObject({
    lanes: z.number().int().min(1).max(256).default(8).describe('P: values per input beat'),
    width: z.number().int().min(2).max(64).default(16).describe('W: bits per signed value'),
    stages: z.number().int().min(0).default(1).describe('pipeline registers in each per-beat reduction tree, 0..ceil(log2 P)'),
  })
  .superRefine((c, ctx) => {
    const levels = treeLevels(c.lanes);
    if (c.stages > levels) {
      ctx.addIssue({ code: 'custom', path: ['stages'], message: `must be at most ${levels} (ceil(log2 lanes)) for ${c.lanes} lanes, got ${c.stages}` });
    }
  });

export type MinmaxConfig = z.infer<typeof minmaxSchema>;
