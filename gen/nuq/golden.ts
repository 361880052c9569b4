/**
 * nuq golden model (README.md "Quantization", "Dequantization", "Packing"), on 16-bit patterns
 * with the float library's golden functions. Written from the README, not from any RTL.
 */
import { canonicalNaN, type FloatFormat } from '../../hdl/lib/float/format.ts';
import { fpAdd, fpFromNumber, fpIsInf, fpIsNaN, fpLt, fpMul, fpSub, fpToNumber } from '../../hdl/lib/float/golden/index.ts';
import { centroidsOf, midpoints, type Codebook } from './codebook.ts';

export const FLAG_OUTLIER = 1;
export const FLAG_NAN = 2;
export const FLAG_INF = 4;

/** A channel's table in patterns: what the hardware stores. */
export interface ChannelTable {
  lo: number;
  hi: number;
  mid: number;
  half: number;
  rcp: number;
  /** Centroid patterns, ascending. */
  cent: number[];
  /** Midpoint patterns t_0 .. t_{K-2}. */
  thr: number[];
}

export function channelTables(f: FloatFormat, cb: Codebook): ChannelTable[] {
  const P = (v: number) => fpFromNumber(f, v);
  return Array.from({ length: cb.channels }, (_, c) => {
    const cs = centroidsOf(cb, c);
    return { lo: P(cb.lo[c]), hi: P(cb.hi[c]), mid: P(cb.mid[c]), half: P(cb.half[c]), rcp: P(cb.rcp[c]), cent: cs.map(P), thr: midpoints(f, cs).map(P) };
  });
}

/** Code of a finite value v of the channel: #{ j : fl(fl(v - mid) * rcp) > t_j }. */
export function nuqCode(f: FloatFormat, v: number, tb: ChannelTable): number {
  const u = fpMul(f, fpSub(f, v, tb.mid), tb.rcp);
  let code = 0;
  for (const t of tb.thr) if (fpLt(f, t, u)) code++;
  return code;
}

/** Quantization of one element: code, flags (outlier is flags & FLAG_OUTLIER). */
export function quantizeElement(f: FloatFormat, x: number, tb: ChannelTable): { code: number; flags: number } {
  if (fpIsNaN(f, x)) return { code: 0, flags: FLAG_OUTLIER | FLAG_NAN };
  const inf = fpIsInf(f, x) ? FLAG_INF : 0;
  if (fpLt(f, x, tb.lo)) return { code: nuqCode(f, tb.lo, tb), flags: FLAG_OUTLIER | inf };
  if (fpLt(f, tb.hi, x)) return { code: nuqCode(f, tb.hi, tb), flags: FLAG_OUTLIER | inf };
  return { code: nuqCode(f, x, tb), flags: inf };
}

/** x̂ of a dense code: fl(fl(c[code] * half) + mid), NaN canonical. */
export function dequantDense(f: FloatFormat, code: number, tb: ChannelTable): number {
  const r = fpAdd(f, fpMul(f, tb.cent[code], tb.half), tb.mid);
  return fpIsNaN(f, r) ? canonicalNaN(f) : r;
}

export interface NuqTensor {
  T: number;
  codes: Uint8Array;
  flags: Uint8Array;
  /** [count, 3] row-major: token, channel, pattern. */
  outliers: Int32Array;
  outlierCount: number;
  packed: Uint32Array;
  packedShape: [number, number];
  dequant: Uint16Array;
}

/** Codes per uint32 word: floor(32 / b). */
export const codesPerWord = (bits: number): number => Math.floor(32 / bits);

/** README "Packing": [D, ceil(T / per)] along tokens, LSB first, zero padding. */
export function packNuq(codes: Uint8Array, T: number, D: number, bits: number): { packed: Uint32Array; shape: [number, number] } {
  const per = codesPerWord(bits);
  const W = Math.ceil(T / per);
  const packed = new Uint32Array(D * W);
  for (let c = 0; c < D; c++) {
    for (let t = 0; t < T; t++) {
      const w = Math.floor(t / per);
      const k = t % per;
      packed[c * W + w] = (packed[c * W + w] | (codes[t * D + c] << (k * bits))) >>> 0;
    }
  }
  return { packed, shape: [D, W] };
}

/** Dequantization of a whole tensor from codes and the sparse list (README "Dequantization"). */
export function dequantNuq(f: FloatFormat, tables: readonly ChannelTable[], codes: Uint8Array, T: number, outliers: Int32Array): Uint16Array {
  const D = tables.length;
  const out = new Uint16Array(T * D);
  for (let t = 0; t < T; t++) for (let c = 0; c < D; c++) out[t * D + c] = dequantDense(f, codes[t * D + c], tables[c]);
  for (let k = 0; k < outliers.length; k += 3) out[outliers[k] * D + outliers[k + 1]] = outliers[k + 2];
  return out;
}

/** Every output of README "Files" for x [T, D] (patterns) and a validated codebook. */
export function nuqTensor(f: FloatFormat, cb: Codebook, x: Uint16Array): NuqTensor {
  const D = cb.channels;
  const T = x.length / D;
  const tables = channelTables(f, cb);
  const codes = new Uint8Array(T * D);
  const flags = new Uint8Array(T * D);
  const sparse: number[] = [];
  for (let t = 0; t < T; t++) {
    for (let c = 0; c < D; c++) {
      const i = t * D + c;
      const q = quantizeElement(f, x[i], tables[c]);
      codes[i] = q.code;
      flags[i] = q.flags;
      if (q.flags & FLAG_OUTLIER) sparse.push(t, c, x[i]);
    }
  }
  const outliers = Int32Array.from(sparse);
  const { packed, shape } = packNuq(codes, T, D, cb.bits);
  return { T, codes, flags, outliers, outlierCount: sparse.length / 3, packed, packedShape: shape, dequant: dequantNuq(f, tables, codes, T, outliers) };
}

/** report.json facts: outlier count and fraction, relative MSE over finite inputs. */
export function nuqReport(f: FloatFormat, x: Uint16Array, q: NuqTensor): { outliers: number; outlierFraction: number; relMse: number | null } {
  let num = 0, den = 0;
  for (let i = 0; i < x.length; i++) {
    if (fpIsNaN(f, x[i]) || fpIsInf(f, x[i])) continue;
    const v = fpToNumber(f, x[i]);
    const e = fpToNumber(f, q.dequant[i]) - v;
    num += e * e;
    den += v * v;
  }
  return { outliers: q.outlierCount, outlierFraction: x.length ? q.outlierCount / x.length : 0, relMse: den > 0 ? num / den : null };
}
