/** selector configuration (see README.md "Configuration"). */
import { z } from 'zod';
import { bitsFor, log2Ceil } from '../../hdl/index.ts';
import { selectorSizeProblem } from './size.ts';
import type { PipelinePreset } from '../../hdl/lib/pipeline-preset.ts';
import { fillFromPreset, pipelineField } from '../pipeline-preset.ts';

/** `stages` per `pipeline` preset (README "Pipeline"); an explicit `stages` overrides it. */
export const SELECTOR_PRESETS: Readonly<Record<PipelinePreset, { stages: number }>> = {
  area: { stages: 0 },
  balanced: { stages: 1 },
  fast: { stages: 2 },
};

/** The default `stages` (balanced): the module name carries `s<stages>` only when it differs. */
export const SELECTOR_DEFAULT_STAGES = SELECTOR_PRESETS.balanced.stages;

export const selectorSchema = z
  .strictObject({
    mode: z.enum(['threshold', 'topk']).default('threshold').describe('threshold: keep s > theta(layer, head, n-bucket) (Top-theta); topk: keep the k largest (ties: lower index)'),
    arch: z.enum(['insertion', 'radix', 'systolic']).default('insertion').describe('top-k micro-architecture (topk mode only): systolic = a k-cell array in which each cell compares the broadcast candidate(s) with its own score only, drained straight to out (P = 1: K + 1 cells in index order, each with its score rank, no sort, one score per cycle; P > 1: value-ordered cells, two candidates per cycle, an odd-even index sort in a second cell bank that drains while the next row fills); insertion = streaming k-entry eviction array with an argmin tree, 1 candidate/cycle; radix = row buffer + radix-select passes + filter pass'),
    scoreBits: z.number().int().min(2).max(32).default(16).describe('W: bits per signed score'),
    maxRow: z.number().int().min(1).max(65536).default(64).describe('N: longest row (scores per query) the unit accepts'),
    lanes: z.number().int().min(1).max(64).default(4).describe('P: scores per input beat'),
    outLanes: z.number().int().min(1).max(64).default(4).describe('P_out: kept (index, score) pairs per output beat'),
    k: z.number().int().min(1).max(65536).default(8).describe('K: top-k size (topk mode); in threshold mode rows with n <= K keep everything (Top-theta)'),
    capK: z.number().int().min(0).max(65536).default(0).describe('threshold mode: keep at most capK survivors per row (0 = no cap)'),
    capPolicy: z.enum(['first', 'last']).default('last').describe('which capK survivors a capped row keeps: the first (lowest indices) or the last (highest indices, as Top-theta capk)'),
    heads: z.number().int().min(1).max(256).default(2).describe('H: heads in the threshold table'),
    layers: z.number().int().min(1).max(256).default(2).describe('L: layers in the threshold table'),
    rowBuckets: z.array(z.number().int().min(1)).min(1).max(64).default([16, 32, 64]).describe('calibrated row lengths n_0 < n_1 < ... (the theta table has one entry per bucket); a row of length n uses the nearest, ties to the smaller'),
    radixBits: z.number().int().min(1).max(8).default(4).describe('radix arch: score bits resolved per select pass (2^r - 1 comparators per lane)'),
    pipeline: pipelineField('stages = area 0, balanced 1, fast 2 (README "Pipeline")'),
    stages: z
      .number()
      .int()
      .min(0)
      .max(2)
      .optional()
      .describe('timing of the streaming threshold core (threshold mode, capK = 0 or capPolicy "first"; the other cores ignore it): 0 = decision, compaction and row maximum in one cycle; 1 = a lane register between the decision and the compaction, and the row maximum folded a cycle later; 2 = as 1 with shallower row-maximum logic (valid bits instead of masking, parallel compares in the fold) and the fill amount of the P <= P_out packer registered a cycle ahead (default: from pipeline)'),
  })
  .transform((c) => fillFromPreset(c, SELECTOR_PRESETS))
  .superRefine((c, ctx) => {
    const bad = (field: string, message: string) => ctx.addIssue({ code: 'custom', path: [field], message });
    if (c.k > c.maxRow) bad('k', `must be at most maxRow (${c.maxRow}), got ${c.k}`);
    if (c.capK > c.maxRow) bad('capK', `must be at most maxRow (${c.maxRow}), got ${c.capK}`);
    if (c.mode === 'topk' && c.capK !== 0) bad('capK', `applies to threshold mode only; must be 0 in topk mode, got ${c.capK}`);
    // rowBuckets only matter in threshold mode (the theta table): topk mode does not check them
    // against maxRow, so its default need not follow a short maxRow (README "Configuration").
    for (let i = 0; i < c.rowBuckets.length; i++) {
      if (c.mode === 'threshold' && c.rowBuckets[i] > c.maxRow) bad('rowBuckets', `entry ${i} (${c.rowBuckets[i]}) exceeds maxRow (${c.maxRow})`);
      if (i > 0 && c.rowBuckets[i] <= c.rowBuckets[i - 1]) bad('rowBuckets', `must be strictly increasing, got ${c.rowBuckets[i - 1]} then ${c.rowBuckets[i]}`);
    }
    if (c.mode === 'topk' && (c.arch === 'insertion' || c.arch === 'systolic') && c.k > 256) bad('k', `${c.arch} arch holds k registers; must be at most 256, got ${c.k} (use arch "radix")`);
    if (c.mode === 'topk' && c.arch === 'radix' && c.radixBits > c.scoreBits) bad('radixBits', `must be at most scoreBits (${c.scoreBits}), got ${c.radixBits}`);
    // before elaboration: a configuration whose Verilog would be too large to elaborate in reasonable time
    const size = selectorSizeProblem(c);
    if (size) ctx.addIssue({ code: 'custom', path: [], message: size });
  });

export type SelectorConfig = z.infer<typeof selectorSchema>;

/** A validated configuration from a partial one (throws the zod error on bad input). */
export function selectorConfig(partial: Partial<SelectorConfig> = {}): SelectorConfig {
  return selectorSchema.parse(partial);
}

/** Field widths derived from a configuration (README "Ports"). */
export function selectorWidths(c: SelectorConfig) {
  return {
    W: c.scoreBits,
    /** index of a score in its row, 0..N-1 */
    IW: log2Ceil(c.maxRow),
    /** a length or count, 0..N */
    LW: bitsFor(c.maxRow),
    HW: log2Ceil(c.heads),
    YW: log2Ceil(c.layers),
    BW: log2Ceil(c.rowBuckets.length),
    /** out_count, 0..P_out */
    CW: bitsFor(c.outLanes),
    /** theta: W+1-bit signed */
    TW: c.scoreBits + 1,
  };
}

/** Most pairs a row can keep: the second dimension of indices.npy. */
export function maxKept(c: SelectorConfig): number {
  if (c.mode === 'topk') return c.k;
  return c.capK > 0 ? c.capK : c.maxRow;
}

/** The bucket of a row of length n: the nearest rowBuckets entry, a tie to the smaller. */
export function bucketOf(buckets: readonly number[], n: number): number {
  let b = 0;
  for (let i = 0; i + 1 < buckets.length; i++) if (2 * n > buckets[i] + buckets[i + 1]) b = i + 1;
  return b;
}
