/**
 * The deterministic weighted 1-D k-means of README.md "Calibration" step 4: equal-count-slice
 * initialisation, Lloyd iterations with ties to the lower index, centroids rounded to the format
 * (and clamped to [-1, 1]) after every update, at most 50 iterations.
 */
import type { FloatFormat } from '../../hdl/lib/float/format.ts';
import { fpFromNumber, fpToNumber } from '../../hdl/lib/float/golden/index.ts';
import { BF16_MIN_CENTROID } from './codebook.ts';

export const KMEANS_MAX_ITER = 50;

/** One k-means problem: points already in README order (u ascending, ties by element index). */
export interface KmeansPoints {
  u: Float64Array;
  w: Float64Array;
}

export interface KmeansResult {
  centroids: number[];
  iterations: number;
}

/** A float64 value rounded once to the format, clamped to [-1, 1], tiny bf16 values to +0. */
function toCentroid(f: FloatFormat, v: number): number {
  let c = fpToNumber(f, fpFromNumber(f, v));
  c = Math.min(1, Math.max(-1, c));
  if (f.name === 'bf16' && Math.abs(c) < BF16_MIN_CENTROID) c = 0;
  return c === 0 ? 0 : c; // -0 -> +0
}

export function kmeans1d(f: FloatFormat, p: KmeansPoints, K: number): KmeansResult {
  const n = p.u.length;
  if (n === 0) throw new Error('kmeans1d: no points');
  let c = Array.from({ length: K }, (_, j) => toCentroid(f, p.u[Math.floor(((2 * j + 1) * n) / (2 * K))]));
  let it = 0;
  const assign = new Int32Array(n);
  while (it < KMEANS_MAX_ITER) {
    it++;
    c = [...c].sort((a, b) => a - b); // Array.prototype.sort is stable
    for (let i = 0; i < n; i++) {
      let best = 0;
      let bd = Math.abs(p.u[i] - c[0]);
      for (let j = 1; j < K; j++) {
        const d = Math.abs(p.u[i] - c[j]);
        if (d < bd) (bd = d), (best = j);
      }
      assign[i] = best;
    }
    const S = new Float64Array(K);
    const W = new Float64Array(K);
    const cnt = new Int32Array(K);
    for (let i = 0; i < n; i++) {
      const j = assign[i];
      S[j] += p.w[i] * p.u[i];
      W[j] += p.w[i];
      cnt[j]++;
    }
    let changed = false;
    const next = c.map((old, j) => {
      if (cnt[j] === 0 || !(W[j] > 0)) return old;
      const v = toCentroid(f, S[j] / W[j]);
      if (v !== old) changed = true;
      return v;
    });
    c = next;
    if (!changed) break;
  }
  return { centroids: [...c].sort((a, b) => a - b), iterations: it };
}
