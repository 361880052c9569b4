/**
 * nuq RTL against the golden stream model (gen/nuq/stream-model.ts) in Verilator with random
 * stalls and backpressure, Icarus on a prefix (small configs), II = 1 without stalls, and the
 * side-FIFO overflow case: beats whose every lane is an outlier (P per beat, the sparse port drains
 * one per cycle) stall the input until the FIFO has room, and nothing is lost or reordered.
 */
import { describe, expect, it } from 'vitest';
import { simulateBoth } from '../helpers/simulate.ts';
import { nuqConfig, nuqFormat } from '../../gen/nuq/config.ts';
import { nuqUnit } from '../../gen/nuq/index.ts';
import { calibrateNuq } from '../../gen/nuq/calibrate.ts';
import { heavyTailedKeys } from '../../gen/nuq/synthetic.ts';
import { inputTransactions } from '../../gen/nuq/stream-model.ts';
import { FP16 } from '../../hdl/lib/float/format.ts';
import { fpFromNumber } from '../../hdl/lib/float/golden/index.ts';
import type { TxnTable } from '../../data/transactions.ts';
import { Rng } from '../../data/rng.ts';
import { deqTransactions } from '../../gen/nuq/deq-model.ts';
import { verilogProblems, writeDesign } from '../helpers/verilog-checks.ts';
import { calibrateNuqPerToken } from '../../gen/nuq/calibrate.ts';
import { BF16, type FloatFormat } from '../../hdl/lib/float/format.ts';

const configs = [
  nuqConfig({ format: 'fp16', bits: 3, channels: 8, lanes: 4, sparseDepth: 2 }),
  nuqConfig({ format: 'bf16', bits: 2, channels: 8, lanes: 2, sparseDepth: 4, opStages: 1 }),
];

