/**
 * quantizer per-token RTL (gen/quantizer/rtl-per-token.ts) against the golden model
 * (golden.ts quantizeTensor, through stream-model.ts) in Verilator with random stalls and
 * backpressure (several seeds) and Icarus (a prefix of the input: an unfinished sequence), on
 * synthetic KV caches and edge-case tensors (synthetic.ts), several sequences back to back
 * (T < R, T = R, T > R); II = 1 without stalls; Verilator / Icarus / Yosys lint.
 */
import { describe, expect, it } from 'vitest';
import { quantizerConfig, type QuantizerConfig } from '../../gen/quantizer/config.ts';
import { perTokenTiming, quantizerPerTokenRtl } from '../../gen/quantizer/rtl-per-token.ts';
import { expectedStreams, inputTransactions } from '../../gen/quantizer/stream-model.ts';
import { edgeCaseTensor, syntheticKv } from '../../gen/quantizer/synthetic.ts';
import { quantizeTensor, FLAG_INVALID, FLAG_ZERO_SCALE } from '../../gen/quantizer/golden.ts';
import { TxnTable } from '../../data/transactions.ts';
import { simulateBoth } from '../helpers/simulate.ts';
import { verilogProblems, writeDesign } from '../helpers/verilog-checks.ts';

const cfgOf = (raw: Partial<QuantizerConfig>) => quantizerConfig({ mode: 'per-token', ...raw });

/** Sequences of several lengths around R, alternating synthetic KV and edge-case tensors. */
function stimulus(cfg: QuantizerConfig, seed: number) {
  const R = cfg.residual;
  const lengths = [R + 6, Math.max(1, R - 1), R + 1, R, R + 9, 1, R + 4];
  const seqs = lengths.map((T) => Math.max(1, T)).map((T, i) => (i % 2 ? syntheticKv(cfg, T, seed * 100 + i) : edgeCaseTensor(cfg, T, seed * 100 + i)));
  return { seqs, inputs: inputTransactions(cfg, seqs) };
}

const golden = (cfg: QuantizerConfig) => (ins: Record<string, TxnTable>) => expectedStreams(cfg, { in: ins.in });

const configs: Partial<QuantizerConfig>[] = [
  { format: 'fp16', bits: 2, groupSize: 8, channels: 16, lanes: 2, residual: 4 },
  { format: 'fp16', bits: 4, groupSize: 16, channels: 32, lanes: 4, residual: 0 },
  { format: 'fp16', bits: 8, groupSize: 8, channels: 32, lanes: 4, residual: 4 },
  { format: 'bf16', bits: 2, groupSize: 16, channels: 64, lanes: 4, residual: 4 },
  { format: 'bf16', bits: 4, groupSize: 8, channels: 16, lanes: 2, residual: 0 },
  { format: 'bf16', bits: 8, groupSize: 16, channels: 32, lanes: 2, residual: 4 },
  // corner geometries: G = P (one beat per group), P = 1 with b = 1, R = 1
  { format: 'fp16', bits: 8, groupSize: 4, channels: 16, lanes: 4, residual: 2 },
  { format: 'bf16', bits: 1, groupSize: 32, channels: 64, lanes: 1, residual: 1 },
];

