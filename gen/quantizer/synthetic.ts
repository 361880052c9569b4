/**
 * Seeded test tensors for the quantizer: synthetic KV caches that look like real ones (keys with a
 * few large-magnitude outlier channels, values without) and edge-case tensors whose every group is
 * one of the README's corner cases. All tensors are row-major [T, D] bit patterns of the format.
 */
import { Rng } from '../../data/rng.ts';
import { canonicalNaN, type FloatFormat } from '../../hdl/lib/float/format.ts';
import { fpFromNumber } from '../../hdl/lib/float/golden/index.ts';
import { quantizerFormat, type QuantizerConfig } from './config.ts';
import { groupsOf, quantizedTokens } from './golden.ts';

/** Approximately standard normal (Irwin-Hall of 12 uniforms: plain arithmetic, same on every platform). */
function normal(r: Rng): number {
  let s = 0;
  for (let i = 0; i < 12; i++) s += r.float();
  return s - 6;
}

export interface KvOptions {
  /** Fraction of outlier channels in the keys (at least one). Default 1/32. */
  outlierFraction?: number;
  /** Magnitude multiplier of outlier channels. Default 24. */
  outlierScale?: number;
}

/**
 * Synthetic keys [T, D]: every channel has its own offset and spread (as pre-RoPE keys do), and a
 * few outlier channels are `outlierScale` times larger with a large offset.
 */
export function syntheticKeys(f: FloatFormat, T: number, D: number, seed: number, opt: KvOptions = {}): Uint16Array {
  const r = new Rng(seed);
  const nOut = Math.max(1, Math.round(D * (opt.outlierFraction ?? 1 / 32)));
  const big = opt.outlierScale ?? 24;
  const outliers = new Set(r.shuffle(Array.from({ length: D }, (_, i) => i)).slice(0, nOut));
  const offset = Array.from({ length: D }, (_, c) => (outliers.has(c) ? big * (r.chance(0.5) ? 1 : -1) * (1 + r.float()) : 0.5 * normal(r)));
  const spread = Array.from({ length: D }, (_, c) => (outliers.has(c) ? big * 0.25 : 0.3 + r.float()));
  const x = new Uint16Array(T * D);
  for (let t = 0; t < T; t++) for (let c = 0; c < D; c++) x[t * D + c] = fpFromNumber(f, offset[c] + spread[c] * normal(r));
  return x;
}

/** Synthetic values [T, D]: zero-mean, per-token spread, no outlier channels. */
export function syntheticValues(f: FloatFormat, T: number, D: number, seed: number): Uint16Array {
  const r = new Rng(seed);
  const x = new Uint16Array(T * D);
  for (let t = 0; t < T; t++) {
    const s = 0.2 + 0.8 * r.float();
    for (let c = 0; c < D; c++) x[t * D + c] = fpFromNumber(f, s * normal(r));
  }
  return x;
}

/** The KV tensor that a mode quantizes in KIVI: keys per channel, values per token. */
export function syntheticKv(cfg: QuantizerConfig, T: number, seed: number): Uint16Array {
  const f = quantizerFormat(cfg);
  return cfg.mode === 'per-channel' ? syntheticKeys(f, T, cfg.channels, seed) : syntheticValues(f, T, cfg.channels, seed);
}

/** Names of the edge cases, in the order `edgeCaseTensor` cycles through them. */
export const EDGE_CASES = [
  'constant', 'signed-zeros', 'subnormals', 'tiny-range', 'ties', 'huge-range', 'near-max-range',
  'nan', 'plus-inf', 'minus-inf', 'inf-and-nan', 'normal',
] as const;
export type EdgeCase = (typeof EDGE_CASES)[number];

/** The largest finite value of a format. */
function maxFinite(f: FloatFormat): number {
  return (2 - 2 ** -f.man) * 2 ** f.bias;
}

/** G values (patterns) of one edge case. */
export function edgeGroup(f: FloatFormat, bits: number, kind: EdgeCase, G: number, r: Rng): number[] {
  const sm = 1 << (f.width - 1);
  const sub = () => r.int(1, (1 << f.man) - 1) | (r.chance(0.5) ? sm : 0); // a random subnormal
  const rnd = () => fpFromNumber(f, normal(r));
  const g: number[] = [];
  switch (kind) {
    case 'constant': {
      const v = rnd();
      for (let i = 0; i < G; i++) g.push(v);
      break;
    }
    case 'signed-zeros':
      for (let i = 0; i < G; i++) g.push(r.chance(0.5) ? sm : 0);
      break;
    case 'subnormals':
      for (let i = 0; i < G; i++) g.push(r.chance(0.2) ? (r.chance(0.5) ? sm : 0) : sub());
      break;
    case 'tiny-range': // range of one or two subnormal quanta: the scale underflows to zero
      for (let i = 0; i < G; i++) g.push(r.int(0, 2));
      break;
    case 'ties': { // mn = 0, mx = 2^b − 1 (scale 1): the other values are k + 1/2 and integers
      const top = 2 ** bits - 1;
      for (let i = 0; i < G; i++) g.push(fpFromNumber(f, i === 0 ? 0 : i === 1 ? top : Math.min(top, r.int(0, top) + (r.chance(0.7) ? 0.5 : 0))));
      break;
    }
    case 'huge-range': // mx − mn overflows
      for (let i = 0; i < G; i++) g.push(fpFromNumber(f, (i % 2 ? 1 : -1) * maxFinite(f) * (0.6 + 0.4 * r.float())));
      break;
    case 'near-max-range': // finite range close to the maximum: x̂ of the top code can overflow
      for (let i = 0; i < G; i++) g.push(fpFromNumber(f, i === 0 ? 0 : i === 1 ? maxFinite(f) : maxFinite(f) * r.float()));
      break;
    case 'nan':
    case 'plus-inf':
    case 'minus-inf':
    case 'inf-and-nan': {
      for (let i = 0; i < G; i++) g.push(rnd());
      const inf = ((1 << f.exp) - 1) << f.man;
      const put = (v: number) => { g[r.int(0, G - 1)] = v; };
      if (kind === 'nan' || kind === 'inf-and-nan') put(r.chance(0.5) ? canonicalNaN(f) : canonicalNaN(f) | sm | 1);
      if (kind === 'plus-inf' || kind === 'inf-and-nan') put(inf);
      if (kind === 'minus-inf') put(inf | sm);
      break;
    }
    case 'normal':
      for (let i = 0; i < G; i++) g.push(rnd());
      break;
  }
  return g;
}

/**
 * A [T, D] tensor whose quantized groups (in the mode's grouping) cycle through EDGE_CASES
 * (starting at a seeded offset); rows past the quantized ones (the residual) are random, with
 * specials mixed in.
 */
export function edgeCaseTensor(cfg: QuantizerConfig, T: number, seed: number): Uint16Array {
  const f = quantizerFormat(cfg);
  const r = new Rng(seed);
  const x = new Uint16Array(T * cfg.channels);
  for (let i = 0; i < x.length; i++) x[i] = r.chance(0.05) ? r.u32() & 0xffff : fpFromNumber(f, normal(r));
  let k = r.int(0, EDGE_CASES.length - 1);
  for (const { idx } of groupsOf(cfg, quantizedTokens(cfg, T))) {
    const g = edgeGroup(f, cfg.bits, EDGE_CASES[k++ % EDGE_CASES.length], cfg.groupSize, r);
    idx.forEach((i, j) => { x[i] = g[j]; });
  }
  return x;
}
