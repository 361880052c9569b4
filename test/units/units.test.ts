import { describe, expect, it } from 'vitest';
import { units } from '../../gen/registry.ts';
import { parseConfig } from '../../gen/config.ts';
import { simulateBoth } from '../helpers/simulate.ts';
import { Rng } from '../../data/rng.ts';
import { treeLevels } from '../../hdl/lib/index.ts';

// Extra configurations per unit beyond its defaults (edge widths, odd lane counts, deep pipelines).
const sweeps: Record<string, Record<string, unknown>[]> = {
  minmax: [
    { lanes: 1, width: 2, stages: 0 },
    { lanes: 5, width: 7, stages: 3 },
    { lanes: 3, width: 33, stages: 1 },
    { lanes: 16, width: 64, stages: 2 },
  ],
};

// npm run regress: 20 random minmax configurations more.
if (process.env.KVHDL_REGRESS) {
  const rng = new Rng(2024);
  for (let i = 0; i < 20; i++) {
    const lanes = rng.int(1, 40);
    sweeps.minmax.push({ lanes, width: rng.int(2, 64), stages: rng.int(0, treeLevels(lanes)) });
  }
}

// Default configurations too large for Icarus (attention: D = 128 lanes of accumulators and
// dequantizers run ~100 cycles/s there, minutes per row); test/units/attention-rtl.test.ts runs a
// small attention configuration in Icarus instead.
const icarusTooSlow = new Set(['attention']);

describe('every unit against its golden model in Verilator (random stalls) and Icarus (a subset)', () => {
  for (const unit of units) {
    const configs = [{}, ...(sweeps[unit.name] ?? [])];
    for (const raw of configs) {
      const cfg = parseConfig(unit, raw);
      it(`${unit.name} ${JSON.stringify(cfg)}`, async () => {
        const top = unit.build(cfg);
        const golden = (ins: Parameters<typeof unit.golden>[1]) => unit.golden(cfg, ins);
        const memories = unit.memories?.(cfg) ?? [];
        if (memories.length) {
          // A unit that reads a memory (earlyexit): random memory latency on top of the stalls, in
          // Verilator and (a few rows: one input transaction is a whole row of keys) Icarus. Its input
          // rate is set by the memory traffic, so there is no II ≈ 1 to expect; an unstalled run with
          // fixed latency must still pass.
          for (const seed of [1, 2, 3]) {
            await simulateBoth(top, golden, unit.randomStimulus(cfg, seed, 4000), { seed, stall: 0.25, backpressure: 0.35, memLatency: [1, 12], memories, icarusTransactions: seed === 1 && !icarusTooSlow.has(unit.name) ? 12 : 0 });
          }
          await simulateBoth(top, golden, unit.randomStimulus(cfg, 7, 4000), { seed: 7, memLatency: [1, 1], memories, icarusTransactions: 0 });
          return;
        }
        for (const seed of [1, 2, 3]) {
          await simulateBoth(top, golden, unit.randomStimulus(cfg, seed, 4000), { seed, stall: 0.25, backpressure: 0.35, icarusTransactions: seed === 1 ? 400 : 0 });
        }
        // unstalled: one input transaction per cycle
        const r = await simulateBoth(top, golden, unit.randomStimulus(cfg, 7, 4000), { seed: 7, icarusTransactions: 0 });
        expect(r.throughput.ii).toBeCloseTo(1, 2);
      });
    }
  }
});
