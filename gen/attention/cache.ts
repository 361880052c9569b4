/**
 * The KIVI cache of the attention engine (README.md §1), built by gen/quantizer's golden model:
 * keys per channel (B bits), values per token (b_v bits), group G, residual R.
 */
import { fpIsInf, fpIsNaN } from '../../hdl/lib/float/golden/index.ts';
import { quantizerConfig } from '../quantizer/config.ts';
import { FLAG_INVALID, quantizeTensor, type QuantizedTensor } from '../quantizer/golden.ts';
import type { Codebook } from '../nuq/codebook.ts';
import { attentionFormat, type AttentionConfig } from './config.ts';
import { nuqValueCache, type NuqValues } from './cache-nuq.ts';

export interface AttentionCache {
  n: number;
  /** quantized key tokens Tk = floor(n/R)·R and value tokens Tv = max(0, n − R) */
  Tk: number;
  Tv: number;
  keys: QuantizedTensor;
  values: QuantizedTensor;
  /** valueQuant "nuq": the per-token (mid, half), outliers and centroids (values.dequant holds x̂) */
  nuq?: NuqValues;
}

/** Throws unless every pattern is finite. */
export function checkFinite(cfg: AttentionConfig, a: ArrayLike<number>, D: number, name: string): void {
  const f = attentionFormat(cfg);
  for (let i = 0; i < a.length; i++) {
    if (fpIsNaN(f, a[i]) || fpIsInf(f, a[i])) throw new Error(`${name}[${Math.floor(i / D)}, ${i % D}] is not finite (0x${a[i].toString(16)})`);
  }
}

/** The cache of §1; valueQuant "nuq" needs the shared per-token codebook (`--value-codebook`). */
export function buildCache(cfg: AttentionConfig, k: Uint16Array, v: Uint16Array, valueCodebook?: Codebook): AttentionCache {
  const D = cfg.dims;
  if (k.length % D !== 0 || k.length !== v.length) throw new Error(`k and v must both be [n, ${D}], got ${k.length} and ${v.length} values`);
  const n = k.length / D;
  if (n > cfg.maxKeys) throw new Error(`n = ${n} tokens exceeds maxKeys (${cfg.maxKeys})`);
  checkFinite(cfg, k, D, 'k');
  checkFinite(cfg, v, D, 'v');
  const base = { format: cfg.format, groupSize: cfg.groupSize, channels: D, lanes: 1, residual: cfg.residual };
  const keys = quantizeTensor(quantizerConfig({ ...base, bits: cfg.keyBits, mode: 'per-channel' }), k);
  let nuq: NuqValues | undefined;
  let values: QuantizedTensor;
  if (cfg.valueQuant === 'nuq') {
    if (!valueCodebook) throw new Error('valueQuant "nuq" needs the value codebook (--value-codebook codebook.json, kvhdl calibrate-nuq --mode per-token)');
    ({ values, nuq } = nuqValueCache(cfg, v, valueCodebook, Math.max(0, n - cfg.residual)));
  } else values = quantizeTensor(quantizerConfig({ ...base, bits: cfg.valueBits, mode: 'per-token' }), v);
  keys.flags.forEach((fl, i) => {
    if (fl & FLAG_INVALID) throw new Error(`key group [${Math.floor(i / D)}, ${i % D}] is invalid (flags ${fl})`);
  });
  values.flags.forEach((fl, i) => {
    if (fl & FLAG_INVALID) throw new Error(`value group [${Math.floor(i / (D / cfg.groupSize))}, ${i % (D / cfg.groupSize)}] is invalid (flags ${fl})`);
  });
  checkFinite(cfg, values.dequant, D, 'v̂');
  return { n, Tk: keys.Tq, Tv: values.Tq, keys, values, ...(nuq ? { nuq } : {}) };
}
