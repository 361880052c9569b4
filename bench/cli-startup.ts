/**
 * CLI start-up: wall time of `kvhdl list` and `kvhdl --help` through the bin (bin/kvhdl.js run by
 * node, as the installed `kvhdl` runs; not through npx), as a ratio to a bare `node -e 0` measured
 * in the same run, interleaved. "before" is the same command on the commit before the build to
 * dist/ (BEFORE_COMMIT: a bin that loaded the TypeScript sources through tsx and imported every
 * command up front), checked out with `git archive` into a temporary directory.
 * Run alone: `npx tsx bench/cli-startup.ts`. Results: bench/out/cli-startup-list.json, -help.json.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeResult } from './result.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** The last commit whose bin ran the sources through tsx with every command imported eagerly. */
export const BEFORE_COMMIT = '565124d8cc055d07e376fe3d7935cabe85faa080';
const RUNS = 15;

function run(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): { ms: number; status: number | null } {
  const t = performance.now();
  const r = spawnSync(cmd, args, { cwd: opts.cwd ?? ROOT, env: opts.env ?? process.env, stdio: ['ignore', 'ignore', 'pipe'], timeout: 60_000 });
  const ms = performance.now() - t;
  if (r.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr?.toString().trim().split('\n').slice(-3).join(' | ')}`);
  }
  return { ms, status: r.status };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.floor(s.length / 2)] * 10) / 10;
};

/** The bin of BEFORE_COMMIT in a temporary directory (sharing this checkout's node_modules), or undefined with why. */
function checkoutBefore(): { dir: string } | { why: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kvhdl-before-'));
  const archive = spawnSync('git', ['archive', '--format=tar', BEFORE_COMMIT], { cwd: ROOT, maxBuffer: 1 << 30, timeout: 60_000 });
  if (archive.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    return { why: `git archive ${BEFORE_COMMIT} failed: ${archive.stderr.toString().trim()}` };
  }
  const tar = spawnSync('tar', ['-x', '-C', dir], { input: archive.stdout, timeout: 60_000 });
  if (tar.status !== 0) return { why: `tar failed: ${tar.stderr.toString().trim()}` };
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  return { dir };
}

export function benchCliStartup(): void {
  // The bin runs dist/: build it from these sources first, so the numbers are this checkout's.
  const build = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'], timeout: 300_000 });
  if (build.status !== 0) throw new Error(`npm run build failed: ${build.stderr.toString().trim()}`);
  const before = checkoutBefore();
  const env = { ...process.env, KVHDL_FROM_SOURCE: '' };
  const bin = path.join(ROOT, 'bin', 'kvhdl.js');
  const cases = [
    { key: 'list', args: ['list'] },
    { key: 'help', args: ['--help'] },
  ];
  const t: Record<string, number[]> = { node: [] };
  for (const c of cases) t[c.key] = [];
  for (const c of cases) t[`before-${c.key}`] = [];
  try {
    // One warm-up round (file cache), then RUNS interleaved rounds.
    for (let i = 0; i <= RUNS; i++) {
      const round: [string, number][] = [['node', run(process.execPath, ['-e', '0']).ms]];
      for (const c of cases) {
        round.push([c.key, run(process.execPath, [bin, ...c.args], { env }).ms]);
        if ('dir' in before) round.push([`before-${c.key}`, run(process.execPath, [path.join(before.dir, 'bin', 'kvhdl.js'), ...c.args], { cwd: before.dir, env }).ms]);
      }
      if (i > 0) for (const [k, ms] of round) t[k].push(ms);
    }
  } finally {
    if ('dir' in before) rmSync(before.dir, { recursive: true, force: true });
  }
  const node = median(t.node);
  for (const c of cases) {
    const value = median(t[c.key]);
    const b = 'dir' in before ? median(t[`before-${c.key}`]) : undefined;
    writeResult({
      name: `cli-startup-${c.key}`,
      metric: `wall time of 'kvhdl ${c.args.join(' ')}' (node bin/kvhdl.js, median of ${RUNS}); baseline: 'node -e 0' in the same run`,
      value,
      unit: 'ms',
      baseline: node,
      ratio: Math.round((value / node) * 100) / 100,
      before: b ?? null,
      beforeRatio: b === undefined ? null : Math.round((b / node) * 100) / 100,
      beforeCommit: BEFORE_COMMIT,
      ...('why' in before ? { beforeMissing: before.why } : {}),
      node: process.version,
    });
  }
}

const isEntry = process.argv[1] && import.meta.url === new URL(`file://${path.resolve(process.argv[1])}`).href;
if (isEntry) benchCliStartup();
