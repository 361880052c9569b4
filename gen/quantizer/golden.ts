/**
 * quantizer golden model on whole tensors: KIVI asymmetric group quantization exactly as
 * README.md "Arithmetic" states it, on 16-bit patterns, with the float library's golden functions
 * (hdl/lib/float/golden/: one shared round-to-nearest-even, subnormals kept).
 */
import { canonicalNaN, type FloatFormat } from '../../hdl/lib/float/format.ts';
import { fpAdd, fpDiv, fpFromUInt, fpIsInf, fpIsNaN, fpLt, fpMul, fpSub, fpToUIntSat } from '../../hdl/lib/float/golden/index.ts';
import { quantizerFormat, type QuantizerConfig } from './config.ts';

/** Per-group flag bits (flags.npy, the RTL's `grp_flags`); see README.md "Flags". */
export const FLAG_NAN = 1;
export const FLAG_INF = 2;
export const FLAG_RANGE_OVF = 4;
export const FLAG_ZERO_SCALE = 8;
/** Any of these: the group is not quantized (codes 0, scale = min = NaN, x̂ = NaN). */
export const FLAG_INVALID = FLAG_NAN | FLAG_INF | FLAG_RANGE_OVF;

export interface GroupResult {
  codes: number[];
  scale: number;
  min: number;
  flags: number;
}

/** Quantizes one group (values in group order: channels per token, tokens per channel). */
export function quantizeGroup(f: FloatFormat, bits: number, values: readonly number[]): GroupResult {
  const n = values.length;
  let flags = 0;
  for (const v of values) {
    if (fpIsNaN(f, v)) flags |= FLAG_NAN;
    else if (fpIsInf(f, v)) flags |= FLAG_INF;
  }
  // Left fold with strict comparisons: ties (including -0 vs +0) keep the earlier element.
  let mn = values[0];
  let mx = values[0];
  if (flags === 0) {
    for (let i = 1; i < n; i++) {
      if (fpLt(f, values[i], mn)) mn = values[i];
      if (fpLt(f, mx, values[i])) mx = values[i];
    }
  }
  const range = flags === 0 ? fpSub(f, mx, mn) : 0;
  if (flags === 0 && fpIsInf(f, range)) flags |= FLAG_RANGE_OVF;
  const codes = new Array<number>(n).fill(0);
  if (flags !== 0) {
    const nan = canonicalNaN(f);
    return { codes, scale: nan, min: nan, flags };
  }
  const maxCode = 2 ** bits - 1;
  const scale = fpDiv(f, range, fpFromUInt(f, maxCode));
  if (scale === 0) return { codes, scale, min: mn, flags: FLAG_ZERO_SCALE };
  for (let i = 0; i < n; i++) {
    const d = fpSub(f, values[i], mn);
    const t = fpDiv(f, d, scale);
    codes[i] = fpToUIntSat(f, t, bits); // round half even, then min(·, 2^b − 1)
  }
  return { codes, scale, min: mn, flags };
}

/**
 * x̂ of one code (README.md "Arithmetic", step 7): fl(fl(code · scale) + min) for every group, as
 * the dequantizer unit computes it from codes, scale and min alone. Invalid groups (scale = min =
 * NaN) give the canonical NaN; zero-scale groups (codes 0, scale +0) give fl(+0 + min) = min, with
 * −0 becoming +0.
 */
export function dequantValue(f: FloatFormat, code: number, scale: number, min: number): number {
  return fpAdd(f, fpMul(f, fpFromUInt(f, code), scale), min);
}

/**
 * Packs b-bit codes LSB-first into uint32 words, 32/b codes per word. `codes` is a row-major
 * [rows, cols] array. along 'cols': words run along each row, result [rows, cols·b/32];
 * along 'rows': words run down each column, result [cols, rows·b/32] (the transposed layout).
 * Code k of a word sits in bits [k·b, k·b + b).
 */
