/**
 * Synthetic attention-score rows with realistic shapes, for the benchmark and tests: heavy-tailed
 * logits (Student-t with 3 degrees of freedom), an attention sink at index 0, a local window of
 * raised scores before the query, and a per-head temperature; quantized to W-bit integers.
 */
import { Rng } from '../../data/rng.ts';

export interface SyntheticRows {
  scores: number[][];
  lengths: number[];
  heads: number[];
  layers: number[];
}

function gauss(r: Rng): number {
  const u = Math.max(r.float(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r.float());
}

/** Student-t (3 dof): heavy tails. */
function studentT3(r: Rng): number {
  const z = gauss(r);
  const chi = gauss(r) ** 2 + gauss(r) ** 2 + gauss(r) ** 2;
  return z / Math.sqrt(chi / 3);
}

export interface SyntheticOptions {
  rows: number;
  scoreBits: number;
  minLen: number;
  maxLen: number;
  heads: number;
  layers: number;
  /** local window length (default 16) */
  window?: number;
  seed?: number;
}

/** Rows of integer scores in [-2^(W-1), 2^(W-1) - 1]; one logit unit = 2^(W-5) counts. */
export function syntheticRows(o: SyntheticOptions): SyntheticRows {
  const r = new Rng(o.seed ?? 1);
  const lo = -(2 ** (o.scoreBits - 1));
  const hi = 2 ** (o.scoreBits - 1) - 1;
  const unit = 2 ** Math.max(0, o.scoreBits - 5);
  const win = o.window ?? 16;
  const out: SyntheticRows = { scores: [], lengths: [], heads: [], layers: [] };
  for (let i = 0; i < o.rows; i++) {
    const head = r.int(0, o.heads - 1);
    const layer = r.int(0, o.layers - 1);
    const n = r.int(o.minLen, o.maxLen);
    const temp = 0.6 + 0.3 * ((head * 7 + layer * 3) % 5); // heads differ in sharpness
    const s = Array.from({ length: n }, (_, j) => {
      let x = temp * studentT3(r);
      if (j === 0) x += 5; // sink
      if (j >= n - win) x += 2 + 0.5 * gauss(r); // local window
      return Math.min(hi, Math.max(lo, Math.round(x * unit)));
    });
    out.scores.push(s);
    out.lengths.push(n);
    out.heads.push(head);
    out.layers.push(layer);
  }
  return out;
}
