/**
 * Heavy-tailed synthetic keys for nuq tests and benchmarks: the quantizer's outlier-channel keys
 * (per-channel offset and spread, a few channels 24x larger) with Student-t noise of 3 degrees of
 * freedom (a normal over the root of a chi-square / 3) instead of normal noise.
 */
import { Rng } from '../../data/rng.ts';
import type { FloatFormat } from '../../hdl/lib/float/format.ts';
import { fpFromNumber } from '../../hdl/lib/float/golden/index.ts';

/** Approximately standard normal (Irwin-Hall of 12 uniforms, as gen/quantizer/synthetic.ts). */
function normal(r: Rng): number {
  let s = 0;
  for (let i = 0; i < 12; i++) s += r.float();
  return s - 6;
}

/** Student-t(3)-like: normal / sqrt((n1^2 + n2^2 + n3^2) / 3). */
export function studentT3(r: Rng): number {
  const z = normal(r);
  let c = 0;
  for (let i = 0; i < 3; i++) c += normal(r) ** 2;
  return z / Math.sqrt(Math.max(c, 1e-6) / 3);
}

/** Keys [T, D] with outlier channels (fraction 1/32, at least one) and heavy-tailed noise. */
export function heavyTailedKeys(f: FloatFormat, T: number, D: number, seed: number): Uint16Array {
  const r = new Rng(seed);
  const nOut = Math.max(1, Math.round(D / 32));
  const outliers = new Set(r.shuffle(Array.from({ length: D }, (_, i) => i)).slice(0, nOut));
  const offset = Array.from({ length: D }, (_, c) => (outliers.has(c) ? 24 * (r.chance(0.5) ? 1 : -1) * (1 + r.float()) : 0.5 * normal(r)));
  const spread = Array.from({ length: D }, (_, c) => (outliers.has(c) ? 6 : 0.3 + r.float()));
  const x = new Uint16Array(T * D);
  for (let t = 0; t < T; t++) for (let c = 0; c < D; c++) x[t * D + c] = fpFromNumber(f, offset[c] + spread[c] * studentT3(r));
  return x;
}
