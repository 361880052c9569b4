/**
 * Seeded bench data for the attention engine with the structure KIVI observed in real KV caches:
 *
 * - keys: per-channel offsets and spreads, a few outlier channels about 10x larger (per channel,
 *   which is why KIVI quantizes keys per channel); a shared "topic" direction u;
 * - values: no channel structure, a per-token spread;
 * - queries (the rows of one GQA group): mostly along u, with weight on the outlier channels;
 * - logits: a sink at token 0 and a recent window that dominate, and a heavy-tailed rest
 *   (Student-t alignment of each key with u).
 *
 * Everything is plain double arithmetic on a seeded xoshiro stream, rounded once to fp16.
 */
import { Rng } from '../../data/rng.ts';
import { fpFromNumber } from '../../hdl/lib/float/golden/index.ts';
import { FP16 } from '../../hdl/lib/float/format.ts';

export interface AttentionData {
  rows: number;
  n: number;
  D: number;
  /** fp16 patterns, row-major [rows, D], [n, D], [n, D]. */
  q: Uint16Array;
  k: Uint16Array;
  v: Uint16Array;
}

export interface SyntheticAttentionOptions {
  rows: number;
  n: number;
  D: number;
  seed: number;
  /** Outlier key channels (default max(1, D/32)). */
  outliers?: number;
  /** Recent tokens with raised logits (default 64). */
  window?: number;
  /** Logit scale of the heavy-tailed rest (default 0.8). */
  temperature?: number;
}

function gauss(r: Rng): number {
  const u = Math.max(r.float(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r.float());
}

function studentT3(r: Rng): number {
  const chi = gauss(r) ** 2 + gauss(r) ** 2 + gauss(r) ** 2;
  return gauss(r) / Math.sqrt(chi / 3);
}

export function syntheticAttention(o: SyntheticAttentionOptions): AttentionData {
  const { rows, n, D } = o;
  const r = new Rng(o.seed);
  const nOut = o.outliers ?? Math.max(1, Math.floor(D / 32));
  const win = o.window ?? 64;
  const temp = o.temperature ?? 0.8;
  const outlier = new Set(r.shuffle(Array.from({ length: D }, (_, i) => i)).slice(0, nOut));
  const offset = Array.from({ length: D }, (_, d) => (outlier.has(d) ? 10 : 1) * 0.8 * gauss(r));
  const spread = Array.from({ length: D }, (_, d) => (outlier.has(d) ? 10 : 1) * (0.5 + 0.5 * r.float()));
  // topic direction (unit norm) outside the outlier channels
  const u0 = Array.from({ length: D }, (_, d) => (outlier.has(d) ? 0 : gauss(r)));
  const un = Math.sqrt(u0.reduce((s, x) => s + x * x, 0));
  const u = u0.map((x) => x / un);
  const q = new Uint16Array(rows * D);
  for (let i = 0; i < rows; i++) {
    const row = Array.from({ length: D }, (_, d) => 2.5 * u[d] * Math.sqrt(D) * 0.5 + 0.4 * gauss(r) + (outlier.has(d) ? 0.15 * gauss(r) : 0));
    row.forEach((x, d) => (q[i * D + d] = fpFromNumber(FP16, x)));
  }
  // q.u ~ 1.25 sqrt(D), so a key's alignment a with u adds about 1.25 * 0.8 * a = a to its logit q.k/sqrt(D)
  const k = new Uint16Array(n * D);
  const v = new Uint16Array(n * D);
  for (let t = 0; t < n; t++) {
    let a = temp * Math.max(-8, Math.min(8, studentT3(r)));
    if (t === 0) a += 12;
    if (t >= n - win) a += 4 + 0.5 * gauss(r);
    for (let d = 0; d < D; d++) {
      const x = offset[d] + spread[d] * gauss(r) + 0.8 * a * u[d];
      k[t * D + d] = fpFromNumber(FP16, x);
    }
    const s = 0.3 + 0.7 * r.float();
    for (let d = 0; d < D; d++) v[t * D + d] = fpFromNumber(FP16, s * gauss(r));
  }
  return { rows, n, D, q, k, v };
}
