/**
 * The golden side of the CLI files (README.md §7): out/kept/scores arrays with their dtypes and
 * shapes, and the report.json object (words per region, baselines, ratios, key-plane fraction,
 * cycles lower bound, accuracy against the float64 references (a) and (b)).
 */
import type { NpyArray } from '../../data/npy.ts';
import { fpToNumber } from '../../hdl/lib/float/golden/index.ts';
import { attentionDims, attentionFormat, type AttentionConfig } from './config.ts';
import { zeroWords, type GoldenInputs, type GoldenResult, type Words } from './golden.ts';
import { regionMap, regionsOf } from './layout.ts';
import { accuracy, referenceDense, referenceKept, type Accuracy } from './reference.ts';

export function attentionOutputs(cfg: AttentionConfig, g: GoldenResult): { out: NpyArray; kept: NpyArray; scores: NpyArray } {
  const D = cfg.dims;
  const out = new Uint16Array(g.rows * D);
  const kept = new Uint8Array(g.rows * g.n);
  const scores = new BigInt64Array(g.rows * g.n);
  g.results.forEach((r, i) => {
    out.set(r.out, i * D);
    kept.set(r.kept, i * g.n);
    r.scores.forEach((s, t) => (scores[i * g.n + t] = BigInt(s)));
  });
  return {
    out: { dtype: cfg.format === 'fp16' ? 'float16' : 'uint16', shape: [g.rows, D], data: out },
    kept: { dtype: 'uint8', shape: [g.rows, g.n], data: kept },
    scores: { dtype: 'int64', shape: [g.rows, g.n], data: scores },
  };
}

export interface RowAccuracy {
  cosineA: number;
  relL2A: number;
  maxAbsA: number;
  cosineB: number;
  relL2B: number;
  maxAbsB: number;
}

export interface AttentionReport {
  rows: number;
  n: number;
  kept: number[];
  words: Words;
  wordsNoEarlyExit: Words;
  baselines: { denseKivi: number; fp16Dense: number };
  ratios: { vsDenseKivi: number; vsFp16Dense: number };
  keyPlaneFraction: number;
  cyclesPerRow: number;
  accuracy: { perRow: RowAccuracy[]; mean: RowAccuracy };
}

export function attentionReport(cfg: AttentionConfig, inp: GoldenInputs, g: GoldenResult): AttentionReport {
  const f = attentionFormat(cfg);
  const d = attentionDims(cfg);
  const map = regionMap(cfg, g.n);
  const words = zeroWords(cfg);
  const regions = regionsOf(cfg);
  for (const r of g.results) for (const k of [...regions, 'total'] as const) words[k] = (words[k] ?? 0) + (r.words[k] ?? 0);
  const wordsNoEarlyExit: Words = { ...words, keyPlanes: g.rows * map.size.keyPlanes };
  wordsNoEarlyExit.total = regions.reduce((a, k) => a + (wordsNoEarlyExit[k] ?? 0), 0);
  const baselines = { denseKivi: g.rows * map.total, fp16Dense: g.rows * 2 * g.n * d.H16 };
  const perRow = g.results.map((r, i) => {
    const q = inp.q.subarray(i * d.D, (i + 1) * d.D);
    const out = Array.from(r.out, (x) => fpToNumber(f, x));
    const a: Accuracy = accuracy(out, referenceDense(cfg, q, inp.k, inp.v));
    const b: Accuracy = accuracy(out, referenceKept(cfg, g.cache, q, r.kept));
    return { cosineA: a.cosine, relL2A: a.relL2, maxAbsA: a.maxAbs, cosineB: b.cosine, relL2B: b.relL2, maxAbsB: b.maxAbs };
  });
  const mean = (k: keyof RowAccuracy) => (perRow.length ? perRow.reduce((s, x) => s + x[k], 0) / perRow.length : 0);
  const ratio = (a: number, b: number) => (b === 0 ? 0 : a / b);
  return {
    rows: g.rows,
    n: g.n,
    kept: g.results.map((r) => r.kept.reduce((a, x) => a + x, 0)),
    words,
    wordsNoEarlyExit,
    baselines,
    ratios: { vsDenseKivi: ratio(words.total, baselines.denseKivi), vsFp16Dense: ratio(words.total, baselines.fp16Dense) },
    keyPlaneFraction: ratio(words.keyPlanes, g.rows * map.size.keyPlanes),
    cyclesPerRow: ratio(words.total, g.rows),
    accuracy: {
      perRow,
      mean: { cosineA: mean('cosineA'), relL2A: mean('relL2A'), maxAbsA: mean('maxAbsA'), cosineB: mean('cosineB'), relL2B: mean('relL2B'), maxAbsB: mean('maxAbsB') },
    },
  };
}
