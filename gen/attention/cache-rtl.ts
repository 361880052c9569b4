/**
 * The cache image written by the quantizer RTL (README.md "Stimulus and golden"): `kvhdl cosim
 * attention` runs the quantizer unit's RTL on k (per-channel, B bits) and on v (per-token, b_v bits;
 * with valueQuant "nuq" gen/nuq's per-token quantize RTL instead, cache-nuq-rtl.ts) with the cache's
 * group and residual, builds the §6 image from their codes, scales, mins, outliers and residuals, and
 * the engine RTL then reads that image. The image must equal the golden model's (checked word for word).
 */
import type { StreamData, SubUnitRun } from '../unit.ts';
import { quantizerUnit } from '../quantizer/index.ts';
import { quantizerConfig } from '../quantizer/config.ts';
import { FLAG_INVALID, type QuantizedTensor } from '../quantizer/golden.ts';
import { tensorsFromStreams } from '../quantizer/tensors.ts';
import type { AttentionConfig } from './config.ts';
import type { AttentionCache } from './cache.ts';
import { buildImage } from './layout.ts';
import type { Codebook } from '../nuq/codebook.ts';
import { nuqRtlValues } from './cache-nuq-rtl.ts';

/** The quantizer lanes for the cache: the largest of 8, 4, 2, 1 dividing G and D. */
export function quantizerLanes(cfg: AttentionConfig): number {
  return [8, 4, 2, 1].find((p) => cfg.groupSize % p === 0 && cfg.dims % p === 0) ?? 1;
}

export function cacheQuantizerConfigs(cfg: AttentionConfig) {
  const base = { format: cfg.format, groupSize: cfg.groupSize, channels: cfg.dims, lanes: quantizerLanes(cfg), residual: cfg.residual };
  return {
    keys: quantizerConfig({ ...base, bits: cfg.keyBits, mode: 'per-channel' }),
    values: quantizerConfig({ ...base, bits: cfg.valueBits, mode: 'per-token' }),
  };
}

export interface RtlImage {
  ok: boolean;
  problem: string;
  image: bigint[];
  report: Record<string, unknown>;
}

function invalidGroup(t: QuantizedTensor, name: string): string {
  const i = t.flags.findIndex((f) => (f & FLAG_INVALID) !== 0);
  return i < 0 ? '' : `${name} group ${i} is invalid (flags ${t.flags[i]})`;
}

/**
 * Runs the quantizer RTL on k and v ([n, D] patterns) and builds the image from its outputs. With
 * valueQuant "nuq" the values t < Tv come from gen/nuq's per-token quantize RTL (cache-nuq-rtl.ts).
 */
export async function rtlCacheImage(cfg: AttentionConfig, k: Uint16Array, v: Uint16Array, run: SubUnitRun, valueCodebook?: Codebook): Promise<RtlImage> {
  const q = cacheQuantizerConfigs(cfg);
  const n = k.length / cfg.dims;
  const nuqValues = cfg.valueQuant === 'nuq';
  if (nuqValues && !valueCodebook) return { ok: false, problem: 'valueQuant "nuq" needs --value-codebook', image: [], report: {} };
  const stim = (x: Uint16Array): StreamData => quantizerUnit.fromNpy(x === k ? q.keys : q.values, { in: { dtype: 'uint16', shape: [n, cfg.dims], data: x } });
  const rk = await run(quantizerUnit, q.keys, stim(k), 'quantizer-keys');
  const rv = nuqValues ? null : await run(quantizerUnit, q.values, stim(v), 'quantizer-values');
  const nv = nuqValues ? await nuqRtlValues(cfg, v, valueCodebook as Codebook, Math.max(0, n - cfg.residual), run) : null;
  const report = {
    quantizerKeys: { config: q.keys, top: rk.top, ok: rk.ok, cycles: rk.cycles },
    ...(rv ? { quantizerValues: { config: q.values, top: rv.top, ok: rv.ok, cycles: rv.cycles } } : {}),
    ...(nv?.report ?? {}),
  };
  if (!rk.ok) return { ok: false, problem: `quantizer (keys): ${rk.problem}`, image: [], report };
  if (rv && !rv.ok) return { ok: false, problem: `quantizer (values): ${rv.problem}`, image: [], report };
  if (nv && !nv.ok) return { ok: false, problem: nv.problem, image: [], report };
  const keys = tensorsFromStreams(q.keys, rk.outputs);
  const values = rv ? tensorsFromStreams(q.values, rv.outputs) : (nv?.values as QuantizedTensor);
  const bad = invalidGroup(keys, 'key') || (rv ? invalidGroup(values, 'value') : '');
  if (bad) return { ok: false, problem: bad, image: [], report };
  const cache: AttentionCache = { n, Tk: keys.Tq, Tv: values.Tq, keys, values, ...(nv?.nuq ? { nuq: nv.nuq } : {}) };
  return { ok: true, problem: '', image: buildImage(cfg, cache), report };
}
