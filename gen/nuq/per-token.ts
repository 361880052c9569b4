/**
 * Per-token mode (README.md "Per-token mode", KVQuant's values): each token's thresholds, centre
 * and half-range come from its own D values at quantization time (trimmed order statistics, `trim`
 * from the codebook), one shared codebook; the golden model of the whole tensor. Written from the
 * README, not from any RTL.
 */
import type { FloatFormat } from '../../hdl/lib/float/format.ts';
import { fpAdd, fpDiv, fpFromNumber, fpFromUInt, fpIsInf, fpIsNaN, fpMul, fpSub, fpToNumber } from '../../hdl/lib/float/golden/index.ts';
import { midpoints, type Codebook } from './codebook.ts';
import { FLAG_OUTLIER, codesPerWord, dequantDense, quantizeElement, type ChannelTable } from './golden.ts';

/** trim = ⌊(f/2)·(D − 1)⌋: values cut from each end of a token's sorted values. */
export const trimOf = (f: number, D: number): number => Math.floor((f / 2) * (D - 1));

/** A token's statistics as patterns: lo, hi (zeros as +0), mid, half, rcp, and whether fl(hi ± lo) overflowed. */
export interface TokenStats {
  lo: number;
  hi: number;
  mid: number;
  half: number;
  rcp: number;
  overflow: boolean;
}

/** README "Per-token mode" steps 1-2 for one token's D patterns. */
export function tokenStats(f: FloatFormat, x: ArrayLike<number>, trim: number): TokenStats {
  const s: number[] = [];
  for (let i = 0; i < x.length; i++) if (!fpIsNaN(f, x[i]) && !fpIsInf(f, x[i])) s.push(fpToNumber(f, x[i]));
  const n = s.length;
  if (n === 0) return { lo: 0, hi: 0, mid: 0, half: 0, rcp: 0, overflow: false };
  s.sort((a, b) => a - b);
  const k = Math.min(trim, Math.floor((n - 1) / 2));
  const P = (v: number) => fpFromNumber(f, v === 0 ? 0 : v); // -0 as +0
  const lo = P(s[k]), hi = P(s[n - 1 - k]);
  const sum = fpAdd(f, hi, lo), diff = fpSub(f, hi, lo);
  const mid = fpMul(f, sum, fpFromNumber(f, 0.5));
  const half = fpMul(f, diff, fpFromNumber(f, 0.5));
  let rcp = fpDiv(f, fpFromUInt(f, 1), half);
  if (fpToNumber(f, half) === 0 || fpIsInf(f, rcp)) rcp = 0;
  return { lo, hi, mid, half, rcp, overflow: fpIsInf(f, sum) || fpIsInf(f, diff) };
}

/** The channel table of a token: its statistics with the shared centroid and midpoint patterns. */
export function tokenTable(st: TokenStats, cent: readonly number[], thr: readonly number[]): ChannelTable {
  return { lo: st.lo, hi: st.hi, mid: st.mid, half: st.half, rcp: st.rcp, cent: [...cent], thr: [...thr] };
}

/** The shared codebook's centroid and midpoint patterns. */
export function sharedPatterns(f: FloatFormat, cb: Codebook): { cent: number[]; thr: number[] } {
  const P = (v: number) => fpFromNumber(f, v);
  return { cent: cb.centroids[0].map(P), thr: midpoints(f, cb.centroids[0]).map(P) };
}

/** README "Per-token mode" packing: [T, ⌈D/⌊32/b⌋⌉] along channels per token, LSB first, zero padding. */
export function packPerToken(codes: Uint8Array, T: number, D: number, bits: number): { packed: Uint32Array; shape: [number, number] } {
  const per = codesPerWord(bits);
  const W = Math.ceil(D / per);
  const packed = new Uint32Array(T * W);
  for (let t = 0; t < T; t++) {
    for (let c = 0; c < D; c++) {
      const w = t * W + Math.floor(c / per);
      packed[w] = (packed[w] | (codes[t * D + c] << ((c % per) * bits))) >>> 0;
    }
  }
  return { packed, shape: [T, W] };
}

/** One token quantized: codes, flags, x̂ (outliers: their pattern), sparse triples, and (mid, half). */
export function quantizeToken(f: FloatFormat, x: ArrayLike<number>, trim: number, cent: readonly number[], thr: readonly number[], t: number) {
  const st = tokenStats(f, x, trim);
  const tb = tokenTable(st, cent, thr);
  const codes: number[] = [], flags: number[] = [], deq: number[] = [], sparse: number[] = [];
  for (let c = 0; c < x.length; c++) {
    const q = quantizeElement(f, x[c], tb);
    codes.push(q.code);
    flags.push(q.flags);
    const out = (q.flags & FLAG_OUTLIER) !== 0;
    deq.push(out ? x[c] : dequantDense(f, q.code, tb));
    if (out) sparse.push(t, c, x[c]);
  }
  return { codes, flags, deq, sparse, mid: st.mid, half: st.half };
}

/** Every output of README "Per-token mode" for x [T, D] (patterns); `scales` [T, 2]: mid, half patterns. */
export function nuqTensorPerToken(f: FloatFormat, cb: Codebook, x: Uint16Array) {
  const D = cb.channels;
  const T = x.length / D;
  const trim = cb.trim ?? 0;
  const codes = new Uint8Array(T * D), flags = new Uint8Array(T * D), dequant = new Uint16Array(T * D), scales = new Uint16Array(2 * T);
  const sparse: number[] = [];
  const { cent, thr } = sharedPatterns(f, cb);
  for (let t = 0; t < T; t++) {
    const r = quantizeToken(f, x.subarray(t * D, (t + 1) * D), trim, cent, thr, t);
    codes.set(r.codes, t * D);
    flags.set(r.flags, t * D);
    dequant.set(r.deq, t * D);
    sparse.push(...r.sparse);
    scales[2 * t] = r.mid;
    scales[2 * t + 1] = r.half;
  }
  const { packed, shape } = packPerToken(codes, T, D, cb.bits);
  return { T, codes, flags, outliers: Int32Array.from(sparse), outlierCount: sparse.length / 3, packed, packedShape: shape, dequant, scales };
}
