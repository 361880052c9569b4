/**
 * NUQ values of the cache image from gen/nuq's per-token quantize RTL (README.md "Hardware",
 * "Stimulus and golden"): `kvhdl cosim attention` with valueQuant "nuq" runs the nuq unit (mode
 * per-token, bits b_v, channels D, trimMax = valueTrimMax) on the value tokens t < Tv with the
 * `--value-codebook` table, and takes the codes, x̂ (`q`), each token's (mid, half) (`tk`) and the
 * outliers (`sp`) it wrote. The sub-run is checked against gen/nuq's stream golden; the image built
 * from it is checked against the attention golden image word for word by the caller.
 */
import type { SubUnitRun } from '../unit.ts';
import { nuqUnit } from '../nuq/index.ts';
import { nuqConfig, type NuqConfig } from '../nuq/config.ts';
import type { Codebook } from '../nuq/codebook.ts';
import { packPerToken } from '../nuq/per-token.ts';
import { channelBits, inputTransactions } from '../nuq/stream-model.ts';
import type { QuantizedTensor } from '../quantizer/golden.ts';
import type { AttentionConfig } from './config.ts';
import { centroidPatterns, type NuqValues } from './cache-nuq.ts';

/**
 * The nuq RTL's lanes P for the values: 4 (D is a multiple of 32, so P divides D) while the per-token
 * trim selection's P·(trimMax + 1) list entries stay ≤ 16 (its rank selection has 2·(P·(t + 1))²
 * comparators, which set the Verilator build time), else 2.
 */
export function nuqValueLanes(cfg: AttentionConfig): number {
  return 4 * (cfg.valueTrimMax + 1) <= 16 ? 4 : 2;
}

/** The nuq unit config that quantizes the values (README "Stimulus and golden"). */
export function nuqValueConfig(cfg: AttentionConfig): NuqConfig {
  return nuqConfig({ format: cfg.format, bits: cfg.valueBits as 2 | 4, channels: cfg.dims, lanes: nuqValueLanes(cfg), mode: 'per-token', op: 'quantize', trimMax: cfg.valueTrimMax });
}

export interface NuqRtlValues {
  ok: boolean;
  problem: string;
  values?: QuantizedTensor;
  nuq?: NuqValues;
  /** report.json facts of the sub-run (absent when Tv = 0: nothing to quantize) */
  report: Record<string, unknown>;
}

/** Runs the nuq per-token quantize RTL on v's tokens t < Tv ([n, D] patterns) and reads its outputs back. */
export async function nuqRtlValues(cfg: AttentionConfig, v: Uint16Array, cb: Codebook, Tv: number, run: SubUnitRun): Promise<NuqRtlValues> {
  const D = cfg.dims;
  const n = v.length / D;
  const nc = nuqValueConfig(cfg);
  const P = nc.lanes;
  const codes = new Uint8Array(Tv * D), dequant = new Uint16Array(Tv * D);
  const mid = new Uint16Array(Tv), half = new Uint16Array(Tv);
  const outliers: [number, number][][] = Array.from({ length: Tv }, () => []);
  let report: Record<string, unknown> = {};
  if (Tv > 0) {
    const stim = inputTransactions(nc, [{ load: cb }, { data: v.slice(0, Tv * D) }]);
    const r = await run(nuqUnit, nc, stim, 'nuq-values');
    report = { nuqValues: { config: nc, top: r.top, ok: r.ok, cycles: r.cycles, tokens: Tv } };
    if (!r.ok) return { ok: false, problem: `nuq (values): ${r.problem}`, report };
    const { q, sp, tk } = r.outputs;
    if (q.count !== (Tv * D) / P || tk.count !== Tv) return { ok: false, problem: `nuq (values): ${q.count} q beats and ${tk.count} tk records for ${Tv} tokens`, report };
    for (let k = 0; k < q.count; k++) {
      for (let l = 0; l < P; l++) {
        codes[k * P + l] = q.lane(k, 'codes', nc.bits, l, false);
        dequant[k * P + l] = q.lane(k, 'deq', 16, l, false);
      }
    }
    for (let t = 0; t < Tv; t++) {
      mid[t] = tk.lane(t, 'mid', 16, 0, false);
      half[t] = tk.lane(t, 'half', 16, 0, false);
    }
    // one sequence: the sp records in (token, channel) order, then its closing `last` record
    for (let k = 0; k < sp.count; k++) {
      if (sp.lane(k, 'last', 1, 0, false)) continue;
      outliers[Number(sp.get(k, 'token'))].push([sp.lane(k, 'channel', channelBits(nc), 0, false), sp.lane(k, 'value', 16, 0, false)]);
    }
  }
  const p = packPerToken(codes, Tv, D, cfg.valueBits);
  const values = {
    T: n, Tq: Tv, codes, groupShape: [Tv, 0], scale: new Uint16Array(0), min: new Uint16Array(0), flags: new Uint8Array(0),
    packed: p.packed, packedShape: p.shape, residual: v.slice(Tv * D), dequant,
  } as QuantizedTensor;
  return { ok: true, problem: '', values, nuq: { cent: centroidPatterns(cfg, cb), mid, half, outliers }, report };
}
