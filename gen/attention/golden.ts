/**
 * attention golden model, written from README.md §2–§6: fixed-point scores over the KIVI cache,
 * selection with the early-exit bound (threshold, best-first running top-k), exp2 weights, the
 * exact weighted sum rounded once to the format, and the words fetched per image region.
 */
import { bucketOf } from '../selector/config.ts';
import { attentionDims, attentionFormat, type AttentionConfig } from './config.ts';
import { buildCache, checkFinite, type AttentionCache } from './cache.ts';
import { divideToFloat, expWeight, valueInt, valueScaleExp } from './fixed.ts';
import { planeWords, residualScore, rowQuery } from './score.ts';
import { selectCandidates } from './select.ts';
import { regionMap, regionsOf, type KiviRegion } from './layout.ts';
import type { Codebook } from '../nuq/codebook.ts';

export { setMutationForTest, type Mutation } from './select.ts';

/** Words fetched per region; `valueCodebook` only with valueQuant "nuq". */
export type Words = Record<KiviRegion | 'total', number> & { valueCodebook?: number };

export interface RowResult {
  kept: Uint8Array;
  /** S_t for kept tokens, 0 elsewhere */
  scores: number[];
  /** output patterns [D] */
  out: Uint16Array;
  words: Words;
}

export function zeroWords(cfg?: AttentionConfig): Words {
  const w: Words = { keyPlanes: 0, keyScaleMin: 0, keyResidual: 0, valueCodes: 0, valueScaleMin: 0, valueResidual: 0, total: 0 };
  if (cfg?.valueQuant === 'nuq') w.valueCodebook = 0;
  return w;
}

/** One row (README §2–§6). `theta` is the row's θ in threshold mode, else null. */
export function attentionRow(cfg: AttentionConfig, cache: AttentionCache, q: ArrayLike<number>, theta: number | null, earlyExit = cfg.earlyExit): RowResult {
  const f = attentionFormat(cfg);
  const d = attentionDims(cfg);
  const { n, Tk, Tv } = cache;
  const map = regionMap(cfg, n);
  const words = zeroWords(cfg);
  // nuq: the codebook is read once per row, at the start of the value phase, when Tv > 0 (§6)
  if (d.nuq) words.valueCodebook = Tv > 0 ? map.size.valueCodebook : 0;
  words.keyScaleMin = map.size.keyScaleMin;
  words.keyResidual = map.size.keyResidual;
  words.valueResidual = map.size.valueResidual;
  const rq = rowQuery(cfg, cache, q);
  const wcache = new Map<number, number[][]>();
  const wordsOf = (t: number) => {
    let w = wcache.get(t);
    if (!w) wcache.set(t, (w = planeWords(cfg, cache, rq, t)));
    return w;
  };
  const scoreCache = new Map<number, number>();
  const exact = (t: number): number => {
    let s = scoreCache.get(t);
    if (s === undefined) {
      if (t >= Tk) s = residualScore(cfg, cache, q, t);
      else s = rq.cg[Math.floor(t / d.G)] + wordsOf(t).reduce((a, row, j) => a + 2 ** j * row.reduce((x, y) => x + y, 0), 0);
      scoreCache.set(t, s);
    }
    return s;
  };
  const forced: number[] = [];
  const cand: number[] = [];
  for (let t = 0; t < n; t++) (t < Math.min(cfg.sink, n) || t >= n - d.R ? forced : cand).push(t);
  const sel = selectCandidates(cfg, cand, exact, wordsOf, rq, theta, earlyExit);
  words.keyPlanes = sel.keyWords + forced.filter((t) => t < Tk).length * d.B * d.C;
  const kept = new Uint8Array(n);
  const scores = new Array<number>(n).fill(0);
  const keptList = [...forced, ...sel.kept].sort((a, b) => a - b);
  for (const t of keptList) {
    kept[t] = 1;
    scores[t] = exact(t);
  }
  const out = new Uint16Array(d.D);
  if (keptList.length > 0) {
    const M = Math.max(...keptList.map((t) => scores[t]));
    const num = new Array<bigint>(d.D).fill(0n);
    let den = 0n;
    for (const t of keptList) {
      const p = BigInt(expWeight(M - scores[t], d.F));
      den += p;
      if (t < Tv) {
        words.valueCodes += (d.bv * d.D) / d.W;
        words.valueScaleMin += d.MV;
      }
      if (p === 0n) continue;
      for (let dd = 0; dd < d.D; dd++) {
        const v = t < Tv ? cache.values.dequant[t * d.D + dd] : cache.values.residual[(t - Tv) * d.D + dd];
        num[dd] += p * valueInt(f, v);
      }
    }
    for (let dd = 0; dd < d.D; dd++) out[dd] = divideToFloat(f, num[dd], den, valueScaleExp(f));
  }
  words.total = regionsOf(cfg).reduce((a, r) => a + (words[r] ?? 0), 0);
  return { kept, scores, out, words };
}