export function packCodes(codes: Uint8Array, rows: number, cols: number, bits: number, along: 'cols' | 'rows'): Uint32Array {
  if (codes.length !== rows * cols) throw new RangeError(`packCodes: ${codes.length} codes for [${rows}, ${cols}]`);
  const per = 32 / bits;
  const [outer, inner] = along === 'cols' ? [rows, cols] : [cols, rows];
  if (inner % per !== 0) throw new RangeError(`packCodes: ${inner} codes along the packing axis is not a multiple of 32/${bits} = ${per}`);
  const wordsPerRow = inner / per;
  const out = new Uint32Array(outer * wordsPerRow);
  const mask = 2 ** bits - 1;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const c = along === 'cols' ? codes[o * cols + i] : codes[i * cols + o];
      if (c > mask) throw new RangeError(`packCodes: code ${c} does not fit ${bits} bits`);
      const w = o * wordsPerRow + Math.floor(i / per);
      out[w] = (out[w] | (c << ((i % per) * bits))) >>> 0;
    }
  }
  return out;
}

export interface QuantizedTensor {
  /** Input tokens T and quantized tokens Tq (the first Tq rows of x). */
  T: number;
  Tq: number;
  /** [Tq, D] codes. */
  codes: Uint8Array;
  /** Shape of scale/min/flags: [Tq, D/G] per-token, [Tq/G, D] per-channel. */
  groupShape: [number, number];
  scale: Uint16Array;
  min: Uint16Array;
  flags: Uint8Array;
  /** [Tq, D·b/32] per-token, [D, Tq·b/32] per-channel. */
  packed: Uint32Array;
  packedShape: [number, number];
  /** [T − Tq, D]: the last T − Tq input rows, unchanged. */
  residual: Uint16Array;
  /** [Tq, D] x̂. */
  dequant: Uint16Array;
}

/** Tokens quantized out of T (README.md "Modes"). */
export function quantizedTokens(cfg: QuantizerConfig, T: number): number {
  if (cfg.mode === 'per-token') return Math.max(0, T - cfg.residual);
  return Math.floor(T / cfg.residual) * cfg.residual;
}

/**
 * The flat indices into a row-major [T, D] tensor of each group of the first Tq tokens, in group
 * order, together with the group's flat index into the [rows, cols] scale/min/flags arrays.
 */
export function* groupsOf(cfg: QuantizerConfig, Tq: number): Generator<{ at: number; idx: number[] }> {
  const { channels: D, groupSize: G } = cfg;
  if (cfg.mode === 'per-token') {
    const ng = D / G;
    for (let t = 0; t < Tq; t++) {
      for (let g = 0; g < ng; g++) yield { at: t * ng + g, idx: Array.from({ length: G }, (_, k) => t * D + g * G + k) };
    }
  } else {
    for (let r = 0; r < Tq / G; r++) {
      for (let c = 0; c < D; c++) yield { at: r * D + c, idx: Array.from({ length: G }, (_, k) => (r * G + k) * D + c) };
    }
  }
}

/** KIVI quantization of a whole [T, D] tensor of patterns (row-major), per README.md. */
export function quantizeTensor(cfg: QuantizerConfig, x: Uint16Array): QuantizedTensor {
  const f = quantizerFormat(cfg);
  const D = cfg.channels;
  const G = cfg.groupSize;
  if (x.length % D !== 0) throw new RangeError(`quantizeTensor: ${x.length} values is not a whole number of ${D}-channel tokens`);
  const T = x.length / D;
  const Tq = quantizedTokens(cfg, T);
  const groupShape: [number, number] = cfg.mode === 'per-token' ? [Tq, D / G] : [Tq / G, D];
  const ngroups = groupShape[0] * groupShape[1];
  const codes = new Uint8Array(Tq * D);
  const dequant = new Uint16Array(Tq * D);
  const scale = new Uint16Array(ngroups);
  const min = new Uint16Array(ngroups);
  const flags = new Uint8Array(ngroups);
  for (const { at, idx } of groupsOf(cfg, Tq)) {
    const r = quantizeGroup(f, cfg.bits, idx.map((i) => x[i]));
    scale[at] = r.scale;
    min[at] = r.min;
    flags[at] = r.flags;
    idx.forEach((i, k) => {
      codes[i] = r.codes[k];
      dequant[i] = dequantValue(f, r.codes[k], r.scale, r.min);
    });
  }
  const packed = cfg.mode === 'per-token' ? packCodes(codes, Tq, D, cfg.bits, 'cols') : packCodes(codes, Tq, D, cfg.bits, 'rows');
  const packedShape: [number, number] = cfg.mode === 'per-token' ? [Tq, (D * cfg.bits) / 32] : [D, (Tq * cfg.bits) / 32];
  return { T, Tq, codes, groupShape, scale, min, flags, packed, packedShape, residual: x.slice(Tq * D), dequant };
}
