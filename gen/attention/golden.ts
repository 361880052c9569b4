/**
 * attention golden model, written from README.md §2–§6: fixed-point scores over the KIVI cache,
 * selection with the early-exit bound (threshold, best-first running top-k), exp2 weights, the
 * exact weighted sum rounded once to the format, and the words fetched per image region.
 */
import { bucketOf } from '../selector/config.ts';
import { attentionDims, attentionFormat, type AttentionConfig } from './config.ts';
import { buildCache, checkFinite, type AttentionCache } from './cache.ts';
import { divideToFloat, expWeight, kappa, term, valueInt, valueScaleExp } from './fixed.ts';
import { regionMap, REGIONS, type Region } from './layout.ts';

export type Words = Record<Region | 'total', number>;

/**
 * Deliberate bugs for the mutation test only (test/units/attention-golden.test.ts): 'bound' starts
 * the remaining bound at (2^B − 2)·Q⁺ (too small), 'kth' takes the running threshold from the
 * (k−1)-th best instead of the k-th. null (always, outside that test) is the README's model.
 */
export type Mutation = 'bound' | 'kth' | null;
let mutation: Mutation = null;
export function setMutationForTest(m: Mutation): void {
  mutation = m;
}

export interface RowResult {
  kept: Uint8Array;
  /** S_t for kept tokens, 0 elsewhere */
  scores: number[];
  /** output patterns [D] */
  out: Uint16Array;
  words: Words;
}

export function zeroWords(): Words {
  return { keyPlanes: 0, keyScaleMin: 0, keyResidual: 0, valueCodes: 0, valueScaleMin: 0, valueResidual: 0, total: 0 };
}

/** Per-row scaled query, offsets and bounds (README §2). */
interface RowQuery {
  qt: Int32Array[] | number[][];
  cg: number[];
  qPlusCh: number[][];
  qPlus: number[];
}

function rowQuery(cfg: AttentionConfig, cache: AttentionCache, q: ArrayLike<number>): RowQuery {
  const f = attentionFormat(cfg);
  const d = attentionDims(cfg);
  const kap = kappa(d.D);
  const ng = cache.Tk / d.G;
  const qt: number[][] = [];
  const cg: number[] = [];
  const qPlusCh: number[][] = [];
  const qPlus: number[] = [];
  for (let g = 0; g < ng; g++) {
    const row: number[] = [];
    let c = 0;
    for (let dd = 0; dd < d.D; dd++) {
      row.push(term(f, q[dd], cache.keys.scale[g * d.D + dd], kap, d.F, d.WQ));
      c += term(f, q[dd], cache.keys.min[g * d.D + dd], kap, d.F, d.WC);
    }
    const ch = Array.from({ length: d.C }, (_, i) => row.slice(i * d.W, i * d.W + d.W).reduce((a, x) => a + Math.max(x, 0), 0));
    qt.push(row);
    cg.push(c);
    qPlusCh.push(ch);
    qPlus.push(ch.reduce((a, x) => a + x, 0));
  }
  return { qt, cg, qPlusCh, qPlus };
}

/** Plane-word sums w[j][ch] = Σ_{d in ch} q̃·c_j of quantized key t. */
function planeWords(cfg: AttentionConfig, cache: AttentionCache, rq: RowQuery, t: number): number[][] {
  const d = attentionDims(cfg);
  const g = Math.floor(t / d.G);
  const qt = rq.qt[g];
  const w = Array.from({ length: d.B }, () => new Array<number>(d.C).fill(0));
  for (let dd = 0; dd < d.D; dd++) {
    const c = cache.keys.codes[t * d.D + dd];
    const ch = Math.floor(dd / d.W);
    for (let j = 0; j < d.B; j++) if ((c >> j) & 1) w[j][ch] += qt[dd];
  }
  return w;
}

/** Residual key score Σ_d term_WC(q_d, k[t, d]). */
function residualScore(cfg: AttentionConfig, cache: AttentionCache, q: ArrayLike<number>, t: number): number {
  const f = attentionFormat(cfg);
  const d = attentionDims(cfg);
  const kap = kappa(d.D);
  let s = 0;
  for (let dd = 0; dd < d.D; dd++) s += term(f, q[dd], cache.keys.residual[(t - cache.Tk) * d.D + dd], kap, d.F, d.WC);
  return s;
}

