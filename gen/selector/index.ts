/** The selector unit: attention-score selection by calibrated threshold (Top-theta) or exact top-k. */
import type { UnitDef } from '../unit.ts';
import { selectorSchema, type SelectorConfig } from './config.ts';
import { selectorRtl } from './rtl.ts';
import { selectorGolden } from './golden.ts';
import { selectorFromNpy, selectorRandomStimulus, selectorToNpy, selectorWorstStimulus } from './stimulus.ts';
import { parseThetaTable } from './thresholds.ts';

export type { SelectorConfig } from './config.ts';

export const selectorUnit: UnitDef<SelectorConfig> = {
  name: 'selector',
  summary: 'attention-score selector: Top-theta threshold (run-time theta table, capK) or exact top-k (systolic / insertion / radix-select), compacted (index, score) output and row summary',
  schema: selectorSchema,
  build: selectorRtl,
  golden: selectorGolden,
  randomStimulus: selectorRandomStimulus,
  worstStimulus: selectorWorstStimulus, // full-length ascending rows (topk: every score a candidate); threshold: every score kept
  fromNpy: (cfg, arrays, json) => selectorFromNpy(cfg, arrays, json, (j) => parseThetaTable(cfg, j)),
  toNpy: selectorToNpy,
  npyInputs: { in: 'scores.npy: integer [rows, N] (int32), row r uses its first lengths[r] entries' },
  jsonInputs: {
    meta: { help: 'rows.json: { "lengths": [...], "heads": [...], "layers": [...] }, one entry per row' },
    thresholds: { help: 'thresholds.json: { "k", "buckets", "theta"[layer][head][bucket] } (threshold mode; kvhdl calibrate writes it)', optional: true, exactIntegers: true },
  },
  referenceConfigs: [
    { mode: 'threshold', scoreBits: 16, maxRow: 256, lanes: 8, outLanes: 8, k: 16 },
    { mode: 'threshold', scoreBits: 16, maxRow: 256, lanes: 8, outLanes: 8, k: 16, capK: 16, capPolicy: 'last' },
    { mode: 'topk', arch: 'insertion', scoreBits: 16, maxRow: 256, lanes: 8, outLanes: 8, k: 16 },
    { mode: 'topk', arch: 'systolic', scoreBits: 16, maxRow: 256, lanes: 8, outLanes: 8, k: 16 },
    { mode: 'topk', arch: 'systolic', scoreBits: 16, maxRow: 1024, lanes: 1, outLanes: 1, k: 16 },
    { mode: 'topk', arch: 'radix', scoreBits: 16, maxRow: 256, lanes: 8, outLanes: 8, k: 16, radixBits: 4 },
  ],
  elementsPerBeat: (cfg) => cfg.lanes,
};