/** A thresholds.json table (as `kvhdl calibrate` writes it). */
export interface ThetaTable {
  k: number;
  buckets: number[];
  theta: number[][][];
}

/** θ of a row (README §3): table[layer][head][bucket(n)], checked against the config. */
export function thetaFor(cfg: AttentionConfig, table: ThetaTable, n: number, layer: number, head: number): number {
  if (table.k !== cfg.k) throw new Error(`thresholds: k = ${table.k}, but the config has k = ${cfg.k}`);
  if (table.buckets.length !== cfg.rowBuckets.length || table.buckets.some((b, i) => b !== cfg.rowBuckets[i])) {
    throw new Error(`thresholds: buckets ${JSON.stringify(table.buckets)} differ from rowBuckets ${JSON.stringify(cfg.rowBuckets)}`);
  }
  const v = table.theta[layer]?.[head]?.[bucketOf(cfg.rowBuckets, n)];
  if (!Number.isSafeInteger(v)) throw new Error(`thresholds: no integer theta[${layer}][${head}][${bucketOf(cfg.rowBuckets, n)}]`);
  return v;
}

export interface GoldenInputs {
  /** patterns [rows, D], [n, D], [n, D] */
  q: Uint16Array;
  k: Uint16Array;
  v: Uint16Array;
  thresholds?: ThetaTable;
  layers?: number[];
  heads?: number[];
  /** valueQuant "nuq": the shared per-token value codebook */
  valueCodebook?: Codebook;
}

export interface GoldenResult {
  rows: number;
  n: number;
  cache: AttentionCache;
  results: RowResult[];
  /** θ per row (threshold mode) */
  thetas: (number | null)[];
}

export function attentionGolden(cfg: AttentionConfig, inp: GoldenInputs, earlyExit = cfg.earlyExit, cache?: AttentionCache): GoldenResult {
  const D = cfg.dims;
  if (inp.q.length % D !== 0) throw new Error(`q must be [rows, ${D}]`);
  checkFinite(cfg, inp.q, D, 'q');
  const c = cache ?? buildCache(cfg, inp.k, inp.v, inp.valueCodebook);
  const rows = inp.q.length / D;
  const thetas: (number | null)[] = [];
  const results: RowResult[] = [];
  for (let r = 0; r < rows; r++) {
    let theta: number | null = null;
    if (cfg.selection === 'threshold') {
      if (!inp.thresholds) throw new Error('threshold selection needs --thresholds');
      theta = thetaFor(cfg, inp.thresholds, c.n, inp.layers?.[r] ?? 0, inp.heads?.[r] ?? r % cfg.heads);
    }
    thetas.push(theta);
    results.push(attentionRow(cfg, c, inp.q.subarray(r * D, r * D + D), theta, earlyExit));
  }
  return { rows, n: c.n, cache: c, results, thetas };
}
