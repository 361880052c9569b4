/**
 * quantizer, per-channel mode (gen/quantizer/rtl-per-channel.ts): the RTL against the golden model
 * (golden.ts quantizeTensor through stream-model.ts expectedStreams) in Verilator with random input
 * stalls and output backpressure (several seeds) and in Icarus (an input prefix), on sequences of
 * synthetic keys (outlier channels) and edge-case tensors (synthetic.ts), sequence lengths below,
 * at and above the block size R (residual flushes of every size, empty flushes, back-to-back
 * sequences); II = 1 without stalls on a long sequence; Verilator / Icarus lint (Yosys on one).
 */
import { describe, expect, it } from 'vitest';
import { quantizerConfig, type QuantizerConfig } from '../../gen/quantizer/config.ts';
import { quantizerPerChannelRtl } from '../../gen/quantizer/rtl-per-channel.ts';
import { expectedStreams, inputTransactions } from '../../gen/quantizer/stream-model.ts';
import { edgeCaseTensor, syntheticKv } from '../../gen/quantizer/synthetic.ts';
import { Rng } from '../../data/rng.ts';
import { BF16 } from '../../hdl/lib/float/format.ts';
import { fpDivMaxStages } from '../../hdl/lib/float/div.ts';
import type { TxnTable } from '../../data/transactions.ts';
import { simulateBoth } from '../helpers/simulate.ts';
import { verilogProblems, writeDesign } from '../helpers/verilog-checks.ts';

const pc = (c: Partial<QuantizerConfig>) => quantizerConfig({ ...c, mode: 'per-channel' });

// fp16 and bf16, b ∈ {2, 4, 8}, G ∈ {4, 8}, R ∈ {G, 2G} (R a multiple of 32/b), D ∈ {8, 16},
// P ∈ {2, 4} (G/P = 1 beat per group included), plus an odd lane count (P = 3), P = 1 and b = 1.
const configs: QuantizerConfig[] = [
  pc({ format: 'fp16', bits: 2, groupSize: 8, residual: 16, channels: 8, lanes: 2 }),
  pc({ format: 'bf16', bits: 2, groupSize: 8, residual: 16, channels: 16, lanes: 4 }),
  pc({ format: 'fp16', bits: 4, groupSize: 4, residual: 8, channels: 16, lanes: 4 }),
  pc({ format: 'bf16', bits: 4, groupSize: 8, residual: 8, channels: 8, lanes: 2 }),
  pc({ format: 'fp16', bits: 8, groupSize: 4, residual: 4, channels: 8, lanes: 4 }),
  pc({ format: 'bf16', bits: 8, groupSize: 8, residual: 16, channels: 16, lanes: 2 }),
  pc({ format: 'fp16', bits: 8, groupSize: 8, residual: 8, channels: 16, lanes: 4 }),
  pc({ format: 'bf16', bits: 4, groupSize: 4, residual: 8, channels: 8, lanes: 4 }),
  pc({ format: 'fp16', bits: 8, groupSize: 6, residual: 12, channels: 12, lanes: 3 }),
  pc({ format: 'fp16', bits: 4, groupSize: 4, residual: 8, channels: 8, lanes: 1 }),
  pc({ format: 'bf16', bits: 1, groupSize: 8, residual: 32, channels: 8, lanes: 2 }),
];

/** Sequences of synthetic keys and edge-case tensors with T from 1 to 3R + R − 1 (every residual size). */
function sequences(cfg: QuantizerConfig, seed: number, count: number): Uint16Array[] {
  const r = new Rng(seed);
  const R = cfg.residual;
  const out: Uint16Array[] = [];
  for (let i = 0; i < count; i++) {
    const T = i % 4 === 0 ? R * r.int(1, 3) : r.int(1, 3 * R + R - 1); // an empty flush every 4th sequence
    out.push(i % 2 === 0 ? edgeCaseTensor(cfg, T, seed * 1000 + i) : syntheticKv(cfg, T, seed * 1000 + i));
  }
  return out;
}

