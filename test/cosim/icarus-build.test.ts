// The Icarus back end's build/run split (cosim/icarus/build.ts): one compile per design, cached by
// content hash; every run-time value (counts, seeds, probabilities, limits) reaches vvp as plusargs
// and in tb.args.
import { appendFile, mkdtemp, readFile, rm, truncate, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findUnit } from '../../gen/registry.ts';
import { designFromModule } from '../../hdl/ports/from-module.ts';
import { icarusRun, testbenchArgs } from '../../cosim/icarus/index.ts';
import { runTool } from '../../toolchain/run-tool.ts';
import { needTools } from '../helpers/tools.ts';

needTools('iverilog');

const unit = findUnit('minmax')!;
const cfg = unit.schema.parse({ lanes: 2, width: 8 });

describe('icarus build cache', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'kvhdl-icarus-build-'));
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('compiles a design once: another seed, stall and stimulus run the cached .vvp with other plusargs', async () => {
    const design = designFromModule(unit.build(cfg), path.join(dir, 'rtl-a'));
    const cacheDir = path.join(dir, 'cache-a');
    const a = await icarusRun(design, unit.randomStimulus(cfg, 1, 30), { seed: 1, stall: 0, backpressure: 0, cacheDir, runDir: path.join(dir, 'run-a1') });
    expect(a.build.cached).toBe(false);
    expect(a.build.vvp).toBe(path.join(cacheDir, 'icarus', a.build.key, 'tb.vvp'));
    const stim = unit.randomStimulus(cfg, 2, 20);
    const b = await icarusRun(design, stim, { seed: 7, stall: 0.5, backpressure: 0.5, cacheDir, runDir: path.join(dir, 'run-a2') });
    expect(b.build.cached).toBe(true);
    expect(b.build.key).toBe(a.build.key);
    expect(b.consumed.in).toBe(stim.in.count);
    // the command is vvp on the cached build, with exactly the run's values (also in tb.args)
    const args = (await readFile(path.join(dir, 'run-a2', 'tb.args'), 'utf8')).trim().split('\n');
    expect(args).toContain('+kvtb_stall_t=32768');
    expect(args).toContain(`+kvtb_in_n=${stim.in.count}`);
    expect(b.command).toBe(`vvp -n ${b.build.vvp} ${args.join(' ')}`);
    expect(a.cycles).not.toBe(b.cycles);
  });

  it('rebuilds a damaged entry, and a changed design file is a new entry', async () => {
    const design = designFromModule(unit.build(cfg), path.join(dir, 'rtl-b'));
    const cacheDir = path.join(dir, 'cache-b');
    const stim = unit.randomStimulus(cfg, 3, 10);
    const first = await icarusRun(design, stim, { cacheDir });
    await truncate(first.build.vvp, 10);
    const again = await icarusRun(design, stim, { cacheDir });
    expect(again.build.cached).toBe(false);
    expect(again.build.key).toBe(first.build.key);
    expect(again.cycles).toBe(first.cycles);
    await appendFile(design.files[0], '\n// changed\n');
    const changed = await icarusRun(design, stim, { cacheDir });
    expect(changed.build.cached).toBe(false);
    expect(changed.build.key).not.toBe(first.build.key);
  });

  it('the run directory repeats the run from tb.args, and names a missing value without it', async () => {
    const design = designFromModule(unit.build(cfg), path.join(dir, 'rtl-c'));
    const runDir = path.join(dir, 'run-c');
    const r = await icarusRun(design, unit.randomStimulus(cfg, 4, 15), { seed: 4, runDir, cacheDir: path.join(dir, 'cache-c') });
    const again = await runTool('vvp', ['-n', 'tb.vvp'], { cwd: runDir, timeoutMs: 60_000 });
    expect(again.stdout).toContain(`KVHDL:END 0 ${r.cycles} `);
    // a plusarg wins over tb.args: another seed, another schedule
    const other = await runTool('vvp', ['-n', 'tb.vvp', '+kvtb_in_seed=99', '+kvtb_out_seed=98'], { cwd: runDir, timeoutMs: 60_000 });
    expect(other.stdout).toMatch(/KVHDL:END 0 \d+ /);
    expect(other.stdout).not.toContain(`KVHDL:END 0 ${r.cycles} `);
    await unlink(path.join(runDir, 'tb.args'));
    const bare = await runTool('vvp', ['-n', 'tb.vvp'], { cwd: runDir, timeoutMs: 60_000 });
    expect(bare.stdout).toContain('KVHDL:FATAL run-time value +kvtb_reset_cycles missing');
    expect(bare.stdout).not.toContain('KVHDL:END');
    expect(testbenchArgs(design, { seed: 4, stall: 0, backpressure: 0, hangCycles: 5, drainCycles: 6, maxCycles: 7, resetCycles: 8, counts: { in: 3 }, staticInputs: {} }).slice(0, 6)).toEqual([
      '+kvtb_reset_cycles=8',
      '+kvtb_hang_cycles=5',
      '+kvtb_drain_cycles=6',
      '+kvtb_max_cycles=7',
      '+kvtb_stall_t=0',
      '+kvtb_backpressure_t=0',
    ]);
  });
});