describe('quantizer per-token RTL against the golden model', () => {
  for (const raw of configs) {
    const cfg = cfgOf(raw);
    it(`stalls (Verilator seeds 1-3, Icarus prefix), II = 1: ${JSON.stringify(raw)}`, async () => {
      const top = quantizerPerTokenRtl(cfg);
      for (const seed of [1, 2, 3]) {
        const { inputs } = stimulus(cfg, seed);
        await simulateBoth(top, golden(cfg), inputs, { seed, stall: 0.25, backpressure: 0.3, icarusTransactions: seed === 1 ? 150 : 0 });
      }
      // no stalls: sequences of at least R tokens back to back, II = 1 across groups, tokens and flushes
      const x = syntheticKv(cfg, cfg.residual + 40, 9);
      const more = [edgeCaseTensor(cfg, cfg.residual + 3, 10), syntheticKv(cfg, Math.max(1, cfg.residual), 11), edgeCaseTensor(cfg, cfg.residual + 1, 12)];
      const r = await simulateBoth(top, golden(cfg), inputTransactions(cfg, [x, ...more]), { seed: 9, icarusTransactions: 0 });
      expect(r.throughput.ii).toBe(1);
      const tm = perTokenTiming(cfg);
      expect(r.latency).toBe(tm.windowBeats + cfg.groupSize / cfg.lanes - 1 + tm.grpLatency);
      const want = [x, ...more].map((s) => quantizeTensor(cfg, s));
      const sum = (f: (w: (typeof want)[number]) => number) => want.reduce((a, w) => a + f(w), 0);
      expect(r.transactions.q).toBe(sum((w) => (w.Tq * cfg.channels) / cfg.lanes));
      expect(r.transactions.grp).toBe(sum((w) => w.flags.length));
      expect(r.transactions.res).toBe(sum((w) => w.residual.length / cfg.lanes));
    });
  }

  for (const raw of [configs[0], configs[3]]) {
    const cfg = cfgOf(raw);
    it(`an unfinished last sequence (no in_eos): the groups that left the window so far: ${JSON.stringify(raw)}`, async () => {
      const { inputs } = stimulus(cfg, 4);
      const n = inputs.in.count - (cfg.residual * cfg.channels) / cfg.lanes - 3; // cut inside the last sequence
      const cut = new TxnTable(inputs.in.fields, n, inputs.in.words.slice(0, n * inputs.in.stride));
      expect(cut.lane(n - 1, 'eos', 1, 0, false)).toBe(0);
      await simulateBoth(quantizerPerTokenRtl(cfg), golden(cfg), { in: cut }, { seed: 4, stall: 0.3, backpressure: 0.3, icarusTransactions: 0 });
    });
  }

  it('stream model: a token\'s q beats concatenated LSB-first are its packed row; grp and res follow the tensors', () => {
    for (const raw of configs) {
      const cfg = cfgOf(raw);
      const { seqs, inputs } = stimulus(cfg, 5);
      const out = expectedStreams(cfg, inputs);
      const bpt = cfg.channels / cfg.lanes;
      let qk = 0;
      let gk = 0;
      let rk = 0;
      for (const x of seqs) {
        const r = quantizeTensor(cfg, x);
        const wpr = (cfg.channels * cfg.bits) / 32;
        for (let t = 0; t < r.Tq; t++) {
          let bitsAcc = 0n;
          for (let k = 0; k < bpt; k++) bitsAcc |= out.q.get(qk + t * bpt + k, 'codes') << BigInt(k * cfg.lanes * cfg.bits);
          for (let w = 0; w < wpr; w++) expect(Number((bitsAcc >> BigInt(32 * w)) & 0xffffffffn)).toBe(r.packed[t * wpr + w]);
        }
        qk += r.Tq * bpt;
        for (let g = 0; g < r.flags.length; g++, gk++) {
          expect([out.grp.get(gk, 'scale'), out.grp.get(gk, 'min'), out.grp.get(gk, 'flags')]).toEqual([BigInt(r.scale[g]), BigInt(r.min[g]), BigInt(r.flags[g])]);
        }
        const rb = r.residual.length / cfg.lanes;
        for (let k = 0; k < rb; k++, rk++) {
          for (let i = 0; i < cfg.lanes; i++) expect(out.res.lane(rk, 'data', 16, i, false)).toBe(r.residual[k * cfg.lanes + i]);
          expect(out.res.get(rk, 'last')).toBe(k === rb - 1 ? 1n : 0n);
        }
      }
      expect([qk, gk, rk]).toEqual([out.q.count, out.grp.count, out.res.count]);
    }
  });

  it('the edge-case stimulus reaches every flag kind', () => {
    const cfg = cfgOf(configs[0]);
    const kinds = new Set<number>();
    for (const seed of [1, 2, 3]) {
      for (const x of stimulus(cfg, seed).seqs) for (const fl of quantizeTensor(cfg, x).flags) kinds.add(fl & FLAG_INVALID ? fl & FLAG_INVALID : fl & FLAG_ZERO_SCALE);
    }
    expect([...kinds].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 8]);
  });

  it('lint: verilator -Wall, iverilog, yosys', async () => {
    for (const raw of [configs[0], configs[4]]) {
      const top = quantizerPerTokenRtl(cfgOf(raw));
      expect(await verilogProblems(writeDesign(top), top.name)).toEqual([]);
    }
  });

  it('rejects per-channel configurations', () => {
    expect(() => quantizerPerTokenRtl(quantizerConfig({ mode: 'per-channel', residual: 32, groupSize: 32 }))).toThrow(/per-token/);
  });
});
