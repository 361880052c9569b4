/**
 * FireSim shell DMA: cycles of the default quantizer package's bare-metal test job in the host
 * harness with a memory that answers at once (KVHDL_STALL=0), against the bound max(words read,
 * words written) of a bus moving one 64-bit word per cycle and direction (the per-token quantizer
 * flushes its residual window only after the last input, so its real bound is higher).
 */
import { mkdtempSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { findUnit } from '../gen/registry.ts';
import { writeFiresimHandoff } from '../fpga/firesim/package.ts';
import { buildHarness, harnessInput, runHarness } from '../fpga/firesim/harness.ts';
import { writeResult } from './result.ts';

export async function benchFiresim(): Promise<void> {
  const unit = findUnit('quantizer')!;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kvhdl-bench-firesim-'));
  const h = writeFiresimHandoff({ unit, config: unit.schema.parse({}), out: path.join(dir, 'pkg') });
  const b = await buildHarness(harnessInput(h, dir));
  const fast = await runHarness(b.exe, { stall: false });
  const slow = await runHarness(b.exe, { seed: 1 });
  const parse = (out: string) => {
    const m = /: (\d+) cycles, (\d+) words read, (\d+) words written/.exec(out);
    if (!m) throw new Error(`bench firesim: no job line in\n${out}`);
    return { cycles: Number(m[1]), read: Number(m[2]), written: Number(m[3]) };
  };
  const f = parse(fast.stdout);
  const s = parse(slow.stdout);
  const bound = Math.max(f.read, f.written);
  writeResult({
    name: 'firesim-quantizer-dma',
    metric: 'job cycles, default quantizer shell, memory without latency',
    value: f.cycles,
    unit: 'cycles',
    baseline: bound,
    ratio: Math.round((f.cycles / bound) * 1000) / 1000,
    wordsRead: f.read,
    wordsWritten: f.written,
    wordsPerCycle: Math.round(((f.read + f.written) / f.cycles) * 1000) / 1000,
    cyclesWithRandomStalls: s.cycles,
    top: h.design.top,
  });
}
