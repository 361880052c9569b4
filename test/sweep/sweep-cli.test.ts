/**
 * `kvhdl sweep` as separate processes: three shards merged equal one single-process sweep, and an
 * interrupted sweep (SIGINT) resumes without redoing its finished points. Co-simulation only
 * (`--targets none`) on tiny minmax configurations, to keep the test short.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import * as path from 'node:path';
import { execa } from 'execa';
import { needTools } from '../helpers/tools.ts';

needTools('verilator', 'ccache');

const MAIN = path.resolve('cli/main.ts');
const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'kvhdl-sweep-'));
const kvhdl = (args: string[], env: Record<string, string> = {}) =>
  execa(process.execPath, ['--import', 'tsx', MAIN, ...args], { reject: false, timeout: 300_000, env, cwd: path.resolve('.') });

describe('kvhdl sweep (processes)', () => {
  it('three shards as separate processes, merged, equal the single-process sweep', async () => {
    const dir = tmp();
    const grid = path.join(dir, 'grid.json');
    // 6 raw points: lanes=1 stages=1 is invalid (stages <= ceil(log2 lanes)), 5 valid
    writeFileSync(grid, JSON.stringify({ base: { width: 4 }, fields: { lanes: [1, 2, 3], stages: [0, 1] } }));
    const common = ['--grid', grid, '--targets', 'none', '--transactions', '16', '--jobs', '2'];
    const single = await kvhdl(['sweep', 'minmax', ...common, '--out', path.join(dir, 'single')], { KVHDL_SWEEP_CACHE_DIR: path.join(dir, 'cache-single') });
    expect(single.stderr).toMatch(/skipped point 1 \{"width":4,"lanes":1,"stages":1\}: field 'stages': must be at most 0/);
    expect(single.exitCode, single.stderr).toBe(0);
    expect(single.stdout).toMatch(/^5 point\(s\) \(5 computed, 0 cached\), 1 invalid skipped/);
    const shards = await Promise.all([1, 2, 3].map((i) =>
      kvhdl(['sweep', 'minmax', ...common, '--jobs', '1', '--shard', `${i}/3`, '--out', path.join(dir, `shard${i}`)], { KVHDL_SWEEP_CACHE_DIR: path.join(dir, 'cache-shards') })));
    for (const s of shards) expect(s.exitCode, s.stderr).toBe(0);
    expect(shards.map((s) => /^(\d+) point/.exec(s.stdout)?.[1])).toEqual(['2', '2', '1']);
    // every shard computed its own points: nothing came from the single run's cache
    expect(shards.every((s) => / 0 cached\)/.test(s.stdout))).toBe(true);
    const merged = await kvhdl(['sweep', 'merge', ...[1, 2, 3].map((i) => path.join(dir, `shard${i}`)), '--out', path.join(dir, 'merged')]);
    expect(merged.exitCode, merged.stderr).toBe(0);
    expect(merged.stdout).toMatch(/^merged 3 shard\(s\): 5 point\(s\)/);
    const read = (d: string, f: string) => readFileSync(path.join(dir, d, f), 'utf8');
    expect(read('merged', 'sweep.csv')).toBe(read('single', 'sweep.csv'));
    expect(read('single', 'sweep.csv').trim().split('\n')).toHaveLength(6);
    const strip = (t: string) => {
      const j = JSON.parse(t);
      for (const p of j.points) delete p.seconds, delete p.cached;
      return j;
    };
    expect(strip(read('merged', 'sweep.json'))).toEqual(strip(read('single', 'sweep.json')));
    for (const f of readdirSync(path.join(dir, 'single', 'plots'))) expect(read('merged', `plots/${f}`)).toBe(read('single', `plots/${f}`));
    // a missing shard is refused with one line, exit 2
    const partial = await kvhdl(['sweep', 'merge', path.join(dir, 'shard1'), path.join(dir, 'shard3'), '--out', path.join(dir, 'partial')]);
    expect(partial.exitCode).toBe(2);
    expect(partial.stderr.trim()).toBe('kvhdl sweep: shard(s) 2/3 missing');
  }, 300_000);

  it('Ctrl-C (SIGINT) stops cleanly; the rerun does not redo finished points', async () => {
    const dir = tmp();
    const grid = path.join(dir, 'grid.json');
    writeFileSync(grid, JSON.stringify({ base: { width: 5, stages: 0 }, fields: { lanes: [1, 2, 3] } }));
    // a fresh build cache: each point builds its Verilator model (seconds), so the interrupt lands mid-sweep
    const env = { KVHDL_SWEEP_CACHE_DIR: path.join(dir, 'points'), KVHDL_CACHE_DIR: path.join(dir, 'build-cache') };
    const args = ['sweep', 'minmax', '--grid', grid, '--targets', 'none', '--transactions', '16', '--jobs', '1', '--out', path.join(dir, 'out')];
    const child = kvhdl(args, env);
    await new Promise<void>((resolve) => {
      child.stderr!.on('data', (b: Buffer) => {
        if (/\[1\/3\]/.test(b.toString())) resolve();
      });
    });
    child.kill('SIGINT');
    const first = await child;
    expect(first.exitCode, first.stderr).toBe(130);
    const m = /interrupted: (\d+) of 3 point\(s\) done and cached; rerun the same command to resume/.exec(first.stderr);
    expect(m, first.stderr).not.toBeNull();
    const done = Number(m![1]);
    expect(done).toBeGreaterThanOrEqual(1);
    expect(done).toBeLessThan(3);
    expect(readdirSync(path.join(dir, 'points')).filter((f) => f.endsWith('.json'))).toHaveLength(done);
    expect(readdirSync(dir)).not.toContain('out'); // nothing written on interrupt
    const second = await kvhdl(args, env);
    expect(second.exitCode, second.stderr).toBe(0);
    expect(second.stdout).toMatch(new RegExp(`^3 point\\(s\\) \\(${3 - done} computed, ${done} cached\\)`));
    expect(second.stderr.match(/: cached /g) ?? []).toHaveLength(done);
    expect(readFileSync(path.join(dir, 'out', 'sweep.csv'), 'utf8').trim().split('\n')).toHaveLength(4);
  }, 300_000);
});
