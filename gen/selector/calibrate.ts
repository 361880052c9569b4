/**
 * Top-theta calibration (README "Calibration"): per row the lower quantile at 1 - K/n, per
 * (layer, head, bucket) cell mean + sigma * std over its rows, rounded down to an integer.
 */
import { bucketOf } from './config.ts';
import type { ThetaTable } from './thresholds.ts';
import { clampThetaTo, WIDEST_SCORE_BITS } from './theta-range.ts';

/**
 * The row threshold: torch.quantile(s, 1 - K/n, interpolation='lower') = sorted_ascending[floor((1 - K/n)(n - 1))].
 * For 0 < K < n, (1 - K/n)(n - 1) = (n - 1 - K) + K/n with a fractional part K/n in (0, 1), so the
 * index is exactly n - 1 - K: the (K+1)-th largest score. Null when n <= K (not calibrated).
 */
export function rowThreshold(s: readonly number[], K: number): number | null {
  const n = s.length;
  if (n <= K) return null;
  const sorted = [...s].sort((a, b) => a - b);
  return sorted[n - 1 - K];
}

/** mean + sigma * std (population std, numpy's default ddof = 0) of the row thresholds. */
export function aggregate(v: readonly number[], sigma: number): number {
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  const varc = v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length;
  return mean + sigma * Math.sqrt(varc);
}

/** Theta of a cell with no calibration rows and no calibrated bucket in its (layer, head): keep everything. */
export const THETA_KEEP_ALL = -2147483648;

export interface CalibrationRow {
  layer: number;
  head: number;
  scores: readonly number[];
}

/**
 * The thresholds.json table. θ is clamped to thetaRange(o.scoreBits) (default: the widest, 32 bits),
 * the range the selector's loader clamps to, so a huge sigma gives the keep-nothing end, never a
 * θ beyond float64's integers or `null`.
 */
export function calibrate(rows: readonly CalibrationRow[], o: { k: number; sigma: number; buckets: readonly number[]; heads: number; layers: number; scoreBits?: number }): ThetaTable {
  const W = o.scoreBits ?? WIDEST_SCORE_BITS;
  const B = o.buckets.length;
  const cells: number[][][][] = Array.from({ length: o.layers }, () => Array.from({ length: o.heads }, () => Array.from({ length: B }, () => [] as number[])));
  for (const r of rows) {
    const th = rowThreshold(r.scores, o.k);
    if (th !== null) cells[r.layer][r.head][bucketOf(o.buckets, r.scores.length)].push(th);
  }
  const counts = cells.map((l) => l.map((h) => h.map((c) => c.length)));
  const theta = cells.map((l) =>
    l.map((h) => {
      const own = h.map((c) => (c.length ? clampThetaTo(W, Math.floor(aggregate(c, o.sigma))) : null));
      return own.map((v, b) => {
        if (v !== null) return v;
        // nearest calibrated bucket of the same (layer, head), a tie to the smaller n_i
        let best: number | null = null;
        for (let j = 0; j < B; j++) {
          if (own[j] === null) continue;
          if (best === null || Math.abs(o.buckets[j] - o.buckets[b]) < Math.abs(o.buckets[best] - o.buckets[b])) best = j;
        }
        return best === null ? clampThetaTo(W, THETA_KEEP_ALL) : (own[best] as number);
      });
    }),
  );
  return { k: o.k, buckets: [...o.buckets], theta, rows: counts, sigma: o.sigma };
}
