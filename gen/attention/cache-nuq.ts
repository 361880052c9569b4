/**
 * NUQ values of the attention cache (README.md §1 "Values with valueQuant nuq"): the values
 * t < Tv quantized by gen/nuq's per-token golden model (KVQuant's values: each token's trimmed
 * statistics, one shared codebook), dequantized x̂ = fl(fl(c[code]·half_t) + mid_t), outliers
 * restored exactly. Uses gen/nuq's exported golden arithmetic; nothing here re-implements it.
 */
import { fpFromNumber } from '../../hdl/lib/float/golden/index.ts';
import { parseCodebook, type Codebook } from '../nuq/codebook.ts';
import { FLAG_OUTLIER, dequantDense } from '../nuq/golden.ts';
import { nuqTensorPerToken } from '../nuq/per-token.ts';
import type { QuantizedTensor } from '../quantizer/golden.ts';
import { attentionFormat, type AttentionConfig } from './config.ts';

/** The per-token part of a NUQ value cache: what the image holds besides the codes. */
export interface NuqValues {
  /** the shared centroid patterns (K = 2^b_v), ascending */
  cent: number[];
  /** per token t < Tv: mid_t, half_t patterns */
  mid: Uint16Array;
  half: Uint16Array;
  /** per token t < Tv: its outliers (channel, pattern), channels ascending; at most 2·trim */
  outliers: [number, number][][];
}

/** The CLI's `--value-codebook` object for a config (one-line errors). */
export function valueCodebook(cfg: AttentionConfig, json: unknown): Codebook {
  const cb = parseCodebook(json, { format: cfg.format, bits: cfg.valueBits, channels: cfg.dims, mode: 'per-token' });
  const trim = cb.trim ?? 0;
  if (trim > cfg.valueTrimMax) throw new Error(`codebook: trim is ${trim}, the config's valueTrimMax is ${cfg.valueTrimMax} (the image holds 2*valueTrimMax outlier slots per token)`);
  return cb;
}

/** The shared centroids as format patterns. */
export function centroidPatterns(cfg: AttentionConfig, cb: Codebook): number[] {
  const f = attentionFormat(cfg);
  return cb.centroids[0].map((c) => fpFromNumber(f, c));
}

/** Quantizes the values t < Tv of v ([n, D] patterns) with gen/nuq's per-token golden model. */
export function nuqValueCache(cfg: AttentionConfig, v: Uint16Array, cb: Codebook, Tv: number): { values: QuantizedTensor; nuq: NuqValues } {
  const f = attentionFormat(cfg);
  const D = cfg.dims;
  const n = v.length / D;
  const q = nuqTensorPerToken(f, cb, v.subarray(0, Tv * D));
  const outliers: [number, number][][] = Array.from({ length: Tv }, () => []);
  for (let t = 0; t < Tv; t++) for (let c = 0; c < D; c++) if (q.flags[t * D + c] & FLAG_OUTLIER) outliers[t].push([c, v[t * D + c]]);
  const mid = new Uint16Array(Tv), half = new Uint16Array(Tv);
  for (let t = 0; t < Tv; t++) {
    mid[t] = q.scales[2 * t];
    half[t] = q.scales[2 * t + 1];
  }
  const values = {
    T: n, Tq: Tv, codes: q.codes, groupShape: [Tv, 0], scale: new Uint16Array(0), min: new Uint16Array(0), flags: new Uint8Array(0),
    packed: q.packed, packedShape: q.packedShape, residual: v.slice(Tv * D), dequant: q.dequant,
  } as QuantizedTensor;
  return { values, nuq: { cent: centroidPatterns(cfg, cb), mid, half, outliers } };
}

/**
 * x̂ of a NUQ value cache from its image fields (README §1): fl(fl(c[code]·half_t) + mid_t) for every
 * channel, then the token's outliers replace their channels' values.
 */
export function nuqDequant(cfg: AttentionConfig, codes: Uint8Array, nv: NuqValues): Uint16Array {
  const f = attentionFormat(cfg);
  const D = cfg.dims;
  const Tv = nv.mid.length;
  const out = new Uint16Array(Tv * D);
  for (let t = 0; t < Tv; t++) {
    const tb = { lo: 0, hi: 0, rcp: 0, thr: [], mid: nv.mid[t], half: nv.half[t], cent: nv.cent };
    for (let c = 0; c < D; c++) out[t * D + c] = dequantDense(f, codes[t * D + c], tb);
    // a slot naming a channel ≥ D is unused; of two slots naming one channel the first wins
    for (const [c, x] of [...nv.outliers[t]].reverse()) if (c < D) out[t * D + c] = x;
  }
  return out;
}
