/**
 * NUQ calibration (README.md "Calibration"): per-channel quantile thresholds, mid / half / rcp in
 * the format, the inliers normalised as the hardware does, and deterministic k-means codebooks.
 */
import type { FloatFormat } from '../../hdl/lib/float/format.ts';
import { fpAdd, fpDiv, fpFromNumber, fpFromUInt, fpIsInf, fpIsNaN, fpMul, fpSub, fpToNumber } from '../../hdl/lib/float/golden/index.ts';
import { CODEBOOK_KIND, type Codebook } from './codebook.ts';
import { kmeans1d, type KmeansPoints } from './kmeans.ts';
import { tokenStats, trimOf } from './per-token.ts';

export interface CalibrateOptions {
  bits: number;
  /** f in [0, 0.5): the fraction of each channel's values left outside the thresholds. */
  outlierFraction: number;
  /** Per-element weights [T, D] (finite, >= 0); absent: all 1. */
  weights?: Float64Array;
  /** One codebook for all channels. */
  shared: boolean;
}

export interface ChannelStats {
  lo: number;
  hi: number;
  mid: number;
  half: number;
  rcp: number;
}

/** Steps 1-2 for one channel's finite values (numbers): thresholds, mid, half, rcp (as numbers). */
export function channelStats(f: FloatFormat, values: readonly number[], frac: number, c: number): ChannelStats {
  const s = [...values].sort((a, b) => a - b);
  const n = s.length;
  if (n === 0) throw new Error(`channel ${c} has no finite value to calibrate`);
  const k = Math.floor((frac / 2) * (n - 1));
  const P = (v: number) => fpFromNumber(f, v);
  const loP = P(s[k]), hiP = P(s[n - 1 - k]);
  const half2 = P(0.5);
  const sum = fpAdd(f, hiP, loP), diff = fpSub(f, hiP, loP);
  if (fpIsInf(f, sum) || fpIsInf(f, diff)) throw new Error(`channel ${c}: fl(hi + lo) or fl(hi - lo) overflows (lo = ${s[k]}, hi = ${s[n - 1 - k]})`);
  const mid = fpMul(f, sum, half2);
  const half = fpMul(f, diff, half2);
  let rcp = fpDiv(f, fpFromUInt(f, 1), half);
  if (fpToNumber(f, half) === 0 || fpIsInf(f, rcp)) rcp = 0;
  const N = (p: number) => {
    const v = fpToNumber(f, p);
    return v === 0 ? 0 : v;
  };
  return { lo: N(loP), hi: N(hiP), mid: N(mid), half: N(half), rcp: N(rcp) };
}

/** The hardware normalisation u = fl(fl(v - mid) * rcp) of a finite value (numbers in, number out). */
export function normalise(f: FloatFormat, v: number, st: ChannelStats): number {
  const P = (x: number) => fpFromNumber(f, x);
  return fpToNumber(f, fpMul(f, fpSub(f, P(v), P(st.mid)), P(st.rcp)));
}

/** Step 4 on prepared problems: each one's points sorted by u (stable: ties keep element order), then k-means. */
function solve(f: FloatFormat, problems: { u: number; w: number }[][], K: number): { centroids: number[][]; iterations: number[]; samples: number[] } {
  const centroids: number[][] = [];
  const iterations: number[] = [];
  const samples: number[] = [];
  for (const pts of problems) {
    pts.sort((a, b) => a.u - b.u);
    const p: KmeansPoints = { u: Float64Array.from(pts, (q) => q.u), w: Float64Array.from(pts, (q) => q.w) };
    const r = kmeans1d(f, p, K);
    centroids.push(r.centroids);
    iterations.push(r.iterations);
    samples.push(pts.length);
  }
  return { centroids, iterations, samples };
}

/**
 * README "Per-token mode" calibration: each token's statistics (trim = ⌊(f/2)·(D − 1)⌋), its
 * inliers normalised with them, one k-means problem over every token's inliers.
 */
export function calibrateNuqPerToken(f: FloatFormat, x: Uint16Array, T: number, D: number, o: CalibrateOptions): Codebook {
  const trim = trimOf(o.outlierFraction, D);
  const pts: { u: number; w: number }[] = [];
  for (let t = 0; t < T; t++) {
    const st = tokenStats(f, x.subarray(t * D, (t + 1) * D), trim);
    if (st.overflow) throw new Error(`token ${t}: fl(hi + lo) or fl(hi - lo) overflows (lo = ${fpToNumber(f, st.lo)}, hi = ${fpToNumber(f, st.hi)})`);
    const lo = fpToNumber(f, st.lo), hi = fpToNumber(f, st.hi);
    for (let c = 0; c < D; c++) {
      const i = t * D + c;
      if (fpIsNaN(f, x[i]) || fpIsInf(f, x[i])) continue;
      const v = fpToNumber(f, x[i]);
      if (v < lo || v > hi) continue;
      pts.push({ u: fpToNumber(f, fpMul(f, fpSub(f, x[i], st.mid), st.rcp)), w: o.weights ? o.weights[i] : 1 });
    }
  }
  if (pts.length === 0) throw new Error('no finite value to calibrate');
  const r = solve(f, [pts], 2 ** o.bits);
  return {
    kind: CODEBOOK_KIND, format: f.name as 'fp16' | 'bf16', bits: o.bits, channels: D, mode: 'per-token', outlierFraction: o.outlierFraction, trim, shared: true,
    lo: [], hi: [], mid: [], half: [], rcp: [], ...r,
  };
}

/** The codebook of x [T, D] (patterns of the format). Throws one-line Errors on bad data. */
export function calibrateNuq(f: FloatFormat, x: Uint16Array, T: number, D: number, o: CalibrateOptions): Codebook {
  const K = 2 ** o.bits;
  const val = (i: number) => fpToNumber(f, x[i]);
  const finite = (i: number) => !fpIsNaN(f, x[i]) && !fpIsInf(f, x[i]);
  const stats: ChannelStats[] = [];
  for (let c = 0; c < D; c++) {
    const v: number[] = [];
    for (let t = 0; t < T; t++) if (finite(t * D + c)) v.push(val(t * D + c));
    stats.push(channelStats(f, v, o.outlierFraction, c));
  }
  // inlier points per problem, in element (row-major) order, then sorted by u (stable)
  const problems: { u: number; w: number }[][] = Array.from({ length: o.shared ? 1 : D }, () => []);
  for (let t = 0; t < T; t++) {
    for (let c = 0; c < D; c++) {
      const i = t * D + c;
      if (!finite(i)) continue;
      const v = val(i);
      const st = stats[c];
      if (v < st.lo || v > st.hi) continue;
      problems[o.shared ? 0 : c].push({ u: normalise(f, v, st), w: o.weights ? o.weights[i] : 1 });
    }
  }
  const { centroids, iterations, samples } = solve(f, problems, K);
  return {
    kind: CODEBOOK_KIND, format: f.name as 'fp16' | 'bf16', bits: o.bits, channels: D, mode: 'per-channel', outlierFraction: o.outlierFraction, shared: o.shared,
    lo: stats.map((s) => s.lo), hi: stats.map((s) => s.hi), mid: stats.map((s) => s.mid), half: stats.map((s) => s.half), rcp: stats.map((s) => s.rcp),
    centroids, iterations, samples,
  };
}
