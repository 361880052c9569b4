/**
 * FireSim shell DMA, measured in the host harness with the packages' own bare-metal test jobs:
 *
 * - quantizer and selector: cycles of the job with a memory that answers at once (KVHDL_STALL=0)
 *   against the bound max(words read, words written) of a bus moving one 64-bit word per cycle and
 *   direction (the per-token quantizer flushes its residual window only after the last input, so its
 *   real bound is higher);
 * - earlyexit: the same job through the early-exit shell and through the baseline shell
 *   (`earlyExit: false`), both with the DMA serving the key-plane memory port: memory words
 *   requested and cycles, with and without random memory latency and stalls.
 */
import { mkdtempSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { findUnit } from '../gen/registry.ts';
import { writeFiresimHandoff, type FiresimHandoff } from '../fpga/firesim/package.ts';
import { buildHarness, harnessInput, runHarness } from '../fpga/firesim/harness.ts';
import { writeResult } from './result.ts';

interface JobFigures {
  cycles: number;
  read: number;
  written: number;
  memReads: number;
}

function parseJob(out: string): JobFigures {
  const m = /: (\d+) cycles, (\d+) words read, (\d+) words written/.exec(out);
  if (!m) throw new Error(`bench firesim: no job line in\n${out}`);
  const mr = /: (\d+) memory words requested/.exec(out);
  return { cycles: Number(m[1]), read: Number(m[2]), written: Number(m[3]), memReads: mr ? Number(mr[1]) : 0 };
}

async function runPackage(unitName: string, config: Record<string, unknown>): Promise<{ h: FiresimHandoff; fast: JobFigures; slow: JobFigures }> {
  const unit = findUnit(unitName)!;
  const dir = mkdtempSync(path.join(os.tmpdir(), `kvhdl-bench-firesim-${unitName}-`));
  const h = writeFiresimHandoff({ unit, config: unit.schema.parse(config), out: path.join(dir, 'pkg') });
  const b = await buildHarness(harnessInput(h, dir));
  const fast = await runHarness(b.exe, { stall: false });
  const slow = await runHarness(b.exe, { seed: 1 });
  for (const r of [fast, slow]) if (r.exitCode !== 0) throw new Error(`bench firesim: ${unitName} job failed\n${r.stdout}\n${r.stderr}`);
  return { h, fast: parseJob(fast.stdout), slow: parseJob(slow.stdout) };
}

function dmaBound(name: string, metric: string, r: { h: FiresimHandoff; fast: JobFigures; slow: JobFigures }): void {
  const { fast: f, slow: s } = r;
  const bound = Math.max(f.read, f.written);
  writeResult({
    name,
    metric,
    value: f.cycles,
    unit: 'cycles',
    baseline: bound,
    ratio: Math.round((f.cycles / bound) * 1000) / 1000,
    wordsRead: f.read,
    wordsWritten: f.written,
    wordsPerCycle: Math.round(((f.read + f.written) / f.cycles) * 1000) / 1000,
    cyclesWithRandomStalls: s.cycles,
    top: r.h.design.top,
  });
}

export async function benchFiresim(): Promise<void> {
  dmaBound('firesim-quantizer-dma', 'job cycles, default quantizer shell, memory without latency', await runPackage('quantizer', {}));
  const sel = await runPackage('selector', {});
  dmaBound('firesim-selector-dma', `job cycles, default selector shell (${sel.h.job.rows} input records), memory without latency`, sel);

  const ee = await runPackage('earlyexit', {});
  const base = await runPackage('earlyexit', { earlyExit: false });
  const keys = ee.h.job.outputs.find((o) => o.name === 'key')!.records;
  writeResult({
    name: 'firesim-earlyexit-memory-words',
    metric: `key-plane words the DMA fetched for the unit, default earlyexit shell vs its baseline (earlyExit false), package test job (${ee.h.job.rows} rows, ${keys} keys)`,
    value: ee.fast.memReads,
    unit: 'words',
    baseline: base.fast.memReads,
    ratio: Math.round((ee.fast.memReads / base.fast.memReads) * 1000) / 1000,
    cycles: ee.fast.cycles,
    baselineCycles: base.fast.cycles,
    cyclesWithRandomStalls: ee.slow.cycles,
    baselineCyclesWithRandomStalls: base.slow.cycles,
    wordsRead: ee.fast.read,
    baselineWordsRead: base.fast.read,
    note: 'the package test job is the unit\'s edge-case stimulus (theta at extremes and at scores), not a model of real attention rows; bench/earlyexit.ts measures the ratio on heavy-tailed data',
    top: ee.h.design.top,
  });
}
