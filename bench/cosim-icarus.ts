/**
 * The Icarus back end's build/run split: a unit is co-simulated twice with Icarus in a fresh cache
 * directory; the first run compiles the testbench and the design (`iverilog` → `.vvp`, cached by
 * content hash), the second finds the compiled `.vvp` and only runs `vvp` with plusargs.
 *
 *   npx tsx bench/cosim-icarus.ts      (also part of `npm run bench`)
 *
 * Entries: `cosim-icarus-second-run-<unit>` (wall time of a repeated runUnit, median of 3, baseline
 * the first) and `cosim-icarus-build-cached-<unit>` (the build step of that run, baseline the first's).
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findUnit } from '../gen/registry.ts';
import { parseConfig } from '../gen/config.ts';
import { runUnit } from '../flow/unit-run.ts';
import { cacheRoot } from '../cosim/cache-root.ts';
import { writeResult } from './result.ts';

const UNITS = ['minmax', 'quantizer'] as const;
const TRANSACTIONS = 200;
const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;

export async function benchCosimIcarus(): Promise<void> {
  const root = path.join(cacheRoot(), 'bench');
  await fs.mkdir(root, { recursive: true });
  for (const name of UNITS) {
    const unit = findUnit(name);
    if (!unit) throw new Error(`bench cosim-icarus: no unit ${name}`);
    const cfg = parseConfig(unit, {});
    const work = await fs.mkdtemp(path.join(root, `icarus-${name}-`));
    try {
      const stimulus = unit.randomStimulus(cfg, 1, TRANSACTIONS);
      const expected = unit.golden(cfg, stimulus);
      const once = async (k: number) => {
        const t0 = performance.now();
        const r = await runUnit(unit, cfg, stimulus, { simulator: 'icarus', seed: 1, stall: 0.2, workDir: path.join(work, `run${k}`), cacheDir: path.join(work, 'cache'), expected });
        const seconds = (performance.now() - t0) / 1000;
        if (!r.ok) throw new Error(`bench cosim-icarus ${name}: ${r.problem}`);
        return { seconds, r };
      };
      const first = await once(1);
      const again = [await once(2), await once(3), await once(4)];
      for (const a of again) if (a.r.cycles !== first.r.cycles) throw new Error(`bench cosim-icarus ${name}: identical runs took ${first.r.cycles} and ${a.r.cycles} cycles`);
      const second = [...again].sort((x, y) => x.seconds - y.seconds)[1]; // the median of the repeated runs
      writeResult({
        name: `cosim-icarus-second-run-${name}`,
        metric: `wall time of a repeated identical Icarus runUnit (median of 3; ${name} default, ${TRANSACTIONS} transactions, stall 0.2), same cache dir; baseline the first run`,
        value: round(second.seconds),
        unit: 's',
        baseline: round(first.seconds),
        ratio: round(second.seconds / first.seconds),
        cycles: second.r.cycles,
        loadAverage1m: round(os.loadavg()[0]),
      });
      const b1 = first.r.build;
      const b2 = second.r.build;
      if (b1 && b2) {
        if (b1.cached || !b2.cached) throw new Error(`bench cosim-icarus ${name}: expected a cold then a cached build, got ${b1.cached}, ${b2.cached}`);
        writeResult({
          name: `cosim-icarus-build-cached-${name}`,
          metric: `build step (iverilog → .vvp, content-hash cache) of the second run (${name} default); baseline the first, cold one`,
          value: round(b2.seconds),
          unit: 's',
          baseline: round(b1.seconds),
          ratio: round(b2.seconds / b1.seconds),
        });
      }
    } finally {
      await fs.rm(work, { recursive: true, force: true });
    }
  }
}

const isEntry = process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isEntry) await benchCosimIcarus();
