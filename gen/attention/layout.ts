/**
 * The attention cache image (README.md §6): one memory of W-bit words (bigint per word), six
 * regions in order: keyPlanes, keyScaleMin, keyResidual, valueCodes, valueScaleMin, valueResidual,
 * and with valueQuant "nuq" a seventh, valueCodebook (valueScaleMin then holds each token's
 * (mid, half) and outlier slots).
 */
import { attentionDims, type AttentionConfig } from './config.ts';
import type { AttentionCache } from './cache.ts';
import type { NuqValues } from './cache-nuq.ts';

/** The six regions of every image (KIVI values). */
export const REGIONS = ['keyPlanes', 'keyScaleMin', 'keyResidual', 'valueCodes', 'valueScaleMin', 'valueResidual'] as const;
/** Every region; `valueCodebook` exists (is non-empty) only with valueQuant "nuq". */
export const ALL_REGIONS = [...REGIONS, 'valueCodebook'] as const;
export type Region = (typeof ALL_REGIONS)[number];
export type KiviRegion = (typeof REGIONS)[number];

/** The regions of a config's image: REGIONS, plus valueCodebook with valueQuant "nuq". */
export function regionsOf(cfg: AttentionConfig): readonly Region[] {
  return cfg.valueQuant === 'nuq' ? ALL_REGIONS : REGIONS;
}

/** An unused outlier slot's channel field. */
export const NO_OUTLIER = 0xffff;

export interface RegionMap {
  base: Record<Region, number>;
  size: Record<Region, number>;
  total: number;
}

/** Region bases and sizes for n tokens. */
export function regionMap(cfg: AttentionConfig, n: number): RegionMap {
  const d = attentionDims(cfg);
  const Tk = Math.floor(n / d.R) * d.R;
  const Tv = Math.max(0, n - d.R);
  const size: Record<Region, number> = {
    keyPlanes: Tk * d.B * d.C,
    keyScaleMin: (Tk / d.G) * 2 * d.H16,
    keyResidual: (n - Tk) * d.H16,
    valueCodes: (Tv * d.bv * d.D) / d.W,
    valueScaleMin: Tv * d.MV,
    valueResidual: (n - Tv) * d.H16,
    valueCodebook: d.KW,
  };
  const base = {} as Record<Region, number>;
  let at = 0;
  for (const r of ALL_REGIONS) {
    base[r] = at;
    at += size[r];
  }
  return { base, size, total: at };
}

/** Word address of beat ch of plane j of quantized key t. */
export function keyPlaneAddress(cfg: AttentionConfig, t: number, j: number, ch: number): number {
  const { B, C } = attentionDims(cfg);
  return (t * B + (B - 1 - j)) * C + ch;
}

function putField(words: bigint[], at: number, bitOff: number, v: number): void {
  words[at] |= BigInt(v) << BigInt(bitOff);
}
function getField(words: readonly bigint[], at: number, bitOff: number, width: number): number {
  return Number((words[at] >> BigInt(bitOff)) & ((1n << BigInt(width)) - 1n));
}

/** Writes `count` values of `width` bits LSB-first starting at word `at`. */
function putRow(words: bigint[], at: number, W: number, width: number, vals: ArrayLike<number>): void {
  const per = W / width;
  for (let i = 0; i < vals.length; i++) putField(words, at + Math.floor(i / per), (i % per) * width, vals[i]);
}
function getRow(words: readonly bigint[], at: number, W: number, width: number, count: number): number[] {
  const per = W / width;
  return Array.from({ length: count }, (_, i) => getField(words, at + Math.floor(i / per), (i % per) * width, width));
}

/**
 * A NUQ token's record (README §6): mid, half, then 2·valueTrimMax slots (channel, value pattern),
 * the outliers by channel ascending, unused slots (NO_OUTLIER, 0).
 */
function nuqRecord(cfg: AttentionConfig, nv: NuqValues, t: number): number[] {
  const { OS } = attentionDims(cfg);
  const o = nv.outliers[t];
  if (o.length > OS) throw new Error(`value token ${t} has ${o.length} outliers, the record holds ${OS} (2*valueTrimMax)`);
  const rec = [nv.mid[t], nv.half[t]];
  for (let s = 0; s < OS; s++) rec.push(...(s < o.length ? o[s] : [NO_OUTLIER, 0]));
  return rec;
}

