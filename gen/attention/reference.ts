/**
 * float64 references for the attention engine (README.md §7): (a) dense attention over the original
 * fp16 K and V, (b) attention over the dequantized cache restricted to the kept set; and the
 * accuracy metrics (cosine similarity, relative L2, max abs error).
 */
import { fpToNumber } from '../../hdl/lib/float/golden/index.ts';
import { attentionFormat, type AttentionConfig } from './config.ts';
import type { AttentionCache } from './cache.ts';

/** softmax(q·k_t/√D) over `tokens`, weighted sum of rows of `vals` (float64). */
export function attention64(q: readonly number[], keys: (t: number) => readonly number[], vals: (t: number) => readonly number[], tokens: readonly number[]): number[] {
  const D = q.length;
  const out = new Array<number>(D).fill(0);
  if (tokens.length === 0) return out;
  const s = tokens.map((t) => keys(t).reduce((a, x, d) => a + x * q[d], 0) / Math.sqrt(D));
  const m = Math.max(...s);
  const p = s.map((x) => Math.exp(x - m));
  const den = p.reduce((a, b) => a + b, 0);
  tokens.forEach((t, i) => vals(t).forEach((x, d) => (out[d] += (p[i] * x) / den)));
  return out;
}

/** Row t of a [*, D] pattern array as numbers. */
function rowOf(cfg: AttentionConfig, a: ArrayLike<number>, t: number): number[] {
  const f = attentionFormat(cfg);
  return Array.from({ length: cfg.dims }, (_, d) => fpToNumber(f, a[t * cfg.dims + d]));
}

/** (a): dense float64 attention over the original K, V. */
export function referenceDense(cfg: AttentionConfig, q: ArrayLike<number>, k: ArrayLike<number>, v: ArrayLike<number>): number[] {
  const n = k.length / cfg.dims;
  const qq = rowOf(cfg, q, 0);
  return attention64(qq, (t) => rowOf(cfg, k, t), (t) => rowOf(cfg, v, t), Array.from({ length: n }, (_, t) => t));
}

/** (b): float64 attention over the dequantized cache (k̂, v̂; residual raw), kept tokens only. */
export function referenceKept(cfg: AttentionConfig, cache: AttentionCache, q: ArrayLike<number>, kept: ArrayLike<number>): number[] {
  const khat = (t: number) => (t < cache.Tk ? rowOf(cfg, cache.keys.dequant, t) : rowOf(cfg, cache.keys.residual, t - cache.Tk));
  const vhat = (t: number) => (t < cache.Tv ? rowOf(cfg, cache.values.dequant, t) : rowOf(cfg, cache.values.residual, t - cache.Tv));
  const tokens: number[] = [];
  for (let t = 0; t < cache.n; t++) if (kept[t]) tokens.push(t);
  return attention64(rowOf(cfg, q, 0), khat, vhat, tokens);
}

export interface Accuracy {
  cosine: number;
  relL2: number;
  maxAbs: number;
}

export function accuracy(out: readonly number[], ref: readonly number[]): Accuracy {
  let dot = 0;
  let no = 0;
  let nr = 0;
  let err = 0;
  let maxAbs = 0;
  out.forEach((x, d) => {
    dot += x * ref[d];
    no += x * x;
    nr += ref[d] * ref[d];
    err += (x - ref[d]) ** 2;
    maxAbs = Math.max(maxAbs, Math.abs(x - ref[d]));
  });
  const cosine = no === 0 && nr === 0 ? 1 : dot / Math.sqrt(no * nr);
  return { cosine, relL2: nr === 0 ? Math.sqrt(err) : Math.sqrt(err / nr), maxAbs };
}