describe('nuq RTL vs golden', () => {
  for (const cfg of configs) {
    it(`${cfg.format} b${cfg.bits} D${cfg.channels} P${cfg.lanes}: random stalls, Icarus prefix, II = 1 unstalled`, async () => {
      const top = nuqUnit.build(cfg);
      const golden = (ins: Record<string, TxnTable>) => nuqUnit.golden(cfg, ins);
      for (const seed of [1, 2]) {
        await simulateBoth(top, golden, nuqUnit.randomStimulus(cfg, seed, 1500), { seed, stall: 0.25, backpressure: 0.35, icarusTransactions: seed === 1 ? 200 : 0 });
      }
      const r = await simulateBoth(top, golden, nuqUnit.randomStimulus(cfg, 7, 1500), { seed: 7, icarusTransactions: 0 });
      expect(r.throughput.ii).toBeLessThan(1.1);
    }, 120_000);
  }

  it('outlier bursts beyond the sparse port: input backpressure, nothing lost (fp16 b3 D8 P4, FIFO 2)', async () => {
    const cfg = configs[0];
    const D = cfg.channels;
    const cal = heavyTailedKeys(FP16, 64, D, 3);
    const cb = calibrateNuq(FP16, cal, 64, D, { bits: cfg.bits, outlierFraction: 0.05, shared: false });
    const burst = new Uint16Array(40 * D).map((_, i) => fpFromNumber(FP16, (i % 3 === 0 ? -1 : 1) * 5000 + i)); // every element an outlier
    const stim = inputTransactions(cfg, [{ load: cb }, { data: heavyTailedKeys(FP16, 20, D, 4) }, { data: burst }, { data: heavyTailedKeys(FP16, 20, D, 5) }]);
    const top = nuqUnit.build(cfg);
    const golden = (ins: Record<string, TxnTable>) => nuqUnit.golden(cfg, ins);
    expect(golden(stim).sp.count).toBeGreaterThanOrEqual(40 * D);
    const r = await simulateBoth(top, golden, stim, { seed: 3, icarusTransactions: 0 });
    // P outliers per beat drain one per cycle: the input runs at about one beat per P cycles there
    expect(r.cycles).toBeGreaterThan(40 * D);
    await simulateBoth(top, golden, stim, { seed: 4, stall: 0.2, backpressure: 0.5, icarusTransactions: 0 });
  }, 120_000);

  // dequantize mode: codes + sparse stream merged by (token, channel); the random stimulus has a
  // burst of outliers on every lane (P per beat), a sequence with none and a table change
  const deqConfigs = [
    nuqConfig({ op: 'dequantize', format: 'fp16', bits: 3, channels: 8, lanes: 4 }),
    nuqConfig({ op: 'dequantize', format: 'bf16', bits: 2, channels: 8, lanes: 2, opStages: 1 }),
  ];
  for (const cfg of deqConfigs) {
    it(`dequantize ${cfg.format} b${cfg.bits} D${cfg.channels} P${cfg.lanes}: sparse merge with random stalls, Icarus prefix; II = 1 without outliers`, async () => {
      const top = nuqUnit.build(cfg);
      const golden = (ins: Record<string, TxnTable>) => nuqUnit.golden(cfg, ins);
      // Icarus gets the whole (small) first stimulus: a prefix of the sparse stream would leave the
      // merge waiting for the rest of its sequence's list, as it must
      for (const [seed, n] of [[1, 40], [2, 600]]) {
        const stim = nuqUnit.randomStimulus(cfg, seed, n);
        expect(stim.sp.count).toBeGreaterThan(3 * cfg.channels); // the burst alone has 3 tokens of outliers
        await simulateBoth(top, golden, stim, { seed, stall: 0.25, backpressure: 0.35, icarusTransactions: seed === 1 ? 1_000_000 : 0 });
      }
      // no outliers: one beat per cycle
      const r0 = new Rng(9);
      const cb = calibrateNuq(nuqFormat(cfg), heavyTailedKeys(nuqFormat(cfg), 64, cfg.channels, 5), 64, cfg.channels, { bits: cfg.bits, outlierFraction: 0, shared: false });
      const codes = Uint8Array.from({ length: 600 * cfg.channels }, () => r0.int(0, 2 ** cfg.bits - 1));
      const stim = deqTransactions(cfg, [{ load: cb }, { codes, outliers: new Int32Array(0) }]);
      const r = await simulateBoth(top, golden, stim, { seed: 5, icarusTransactions: 0 });
      expect(r.throughput.ii).toBeLessThan(1.1);
    }, 180_000);
  }

  it('dequantize mode (default sizes): verilator -Wall, iverilog -g2005 (test/lint covers the default quantize mode)', async () => {
    const top = nuqUnit.build(nuqConfig({ op: 'dequantize' }));
    expect(await verilogProblems(writeDesign(top), top.name, { synth: false })).toEqual([]);
  }, 120_000);

  // per-token mode (README "Per-token hardware"): token buffer, run-time token min / max, mid / half / rcp
  const ptConfigs = [
    nuqConfig({ mode: 'per-token', format: 'fp16', bits: 3, channels: 8, lanes: 4, sparseDepth: 2, trimMax: 3 }),
    nuqConfig({ mode: 'per-token', format: 'bf16', bits: 2, channels: 8, lanes: 2, opStages: 1 }),
  ];
  /** Tokens that reach every special case of the token statistics (D = 8). */
  const specialTokens = (f: FloatFormat): Uint16Array => {
    const fp16 = f === FP16;
    const [nan, inf, ninf, max, nmax] = fp16 ? [0x7e01, 0x7c00, 0xfc00, 0x7bff, 0xfbff] : [0x7fc1, 0x7f80, 0xff80, 0x7f7f, 0xff7f];
    const P = (v: number) => fpFromNumber(f, v);
    const rows = [
      [nan, nan, inf, ninf, nan, inf, nan, nan], // no finite value: lo = hi = mid = half = rcp = +0
      [P(1.5), P(1.5), P(1.5), P(1.5), P(1.5), P(1.5), P(1.5), P(1.5)], // constant: half = 0, rcp = +0
      [0x8000, 0, 0x8000, 0x8000, 0, nan, 0x8000, 0], // zeros: -0 as +0
      [max, nmax, P(1), P(-2), P(3), P(0.5), inf, P(-7)], // fl(hi - lo) overflows: half = +Inf, rcp = +0, x̂ NaN
      [P(1), 0x0001, P(1) + 1, P(1), P(1) + 1, 0x0002, P(1), P(1)], // a wide and a subnormal spread in one token
      [0x0001, 0x0002, 0x0001, 0x0001, 0x0002, 0x0002, 0x0001, 0x0001], // tiny half: fl(1 / half) = +Inf, rcp = +0
      [P(-3), P(2), nan, P(0.25), P(-0.5), ninf, P(2), P(-3)], // ties at lo / hi, specials beside finite values
      [nan, P(2), nan, inf, nan, nan, P(-1), nan], // n = 2: k = min(trim, 0)
      [nan, nan, inf, nan, nan, nan, nan, P(5)], // n = 1
      [P(4), nan, P(-4), P(1), inf, P(-2), P(3), P(0)], // n = 6: k = min(trim, 2); outliers on both sides
    ];
    return Uint16Array.from(rows.flat());
  };
  for (const cfg of ptConfigs) {
    it(`per-token ${cfg.format} b${cfg.bits} D${cfg.channels} P${cfg.lanes} trimMax ${cfg.trimMax}: II = 1 unstalled; special tokens and a table change with random stalls and backpressure, also in Icarus`, async () => {
      const f = nuqFormat(cfg);
      const top = nuqUnit.build(cfg);
      const golden = (ins: Record<string, TxnTable>) => nuqUnit.golden(cfg, ins);
      await simulateBoth(top, golden, nuqUnit.randomStimulus(cfg, 1, 600), { seed: 1, icarusTransactions: 0 }); // trim min(trimMax, 1), then 0
      const cb = calibrateNuqPerToken(f, heavyTailedKeys(f, 32, cfg.channels, 3), 32, cfg.channels, { bits: cfg.bits, outlierFraction: 0, shared: true });
      // one beat per cycle across tokens (trim 0, no specials: no outliers for the one-per-cycle sparse port)
      const r = await simulateBoth(top, golden, inputTransactions(cfg, [{ load: cb }, { data: heavyTailedKeys(f, 150, cfg.channels, 6) }]), { seed: 1, icarusTransactions: 0 });
      expect(r.throughput.ii).toBeLessThan(1.05);
      const sp = specialTokens(f);
      // trims: 2 then trimMax (trimMax 0: 0 and 0); the second table also has other centroids
      const items = [
        { load: { ...cb, trim: Math.min(2, cfg.trimMax) } }, { data: sp }, { data: heavyTailedKeys(f, 6, cfg.channels, 4) },
        { load: { ...cb, trim: cfg.trimMax, centroids: [cb.centroids[0].map((c) => -c).reverse()] } }, { data: sp.slice(3 * cfg.channels) }, { data: heavyTailedKeys(f, 3, cfg.channels, 5) },
      ];
      const special = inputTransactions(cfg, items);
      const g = golden(special);
      expect(g.tk.count).toBe(10 + 6 + 7 + 3);
      await simulateBoth(top, golden, special, { seed: 2, stall: 0.3, backpressure: 0.4, icarusTransactions: 1_000_000 });
    }, 120_000);
  }

  it('per-token mode (default sizes, trimMax 0 and 2): verilator -Wall, iverilog -g2005', async () => {
    for (const trimMax of [0, 2]) {
      const top = nuqUnit.build(nuqConfig({ mode: 'per-token', trimMax }));
      expect(await verilogProblems(writeDesign(top), top.name, { synth: false })).toEqual([]);
    }
  }, 120_000);
});
