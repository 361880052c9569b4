// Robustness of the Verilator build cache (reliability issue #13, item 15): entries readable by
// other users (and a per-user fallback when the shared cache is not writable), the simulator's
// size and sha256 checked before use, interrupted builds' temp directories cleaned.
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cosim, formatReport } from '../../cosim/cosim.ts';
import { REPO_ROOT, userCacheRoot } from '../../cosim/cache-root.ts';
import { processStartTime } from '../../toolchain/process-start.ts';
import { accumDesign, accumGolden, accumStimulus } from '../fixtures/verilog/designs.ts';

let tmp: string;
beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'kvhdl-build-cache-'));
  await fs.chmod(tmp, 0o755); // other users must reach the cache inside
});
afterAll(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
  if (process.getuid?.() === 0) await fs.rm(path.join(os.tmpdir(), 'kvhdl-cache-65534'), { recursive: true, force: true });
});

const mode = async (p: string) => ((await fs.stat(p)).mode & 0o777).toString(8);

async function onlyEntry(cacheDir: string): Promise<string> {
  const root = path.join(cacheDir, 'verilator');
  const entries = (await fs.readdir(root)).filter((e) => /^[0-9a-f]{32}$/.test(e));
  expect(entries).toHaveLength(1);
  return path.join(root, entries[0]);
}

describe('Verilator build cache', () => {
  it('entries are readable by others, and another user runs a build cached by root (and its run goes to a per-user cache)', async () => {
    const cacheDir = path.join(tmp, 'shared');
    const r = await cosim(accumDesign(), accumGolden, accumStimulus(1, 50), { cacheDir });
    expect(r.ok, formatReport(r)).toBe(true);
    const entry = await onlyEntry(cacheDir);
    expect(await mode(entry)).toBe('755');
    expect(await mode(path.join(entry, 'sim'))).toBe('755');
    expect(await mode(path.join(entry, 'key.json'))).toBe('644');
    expect(await mode(path.join(entry, 'tb.cpp'))).toBe('644');
    expect(await mode(path.join(entry, 'obj'))).toBe('755');
    const key = JSON.parse(await fs.readFile(path.join(entry, 'key.json'), 'utf8'));
    expect(key.artifact.size).toBe((await fs.stat(path.join(entry, 'sim'))).size);
    expect(key.artifact.sha256).toMatch(/^[0-9a-f]{64}$/);

    if (process.getuid?.() !== 0) return; // the other-user half needs root to switch users
    const script = path.join(tmp, 'as-nobody.mts');
    await fs.writeFile(
      script,
      `import { cosim } from ${JSON.stringify(path.join(REPO_ROOT, 'cosim/cosim.ts'))};
import { accumDesign, accumGolden, accumStimulus } from ${JSON.stringify(path.join(REPO_ROOT, 'test/fixtures/verilog/designs.ts'))};
const r = await cosim(accumDesign(), accumGolden, accumStimulus(1, 50), { cacheDir: ${JSON.stringify(cacheDir)}, log: (l) => console.error(l) });
console.log(JSON.stringify({ ok: r.ok, cached: r.buildCached, runDir: r.runDir, runDirKept: r.runDirKept }));
`,
    );
    await fs.chmod(script, 0o644);
    const child = await execa('node', ['--import', 'tsx', script], {
      uid: 65534,
      gid: 65534,
      cwd: REPO_ROOT,
      env: { HOME: tmp, TMPDIR: os.tmpdir() },
      reject: false,
      timeout: 120_000,
    });
    expect(child.exitCode, child.stderr).toBe(0);
    const out = JSON.parse(child.stdout);
    expect(out).toMatchObject({ ok: true, cached: true });
    const user = path.join(os.tmpdir(), 'kvhdl-cache-65534');
    expect(child.stderr.trim()).toBe(`kvhdl: the cache ${cacheDir} is not writable (EACCES); using ${user} for new builds and runs`);
    expect(userCacheRoot()).toBe(path.join(os.tmpdir(), `kvhdl-cache-${process.getuid?.()}`));
  });

  it('rebuilds a cached simulator that was truncated (size and sha256 recorded at build time)', async () => {
    const cacheDir = path.join(tmp, 'truncated');
    const first = await cosim(accumDesign(), accumGolden, accumStimulus(2, 50), { cacheDir });
    expect(first.ok, formatReport(first)).toBe(true);
    const entry = await onlyEntry(cacheDir);
    const sim = path.join(entry, 'sim');
    const size = (await fs.stat(sim)).size;
    await fs.truncate(sim, 0);

    const lines: string[] = [];
    const again = await cosim(accumDesign(), accumGolden, accumStimulus(2, 50), { cacheDir, log: (l) => lines.push(l) });
    expect(again.ok, formatReport(again)).toBe(true);
    expect(again.buildCached).toBe(false);
    expect(lines[0]).toBe(`kvhdl: the cached simulator ${sim} is unusable (0 bytes, built as ${size}); rebuilding it`);
    expect((await fs.stat(sim)).size).toBe(size);

    // Same size, different bytes: caught by the hash.
    const fd = await fs.open(sim, 'r+');
    await fd.write(Buffer.from([0xde, 0xad]), 0, 2, 100);
    await fd.close();
    const lines2: string[] = [];
    const third = await cosim(accumDesign(), accumGolden, accumStimulus(2, 50), { cacheDir, log: (l) => lines2.push(l) });
    expect(third.ok, formatReport(third)).toBe(true);
    expect(third.buildCached).toBe(false);
    expect(lines2[0]).toMatch(/is unusable \(its sha256 differs from the one recorded at build time\); rebuilding it$/);
  });

  it('removes interrupted builds\' temp directories whose owner is gone and that are old enough', async () => {
    const cacheDir = path.join(tmp, 'temps');
    const root = path.join(cacheDir, 'verilator');
    await fs.mkdir(root, { recursive: true });
    const key = '0123456789abcdef0123456789abcdef';
    const dead = 4194305; // above Linux's pid_max: never alive
    const names = {
      deadOld: `.tmp-${key}-${dead}.123-aaaaaa`,
      legacyOld: `.tmp-${key}-bbbbbb`,
      liveOld: `.tmp-${key}-${process.pid}.${processStartTime(process.pid) ?? '-'}-cccccc`,
      deadYoung: `.tmp-${key}-${dead}.123-dddddd`,
    };
    const old = new Date(Date.now() - 2 * 3600 * 1000);
    for (const [k, n] of Object.entries(names)) {
      await fs.mkdir(path.join(root, n, 'obj'), { recursive: true });
      await fs.writeFile(path.join(root, n, 'obj', 'x.o'), 'x');
      if (k !== 'deadYoung') await fs.utimes(path.join(root, n), old, old);
    }
    const r = await cosim(accumDesign(), accumGolden, accumStimulus(3, 20), { cacheDir });
    expect(r.ok, formatReport(r)).toBe(true);
    const left = (await fs.readdir(root)).filter((n) => n.startsWith('.tmp-')).sort();
    expect(left).toEqual([names.deadYoung, names.liveOld].sort());
  });
});