describe('quantizer per-channel RTL against the golden model', () => {
  for (const cfg of configs) {
    it(`stalls, seeds 1-3 (Verilator), Icarus prefix, II = 1: ${JSON.stringify(cfg)}`, async () => {
      const top = quantizerPerChannelRtl(cfg);
      const golden = (ins: Record<string, TxnTable>) => expectedStreams(cfg, ins as { in: TxnTable });
      const flags = new Set<number>();
      for (const seed of [1, 2, 3]) {
        const stim = inputTransactions(cfg, sequences(cfg, seed, 12));
        const want = golden(stim);
        expect(want.q.count).toBeGreaterThan(0);
        expect(want.res.count).toBeGreaterThan(0);
        for (let k = 0; k < want.grp.count; k++) flags.add(Number(want.grp.get(k, 'flags')));
        await simulateBoth(top, golden, stim, { seed, stall: 0.25, backpressure: 0.35, icarusTransactions: seed === 1 ? 250 : 0 });
      }
      // the stimulus reaches every kind of group: normal, NaN, Inf, NaN + Inf, range overflow, zero scale
      expect([...flags].sort((a, c) => a - c)).toEqual([0, 1, 2, 3, 4, 8]);
      // no stalls, one long sequence: one input beat per cycle
      const long = inputTransactions(cfg, [syntheticKv(cfg, 8 * cfg.residual + 1, 77)]);
      const r = await simulateBoth(top, golden, long, { seed: 7, icarusTransactions: 0 });
      expect(r.throughput.ii).toBeCloseTo(1, 2);
    });
  }

  // the shared group datapath at its shallowest and deepest pipelines (the block reader is in lockstep
  // with it), including depth 0 with G/P = 1 beat per group (the beat read in the cycle it is
  // written, forwarded around the beat memory).
  for (const [cfg, opts] of [
    [configs[2], { subStages: 0, divStages: 1, roundStages: 0 }],
    [configs[2], { subStages: 0, divStages: 0, roundStages: 0 }],
    [configs[0], { subStages: 0, divStages: 0, roundStages: 0 }],
    [configs[1], { subStages: 3, divStages: fpDivMaxStages(BF16), roundStages: 1 }],
    [configs[2], { fillStages: 1, subStages: 5, divStages: 2, roundStages: 0 }],
  ] as const) {
    it(`group pipeline depths ${JSON.stringify(opts)}: ${JSON.stringify(cfg)}`, async () => {
      const top = quantizerPerChannelRtl(cfg, opts);
      const golden = (ins: Record<string, TxnTable>) => expectedStreams(cfg, ins as { in: TxnTable });
      await simulateBoth(top, golden, inputTransactions(cfg, sequences(cfg, 4, 12)), { seed: 4, stall: 0.25, backpressure: 0.35, icarusTransactions: 200 });
      const r = await simulateBoth(top, golden, inputTransactions(cfg, [syntheticKv(cfg, 8 * cfg.residual + 1, 78)]), { seed: 8, icarusTransactions: 0 });
      expect(r.throughput.ii).toBeCloseTo(1, 2);
    });
  }

  it('lint: Verilator -Wall, Icarus, Yosys synth', async () => {
    for (const [i, cfg] of configs.entries()) {
      const top = quantizerPerChannelRtl(cfg);
      expect(await verilogProblems(writeDesign(top), top.name, { synth: i === 0 })).toEqual([]);
    }
  });

  it('module name and mode check', () => {
    expect(quantizerPerChannelRtl(configs[0]).name).toBe('kv_quant_fp16_chan_b2_g8_d8_p2_r16_f2_s3_v16_n2');
    expect(() => quantizerPerChannelRtl(quantizerConfig({ mode: 'per-token' }))).toThrow(/per-channel/);
  });
});
