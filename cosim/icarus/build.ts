/**
 * Compiles (or finds in the cache) a design with its `kvhdl_tb` testbench: `iverilog -g2005` → `tb.vvp`.
 *
 * Cache: `<cacheRoot>/icarus/<key>/`, beside the Verilator builds (`<cacheRoot>/verilator/`), where
 * key = sha256 of (every Verilog file's name and contents in order, the testbench text, the
 * iverilog version, the flags). The testbench depends on the design only (`testbench.ts`: every
 * count, seed and probability is a run-time value), so every run of a design finds its entry. An
 * entry holds `tb.vvp`, `tb.v`, `build.log` and `key.json` (with the size and sha256 of `tb.vvp`,
 * checked before every use: a damaged entry is rebuilt).
 *
 * Concurrency and robustness as for Verilator (`../verilator/build.ts`): a per-key lock directory,
 * a private temporary directory renamed into place, entries readable by every user, a per-user
 * cache when the shared one is not writable (`../cache-root.ts`), interrupted builds' temp
 * directories removed (`../cache/`). A failed compile is kept in `failed-<key>/`.
 */
import { createHash } from 'node:crypto';
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import type { DesignUnderTest } from '../../hdl/ports/design.ts';
import { lastLines, runTool, shellQuote, type RunToolResult } from '../../toolchain/run-tool.ts';
import { ensureTools, toolVersion } from '../../toolchain/tools.ts';
import { acquireLock } from '../../toolchain/lock.ts';
import { cacheRoot, writableCacheRoot } from '../cache-root.ts';
import { entryProblem, recordArtifact } from '../cache/artifact.ts';
import { shareEntry } from '../cache/share-entry.ts';
import { cleanStaleTemps, tempPrefix } from '../cache/stale-temps.ts';

/** Cache subdirectory of the Icarus builds. */
export const ICARUS_CACHE = 'icarus';
/** Names inside a cache entry (and in a run directory). */
export const TB_FILE = 'tb.v';
export const VVP_FILE = 'tb.vvp';

const LOCK_WAIT_MS = 30 * 60 * 1000;

export interface IcarusBuildOptions {
  /** Cache root (default `$KVHDL_CACHE_DIR`, else `<repo>/.cache`). */
  cacheDir?: string;
  /** Timeout of the compile (default 10 minutes). */
  timeoutMs?: number;
  log?: (line: string) => void;
}

export interface IcarusBuild {
  /** Absolute path of the compiled simulation (`<entry>/tb.vvp`). */
  vvp: string;
  /** Cache entry directory. */
  dir: string;
  key: string;
  /** True when the entry already existed (nothing was compiled). */
  cached: boolean;
  /** Wall time of this call (lookup, lock wait and compile). */
  seconds: number;
}

/** A failed compile: the command to repeat it and iverilog's messages. */
export class IcarusBuildError extends Error {
  override name = 'IcarusBuildError';
}

/** `iverilog` arguments after `-o <vvp>`: the testbench, then the design files (absolute). */
export function iverilogArgs(design: DesignUnderTest, vvp: string, tb: string): string[] {
  return ['-g2005', '-o', vvp, '-s', 'kvhdl_tb', tb, ...design.files.map((f) => path.resolve(f))];
}

const sha256 = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');

/** The cache key of (design files, testbench text, iverilog version, flags) and its description (key.json). */
export async function icarusBuildKey(design: DesignUnderTest, testbench: string): Promise<{ key: string; description: Record<string, unknown> }> {
  const files = await Promise.all(design.files.map(async (f) => ({ name: path.basename(f), sha256: sha256(await fs.readFile(path.resolve(f))) })));
  const description = {
    top: design.top,
    iverilog: await toolVersion('iverilog'),
    flags: iverilogArgs({ ...design, files: [] }, VVP_FILE, TB_FILE),
    files,
    tb: sha256(testbench),
  };
  return { key: sha256(JSON.stringify(description)).slice(0, 32), description };
}


