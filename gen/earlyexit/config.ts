/** earlyexit configuration and derived widths (see README.md, "Configuration"). */
import { z } from 'zod';
import { bitsFor } from '../../hdl/index.ts';
import { treeLevels } from '../../hdl/lib/index.ts';
import type { PipelinePreset } from '../../hdl/lib/pipeline-preset.ts';
import { fillFromPreset, pipelineField } from '../pipeline-preset.ts';

/** `treeCut` and `decideCut` per `pipeline` preset (README "Pipeline"); an explicit `treeCut` overrides it. */
export const EARLYEXIT_PRESETS: Readonly<Record<PipelinePreset, { treeCut: number; decideCut: boolean }>> = {
  area: { treeCut: 0, decideCut: false },
  balanced: { treeCut: 3, decideCut: false },
  fast: { treeCut: 1, decideCut: true },
};

/** The default `treeCut` (balanced): the module name carries `t<treeCut>` only when it differs. */
export const EARLYEXIT_DEFAULT_TREE_CUT = EARLYEXIT_PRESETS.balanced.treeCut;

export const earlyexitSchema = z
  .strictObject({
    dims: z.number().int().min(1).max(1024).default(16).describe('D: dimensions of the query and of every key (1..1024, any value)'),
    queryBits: z.number().int().min(2).max(16).default(8).describe('Wq: bits of each signed query element'),
    keyBits: z.number().int().min(1).max(16).default(8).describe('B: bits of each key element = bit-planes per key'),
    keySigned: z.boolean().default(true).describe('keys are two\'s complement (true) or unsigned codes, e.g. KIVI (false)'),
    keyLanes: z.number().int().min(1).max(32).default(4).describe('Nk: keys in flight at once'),
    dimsPerCycle: z
      .number()
      .int()
      .min(0)
      .default(0)
      .describe('W: dimensions per memory word and per cycle (a plane is ceil(D/W) words); 0: D (one word per plane)'),
    earlyExit: z.boolean().default(true).describe('prune keys that can no longer pass the threshold; false: the baseline that fetches every plane'),
    maxKeys: z.number().int().min(1).max(65536).default(256).describe('largest number of keys n per row (sets index, count and address widths)'),
    pipeline: pipelineField('treeCut / decideCut = area 0 / false, balanced 3 / false, fast 1 / true (README "Pipeline")'),
    treeCut: z
      .number()
      .int()
      .min(0)
      .max(16)
      .optional()
      .describe('adder levels per register cut in the D-input adder trees (the plane sum of a word, Q+ of a row): a tree of L levels gets min(L - 1, floor(L / treeCut)) cuts; 0: no cuts (default: from pipeline)'),
    decideCut: z
      .boolean()
      .optional()
      .describe('register the prune decision of a completed plane before the slot update (the slot takes its next state a cycle later: one more cycle per plane of a key) (default: from pipeline)'),
  })
  .transform((c) => fillFromPreset(c, EARLYEXIT_PRESETS))
  .superRefine((c, ctx) => {
    if (c.keySigned && c.keyBits < 2) {
      ctx.addIssue({ code: 'custom', path: ['keyBits'], message: `must be at least 2 for signed keys, got ${c.keyBits}` });
    }
    if (c.dimsPerCycle > c.dims) {
      ctx.addIssue({ code: 'custom', path: ['dimsPerCycle'], message: `must be at most dims (${c.dims}), got ${c.dimsPerCycle}` });
    }
  });

export type EarlyexitConfig = z.infer<typeof earlyexitSchema>;

/** Register cuts inside an adder tree of `levels` levels for a configuration (README "Pipeline"). */
export function treeCuts(cfg: Pick<EarlyexitConfig, 'treeCut'>, levels: number): number {
  return cfg.treeCut === 0 ? 0 : Math.max(0, Math.min(levels - 1, Math.floor(levels / cfg.treeCut)));
}

/** Cuts of the Q+ tree (D inputs) and of the plane-sum tree (W inputs). */
export function treeCutsOf(cfg: EarlyexitConfig): { qPlus: number; plane: number } {
  const W = cfg.dimsPerCycle || cfg.dims;
  return { qPlus: treeCuts(cfg, treeLevels(cfg.dims)), plane: treeCuts(cfg, treeLevels(W)) };
}

/** Widths and counts derived from a configuration (README.md, "Configuration"). */
export interface EarlyexitDims {
  D: number;
  Wq: number;
  B: number;
  /** Dimensions per word. */
  W: number;
  /** Words (beats) per plane. */
  C: number;
  /** Score / θ width (signed). */
  SW: number;
  /** Key index width. */
  IW: number;
  /** Key count width. */
  NW: number;
  /** Word address width. */
  AW: number;
  /** Planes-of-a-key width. */
  PW: number;
  /** Planes-of-a-row width. */
  TW: number;
  /** Words-of-a-row width. */
  WW: number;
}

export function dimsOf(cfg: EarlyexitConfig): EarlyexitDims {
  const D = cfg.dims;
  const B = cfg.keyBits;
  const W = cfg.dimsPerCycle || D;
  const C = Math.ceil(D / W);
  const clog2D = D <= 1 ? 0 : Math.ceil(Math.log2(D));
  return {
    D,
    Wq: cfg.queryBits,
    B,
    W,
    C,
    SW: cfg.queryBits + B + clog2D + 1,
    IW: cfg.maxKeys <= 1 ? 1 : Math.ceil(Math.log2(cfg.maxKeys)),
    NW: bitsFor(cfg.maxKeys),
    AW: bitsFor(cfg.maxKeys * B * C - 1),
    PW: bitsFor(B),
    TW: bitsFor(cfg.maxKeys * B),
    WW: bitsFor(cfg.maxKeys * B * C),
  };
}