/** Which candidates are kept and the key-plane words they fetch (README §3). */
function selectCandidates(cfg: AttentionConfig, cand: number[], exact: (t: number) => number, words: (t: number) => number[][], rq: RowQuery, theta: number | null, earlyExit: boolean): { kept: Set<number>; keyWords: number } {
  const d = attentionDims(cfg);
  const { B, C } = d;
  const g = (t: number) => Math.floor(t / d.G);
  const full = B * C;
  if (cfg.selection === 'none') return { kept: new Set(cand), keyWords: cand.length * full };
  if (cfg.selection === 'threshold') {
    if (theta === null) throw new Error('threshold selection needs a theta for every row');
    const kept = new Set<number>();
    let kw = 0;
    for (const t of cand) {
      if (!earlyExit) {
        kw += full;
        if (exact(t) > theta) kept.add(t);
        continue;
      }
      const w = words(t);
      let P = rq.cg[g(t)];
      let rem = (2 ** B - (mutation === 'bound' ? 2 : 1)) * rq.qPlus[g(t)];
      let stopped = P + rem <= theta;
      for (let j = B - 1; j >= 0 && !stopped; j--) {
        for (let ch = 0; ch < C && !stopped; ch++) {
          P += 2 ** j * w[j][ch];
          rem -= 2 ** j * rq.qPlusCh[g(t)][ch];
          kw++;
          if (P + rem <= theta) stopped = true;
        }
      }
      if (!stopped) kept.add(t);
    }
    return { kept, keyWords: kw };
  }
  // topk
  const K = cfg.k;
  const byRank = (a: { t: number; s: number }, b: { t: number; s: number }) => b.s - a.s || a.t - b.t;
  const topOf = (xs: { t: number; s: number }[]) => new Set(xs.sort(byRank).slice(0, K).map((x) => x.t));
  if (!earlyExit) return { kept: topOf(cand.map((t) => ({ t, s: exact(t) }))), keyWords: cand.length * full };
  let kw = 0;
  const info = cand.map((t) => {
    const w = words(t);
    const P1 = rq.cg[g(t)] + 2 ** (B - 1) * w[B - 1].reduce((a, x) => a + x, 0);
    kw += C;
    return { t, w, P1, U1: P1 + (2 ** (B - 1) - 1) * rq.qPlus[g(t)] };
  });
  const order = [...info].sort((a, b) => b.U1 - a.U1 || a.t - b.t);
  const done: ({ t: number; s: number } | null)[] = [];
  const best: number[] = []; // the K largest completed scores, ascending
  const lag = cfg.keyLanes;
  for (let p = 0; p < order.length; p++) {
    const add = p - lag - 1;
    const e = add >= 0 ? done[add] : null;
    if (e) {
      if (best.length < K) best.splice(lowerBound(best, e.s), 0, e.s);
      else if (e.s > best[0]) {
        best.shift();
        best.splice(lowerBound(best, e.s), 0, e.s);
      }
    }
    const T = mutation === 'kth' ? (best.length >= K - 1 && K > 1 ? best[best.length - K + 1] : -Infinity) : best.length === K ? best[0] : -Infinity;
    const { t, w, P1, U1 } = order[p];
    let stopped = U1 < T;
    let P = P1;
    let rem = (2 ** (B - 1) - 1) * rq.qPlus[g(t)];
    for (let j = B - 2; j >= 0 && !stopped; j--) {
      for (let ch = 0; ch < C && !stopped; ch++) {
        P += 2 ** j * w[j][ch];
        rem -= 2 ** j * rq.qPlusCh[g(t)][ch];
        kw++;
        if (P + rem < T) stopped = true;
      }
    }
    done.push(stopped ? null : { t, s: P });
  }
  return { kept: topOf(done.filter((x): x is { t: number; s: number } => x !== null)), keyWords: kw };
}

function lowerBound(a: readonly number[], x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** One row (README §2–§6). `theta` is the row's θ in threshold mode, else null. */
export function attentionRow(cfg: AttentionConfig, cache: AttentionCache, q: ArrayLike<number>, theta: number | null, earlyExit = cfg.earlyExit): RowResult {
  const f = attentionFormat(cfg);
  const d = attentionDims(cfg);
  const { n, Tk, Tv } = cache;
  const map = regionMap(cfg, n);
  const words = zeroWords();
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
  words.total = REGIONS.reduce((a, r) => a + words[r], 0);
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
  const c = cache ?? buildCache(cfg, inp.k, inp.v);
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
