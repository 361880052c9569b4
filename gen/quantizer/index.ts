/** The quantizer unit: KIVI asymmetric group quantization of a KV cache (per-token / per-channel). */
import { Rng } from '../../data/rng.ts';
import { TxnTable } from '../../data/transactions.ts';
import type { PostCosimResult, StreamData, UnitDef } from '../unit.ts';
import { dequantizerUnit } from '../dequantizer/index.ts';
import { dequantizerSchema } from '../dequantizer/config.ts';
import { inFields as dequantInFields } from '../dequantizer/golden.ts';
import { quantizerSchema, type QuantizerConfig } from './config.ts';
import { quantizerPerTokenRtl } from './rtl-per-token.ts';
import { quantizerPerChannelRtl } from './rtl-per-channel.ts';
import { expectedStreams, inputTransactions } from './stream-model.ts';
import { edgeCaseTensor, syntheticKv } from './synthetic.ts';
import { quantizerInput, quantizerOutputs } from './npy.ts';
import { tensorsFromStreams } from './tensors.ts';
import { quantizerQuality } from './quality.ts';

export type { QuantizerConfig } from './config.ts';

/**
 * About `n` input beats in 3 sequences (at least one token each): synthetic KV data (keys with
 * outlier channels per-channel, values per-token) alternating with edge-case tensors (constant,
 * subnormal, ±0, huge-range, NaN/Inf groups), each ending with in_eos.
 */
export function quantizerRandomStimulus(cfg: QuantizerConfig, seed: number, n: number): StreamData {
  const r = new Rng(seed);
  const tokens = Math.max(3, Math.round((n * cfg.lanes) / cfg.channels));
  const a = r.int(1, tokens - 2);
  const b = r.int(1, tokens - a - 1);
  const lens = [a, b, tokens - a - b];
  const seqs = lens.map((T, i) => (i % 2 === 0 ? syntheticKv(cfg, T, seed * 7 + i) : edgeCaseTensor(cfg, T, seed * 7 + i)));
  return inputTransactions(cfg, seqs);
}

/** The dequantizer configuration that reconstructs this quantizer's output: same format and bits, P lanes. */
export function dequantizerConfigFor(cfg: QuantizerConfig) {
  return dequantizerSchema.parse({ format: cfg.format, bits: cfg.bits, lanes: cfg.lanes });
}

/** Dequantizer input beats from the quantizer's q / grp streams: one beat per q beat, the group's scale and min. */
export function dequantizerStimulus(cfg: QuantizerConfig, outputs: StreamData): StreamData {
  const { q, grp } = outputs;
  const dcfg = dequantizerConfigFor(cfg);
  const t = new TxnTable(dequantInFields(dcfg), q.count);
  const bpg = cfg.groupSize / cfg.lanes;
  for (let k = 0; k < q.count; k++) {
    const g = Math.floor(k / bpg);
    for (let i = 0; i < cfg.lanes; i++) t.setLane(k, 'codes', cfg.bits, i, q.lane(k, 'codes', cfg.bits, i, false));
    t.setLane(k, 'scale', 16, 0, grp.lane(g, 'scale', 16, 0, false));
    t.setLane(k, 'min', 16, 0, grp.lane(g, 'min', 16, 0, false));
    t.setLane(k, 'last', 1, 0, q.lane(k, 'last', 1, 0, false));
  }
  return { in: t };
}

export const quantizerUnit: UnitDef<QuantizerConfig> = {
  name: 'quantizer',
  summary: 'KIVI asymmetric group quantization of a KV cache (fp16/bf16, b-bit codes, per-token or per-channel, residual window), P elements per cycle',
  schema: quantizerSchema,
  build: (cfg) => (cfg.mode === 'per-token' ? quantizerPerTokenRtl(cfg) : quantizerPerChannelRtl(cfg)),
  golden: (cfg, inputs) => expectedStreams(cfg, inputs as { in: TxnTable }),
  randomStimulus: quantizerRandomStimulus,
  worstStimulus: quantizerRandomStimulus, // II = 1 whatever the data
  fromNpy(cfg, arrays) {
    const x = quantizerInput(cfg, arrays.in);
    return inputTransactions(cfg, x.length ? [Uint16Array.from(x)] : []);
  },
  toNpy: (cfg, outputs) => quantizerOutputs(cfg, tensorsFromStreams(cfg, outputs)),
  // reconstruction error of the golden model on these inputs (quality.ts; kvhdl sweep's quality columns)
  goldenReport: (cfg, inputs) => ({ reconstruction: quantizerQuality(cfg, inputs.in) }),
  async postCosim(cfg, outputs, run): Promise<PostCosimResult> {
    const dcfg = dequantizerConfigFor(cfg);
    if (outputs.q.count === 0) return { ok: true, arrays: {}, problem: '', report: { dequantizer: { config: dcfg, skipped: 'no quantized tokens' } } };
    const r = await run(dequantizerUnit, dcfg, dequantizerStimulus(cfg, outputs), 'dequantizer');
    const t = tensorsFromStreams(cfg, outputs, r.outputs.out);
    return {
      ok: r.ok,
      arrays: { dequant: quantizerOutputs(cfg, t).dequant },
      problem: r.ok ? '' : `dequantizer: ${r.problem}`,
      report: { dequantizer: { config: dcfg, top: r.top, ok: r.ok, cycles: r.cycles } },
    };
  },
  npyInputs: { in: 'x.npy: float16 (fp16) or uint16 bit patterns, shape [tokens, channels]' },
  referenceConfigs: [
    { format: 'fp16', bits: 2, groupSize: 8, channels: 16, lanes: 4, mode: 'per-token', residual: 8 },
    { format: 'fp16', bits: 4, groupSize: 8, channels: 16, lanes: 4, mode: 'per-channel', residual: 16 },
  ],
  elementsPerBeat: (cfg) => cfg.lanes,
};
