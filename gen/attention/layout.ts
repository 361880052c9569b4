/**
 * The attention cache image (README.md §6): one memory of W-bit words (bigint per word), six
 * regions in order: keyPlanes, keyScaleMin, keyResidual, valueCodes, valueScaleMin, valueResidual.
 */
import { attentionDims, type AttentionConfig } from './config.ts';
import type { AttentionCache } from './cache.ts';

export const REGIONS = ['keyPlanes', 'keyScaleMin', 'keyResidual', 'valueCodes', 'valueScaleMin', 'valueResidual'] as const;
export type Region = (typeof REGIONS)[number];

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
  };
  const base = {} as Record<Region, number>;
  let at = 0;
  for (const r of REGIONS) {
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
    const rec = [...values.scale.subarray(t * ng, t * ng + ng), ...values.min.subarray(t * ng, t * ng + ng)];
    putRow(words, m.base.valueScaleMin + t * MV, W, 16, rec);
  }
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
  for (let t = 0; t < Tv; t++) {
    valueCodes.set(getRow(words, m.base.valueCodes + (t * bv * D) / W, W, bv, D), t * D);
    const rec = getRow(words, m.base.valueScaleMin + t * MV, W, 16, 2 * ng);
    valueScale.set(rec.slice(0, ng), t * ng);
    valueMin.set(rec.slice(ng), t * ng);
  }
  const valueResidual = new Uint16Array((n - Tv) * D);
  for (let t = Tv; t < n; t++) valueResidual.set(getRow(words, m.base.valueResidual + (t - Tv) * H16, W, 16, D), (t - Tv) * D);
  return { n, Tk, Tv, keyCodes, keyScale, keyMin, keyResidual, valueCodes, valueScale, valueMin, valueResidual };
}
