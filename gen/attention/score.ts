/**
 * Per-row score arithmetic (README.md §2): the scaled query q̃, the group offsets c_g, the per-chunk
 * bounds Q⁺[g, ch], the plane-word sums of a quantized key and the residual-key score.
 */
import { attentionDims, attentionFormat, type AttentionConfig } from './config.ts';
import type { AttentionCache } from './cache.ts';
import { kappa, term } from './fixed.ts';

/** Per-row scaled query, offsets and bounds (README §2). */
export interface RowQuery {
  qt: number[][];
  cg: number[];
  qPlusCh: number[][];
  qPlus: number[];
}

export function rowQuery(cfg: AttentionConfig, cache: AttentionCache, q: ArrayLike<number>): RowQuery {
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
export function planeWords(cfg: AttentionConfig, cache: AttentionCache, rq: RowQuery, t: number): number[][] {
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
export function residualScore(cfg: AttentionConfig, cache: AttentionCache, q: ArrayLike<number>, t: number): number {
  const f = attentionFormat(cfg);
  const d = attentionDims(cfg);
  const kap = kappa(d.D);
  let s = 0;
  for (let dd = 0; dd < d.D; dd++) s += term(f, q[dd], cache.keys.residual[(t - cache.Tk) * d.D + dd], kap, d.F, d.WC);
  return s;
}