function compileFailure(top: string, r: RunToolResult, dir: string): IcarusBuildError {
  const why = r.spawnError ?? (r.timedOut ? 'timed out' : r.signal ? `killed by ${r.signal}` : `exit code ${r.exitCode}`);
  const out = `${r.stderr}\n${r.stdout}`.trim();
  return new IcarusBuildError(
    `iverilog (compiling ${top}) failed (${why}): cd ${shellQuote(dir)} && ${r.command}${out ? `\n${lastLines(out, 40)}` : ''}` +
      `\n(testbench and log kept in ${dir})`,
  );
}

const cleaned = new Set<string>();

/**
 * Returns the compiled simulation of `design` with `testbench` (from `generateTestbench`),
 * compiling it when it is not cached. Throws IcarusBuildError when iverilog fails.
 */
export async function buildIcarus(design: DesignUnderTest, testbench: string, o: IcarusBuildOptions = {}): Promise<IcarusBuild> {
  const t0 = performance.now();
  await ensureTools(['iverilog']);
  const { key, description } = await icarusBuildKey(design, testbench);
  const done = (dir: string, cached: boolean): IcarusBuild => ({ vvp: path.join(dir, VVP_FILE), dir, key, cached, seconds: (performance.now() - t0) / 1000 });

  // An intact entry in the shared cache is used even when this user cannot write there.
  const shared = path.join(cacheRoot(o.cacheDir), ICARUS_CACHE);
  if (!cleaned.has(shared)) {
    cleaned.add(shared);
    await cleanStaleTemps(shared);
  }
  if (!(await entryProblem(path.join(shared, key), VVP_FILE))) return done(path.join(shared, key), true);
  const root = path.join(await writableCacheRoot(o.cacheDir, ICARUS_CACHE, o.log), ICARUS_CACHE);
  const dir = path.join(root, key);
  if (root !== shared && !(await entryProblem(dir, VVP_FILE))) return done(dir, true);

  const release = await acquireLock(`${dir}.lock`, LOCK_WAIT_MS, 'Icarus build lock', { log: o.log });
  try {
    const problem = await entryProblem(dir, VVP_FILE);
    if (!problem) return done(dir, true);
    if (problem !== 'missing') {
      o.log?.(`kvhdl: the cached Icarus build ${dir} is unusable (${problem}); rebuilding it`);
      const grave = `${dir}.damaged-${process.pid}-${Date.now()}`;
      await fs.rename(dir, grave);
      await fs.rm(grave, { recursive: true, force: true });
    }
    o.log?.(`kvhdl: compiling ${design.top} with Icarus Verilog...`);
    const tmp = await fs.mkdtemp(path.join(root, tempPrefix(key)));
    let kept = false;
    try {
      const tb = path.join(tmp, TB_FILE);
      const vvp = path.join(tmp, VVP_FILE);
      await fs.writeFile(tb, testbench);
      const r = await runTool('iverilog', iverilogArgs(design, vvp, tb), { cwd: tmp, timeoutMs: o.timeoutMs ?? 10 * 60 * 1000 });
      await fs.writeFile(path.join(tmp, 'build.log'), `$ ${r.command}\n${r.stdout}\n${r.stderr}`);
      if (r.exitCode !== 0 || !existsSync(vvp)) {
        const failed = path.join(root, `failed-${key}`);
        await fs.rm(failed, { recursive: true, force: true });
        await fs.rename(tmp, failed);
        kept = true;
        throw compileFailure(design.top, { ...r, command: r.command.split(tmp).join(failed) }, failed);
      }
      const artifact = await recordArtifact(vvp);
      await fs.writeFile(path.join(tmp, 'key.json'), `${JSON.stringify({ key, ...description, command: r.command, artifact }, null, 2)}\n`);
      await shareEntry(tmp);
      try {
        await fs.rename(tmp, dir);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if ((code !== 'ENOTEMPTY' && code !== 'EEXIST') || !existsSync(path.join(dir, VVP_FILE))) throw e;
        await fs.rm(tmp, { recursive: true, force: true }); // somebody else's identical entry won
      }
    } catch (e) {
      if (!kept) await fs.rm(tmp, { recursive: true, force: true });
      throw e;
    }
  } finally {
    await release();
  }
  return done(dir, false);
}