/** The memory image of a cache: one bigint (W bits) per word. */
export function buildImage(cfg: AttentionConfig, cache: AttentionCache): bigint[] {
  const d = attentionDims(cfg);
  const { n, Tk, Tv, keys, values } = cache;
  const m = regionMap(cfg, n);
  const words: bigint[] = new Array<bigint>(m.total).fill(0n);
  const { D, B, W, G, H16, MV, bv } = d;
  for (let t = 0; t < Tk; t++) {
    for (let dd = 0; dd < D; dd++) {
      const code = keys.codes[t * D + dd];
      for (let j = 0; j < B; j++) if ((code >> j) & 1) putField(words, m.base.keyPlanes + keyPlaneAddress(cfg, t, j, Math.floor(dd / W)), dd % W, 1);
    }
  }
  for (let g = 0; g < Tk / G; g++) {
    putRow(words, m.base.keyScaleMin + g * 2 * H16, W, 16, keys.scale.subarray(g * D, g * D + D));
    putRow(words, m.base.keyScaleMin + g * 2 * H16 + H16, W, 16, keys.min.subarray(g * D, g * D + D));
  }
  for (let t = Tk; t < n; t++) putRow(words, m.base.keyResidual + (t - Tk) * H16, W, 16, keys.residual.subarray((t - Tk) * D, (t - Tk) * D + D));
  const ng = D / G;
  for (let t = 0; t < Tv; t++) {
    putRow(words, m.base.valueCodes + (t * bv * D) / W, W, bv, values.codes.subarray(t * D, t * D + D));
    const rec = cache.nuq ? nuqRecord(cfg, cache.nuq, t) : [...values.scale.subarray(t * ng, t * ng + ng), ...values.min.subarray(t * ng, t * ng + ng)];
    putRow(words, m.base.valueScaleMin + t * MV, W, 16, rec);
  }
  if (cache.nuq) putRow(words, m.base.valueCodebook, W, 16, cache.nuq.cent);
  for (let t = Tv; t < n; t++) putRow(words, m.base.valueResidual + (t - Tv) * H16, W, 16, values.residual.subarray((t - Tv) * D, (t - Tv) * D + D));
  return words;
}

/** What parseImage recovers: the cache's tensors (codes, scales, mins, residuals). */
export interface ParsedImage {
  n: number;
  Tk: number;
  Tv: number;
  keyCodes: Uint8Array;
  keyScale: Uint16Array;
  keyMin: Uint16Array;
  keyResidual: Uint16Array;
  valueCodes: Uint8Array;
  valueScale: Uint16Array;
  valueMin: Uint16Array;
  valueResidual: Uint16Array;
  /** valueQuant "nuq": (mid, half) and outliers per token, the centroids (valueScale, valueMin empty) */
  nuq?: NuqValues;
}

/** The inverse of buildImage (throws if the image has the wrong length). */
export function parseImage(cfg: AttentionConfig, words: readonly bigint[], n: number): ParsedImage {
  const d = attentionDims(cfg);
  const m = regionMap(cfg, n);
  if (words.length !== m.total) throw new Error(`image of ${words.length} words, expected ${m.total} for n = ${n}`);
  const { D, B, W, G, H16, MV, bv } = d;
  const Tk = Math.floor(n / d.R) * d.R;
  const Tv = Math.max(0, n - d.R);
  const ng = D / G;
  const keyCodes = new Uint8Array(Tk * D);
  for (let t = 0; t < Tk; t++) {
    for (let dd = 0; dd < D; dd++) {
      let c = 0;
      for (let j = 0; j < B; j++) c |= getField(words, m.base.keyPlanes + keyPlaneAddress(cfg, t, j, Math.floor(dd / W)), dd % W, 1) << j;
      keyCodes[t * D + dd] = c;
    }
  }
  const keyScale = new Uint16Array((Tk / G) * D);
  const keyMin = new Uint16Array((Tk / G) * D);
  for (let g = 0; g < Tk / G; g++) {
    keyScale.set(getRow(words, m.base.keyScaleMin + g * 2 * H16, W, 16, D), g * D);
    keyMin.set(getRow(words, m.base.keyScaleMin + g * 2 * H16 + H16, W, 16, D), g * D);
  }
  const keyResidual = new Uint16Array((n - Tk) * D);
  for (let t = Tk; t < n; t++) keyResidual.set(getRow(words, m.base.keyResidual + (t - Tk) * H16, W, 16, D), (t - Tk) * D);
  const valueCodes = new Uint8Array(Tv * D);
  const valueScale = new Uint16Array(Tv * ng);
  const valueMin = new Uint16Array(Tv * ng);
  const nuq: NuqValues | undefined = d.nuq
    ? { cent: getRow(words, m.base.valueCodebook, W, 16, 2 ** bv), mid: new Uint16Array(Tv), half: new Uint16Array(Tv), outliers: [] }
    : undefined;
  for (let t = 0; t < Tv; t++) {
    valueCodes.set(getRow(words, m.base.valueCodes + (t * bv * D) / W, W, bv, D), t * D);
    if (nuq) {
      const rec = getRow(words, m.base.valueScaleMin + t * MV, W, 16, 2 + 2 * d.OS);
      nuq.mid[t] = rec[0];
      nuq.half[t] = rec[1];
      const o: [number, number][] = [];
      for (let s = 0; s < d.OS; s++) if (rec[2 + 2 * s] < D) o.push([rec[2 + 2 * s], rec[3 + 2 * s]]);
      nuq.outliers.push(o);
      continue;
    }
    const rec = getRow(words, m.base.valueScaleMin + t * MV, W, 16, 2 * ng);
    valueScale.set(rec.slice(0, ng), t * ng);
    valueMin.set(rec.slice(ng), t * ng);
  }
  const valueResidual = new Uint16Array((n - Tv) * D);
  for (let t = Tv; t < n; t++) valueResidual.set(getRow(words, m.base.valueResidual + (t - Tv) * H16, W, 16, D), (t - Tv) * D);
  return { n, Tk, Tv, keyCodes, keyScale, keyMin, keyResidual, valueCodes, valueScale: nuq ? new Uint16Array(0) : valueScale, valueMin: nuq ? new Uint16Array(0) : valueMin, valueResidual, ...(nuq ? { nuq } : {}) };
}
