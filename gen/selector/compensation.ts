/**
 * Top-theta's compensations (README "Compensation reference"), float64, golden side: how well a
 * kept set approximates full softmax attention, with and without the corrections.
 *
 *   attention(scores, v, kept, opts) -> output row (length d)
 *
 * scores: the row's n logits (already scaled, as the selector sees them); v: n value vectors;
 * kept: kept indices. With `sdc`:
 *   'none'          p_i = exp(s_i - m) / D_kept                       (plain sparse softmax)
 *   'exact'         p_i = exp(s_i - m) / (D_kept + scale * sum_pruned exp(s_j - m))
 *   'exp-threshold' p_i = exp(s_i - m) / (D_kept + scale * pruned * exp(theta - m))
 * where m = max over all n scores and D_kept = sum_kept exp(s_i - m). With `vmc`, the lost
 * probability mass (1 - sum_kept p_i) is given to the mean of all n value rows (Top-theta's
 * V-mean compensation: the causal mean over rows 0..n-1 of the row's keys).
 */

export type Sdc = 'none' | 'exact' | 'exp-threshold';

export interface CompensationOptions {
  sdc?: Sdc;
  /** Top-theta's sdc_scale (default 1) */
  scale?: number;
  /** theta of the row (needed by 'exp-threshold') */
  theta?: number;
  /** V-mean compensation */
  vmc?: boolean;
}

/** Kept-set probabilities (index-aligned with `kept`) after softmax-denominator compensation. */
export function keptProbabilities(scores: readonly number[], kept: readonly number[], o: CompensationOptions = {}): number[] {
  const m = scores.reduce((a, b) => Math.max(a, b), -Infinity);
  const e = kept.map((i) => Math.exp(scores[i] - m));
  const dKept = e.reduce((a, b) => a + b, 0);
  const scale = o.scale ?? 1;
  let missing = 0;
  if (o.sdc === 'exact') {
    const keptSet = new Set(kept);
    scores.forEach((s, j) => {
      if (!keptSet.has(j)) missing += Math.exp(s - m);
    });
  } else if (o.sdc === 'exp-threshold') {
    if (o.theta === undefined) throw new Error("sdc 'exp-threshold' needs theta");
    missing = (scores.length - kept.length) * Math.exp(o.theta - m);
  }
  const d = dKept + scale * missing;
  return e.map((x) => x / d);
}

/** Full softmax attention of one row: sum_i softmax(s)_i v_i. */
export function fullAttention(scores: readonly number[], v: readonly (readonly number[])[]): number[] {
  const all = scores.map((_, i) => i);
  return weighted(v, all, keptProbabilities(scores, all));
}

/** Sparse attention over the kept set, with the chosen compensations. */
export function sparseAttention(scores: readonly number[], v: readonly (readonly number[])[], kept: readonly number[], o: CompensationOptions = {}): number[] {
  const p = keptProbabilities(scores, kept, o);
  const out = weighted(v, kept, p);
  if (o.vmc) {
    const lost = 1 - p.reduce((a, b) => a + b, 0);
    const n = scores.length;
    for (let c = 0; c < out.length; c++) {
      let mean = 0;
      for (let j = 0; j < n; j++) mean += v[j][c];
      out[c] += (lost * mean) / n;
    }
  }
  return out;
}

function weighted(v: readonly (readonly number[])[], idx: readonly number[], p: readonly number[]): number[] {
  const d = v[0]?.length ?? 0;
  const out = new Array<number>(d).fill(0);
  idx.forEach((i, t) => {
    for (let c = 0; c < d; c++) out[c] += p[t] * v[i][c];
  });
  return out;
}
