/**
 * Builds (or finds in the cache) the Verilator simulator of a design with its generated testbench.
 *
 * Cache: `<cacheRoot>/verilator/<key>/` where cacheRoot is `$KVHDL_CACHE_DIR` or `<repo>/.cache`,
 * and key = sha256 of (every Verilog file's contents in order, the generated design header, the
 * runtime files' hash, the Verilator version, the flags, the trace mode). A cached entry holds
 * `sim` (the executable), the testbench sources (`tb_design.h` and the `runtime/` files, `tb.cpp`
 * among them), `build.log`, `key.json` and Verilator's generated C++ (`obj/`, object files removed).
 *
 * Concurrency: a build takes a per-key lock directory (`<key>.lock`, `toolchain/lock.ts`), compiles
 * in a private temporary directory (`.tmp-<key>-<pid>.<start>-XXXXXX`) and renames it into place, so
 * parallel test processes never see a half-built entry and build each design once. ccache
 * (`OBJCACHE=ccache`) makes even cache misses cheap when only part of the design changed.
 *
 * Robustness: `key.json` records the size and sha256 of `sim`, checked before every use (a
 * damaged entry is rebuilt); entries are made world-readable (`share-entry.ts`); when the shared
 * cache is not writable, new builds go to a per-user cache (`../cache-root.ts`); temp directories
 * of interrupted builds are removed once their owner is gone (`stale-temps.ts`).
 */
import { createHash } from 'node:crypto';
import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DesignUnderTest } from '../../hdl/ports/design.ts';
import { runTool, ToolError } from '../../toolchain/run-tool.ts';
import { ensureTools, findOnPath, toolVersion } from '../../toolchain/tools.ts';
import { acquireLock } from '../../toolchain/lock.ts';
import { DESIGN_HEADER, MODEL_CLASS } from './tbgen.ts';
import { runtimeFiles, runtimeHash, runtimeSources } from './runtime.ts';
import { cacheRoot, writableCacheRoot } from '../cache-root.ts';
import { entryProblem, recordArtifact } from '../cache/artifact.ts';
import { shareEntry } from '../cache/share-entry.ts';
import { cleanStaleTemps, tempPrefix } from '../cache/stale-temps.ts';

export type TraceFormat = 'fst' | 'vcd';

export interface BuildOptions {
  /** Build with trace support (`--trace-fst` or `--trace`); a separate cache entry. */
  trace?: TraceFormat | false;
  /** Cache root (default `$KVHDL_CACHE_DIR`, else `<repo>/.cache`). */
  cacheDir?: string;
  /** Extra Verilator arguments (part of the cache key), e.g. `['-Wno-WIDTH']` or `['-DFOO=1']`. */
  verilatorFlags?: string[];
  /** Parallel compile jobs (default: the number of CPUs). */
  jobs?: number;
  /** Build timeout (default 15 minutes). */
  timeoutMs?: number;
  /** Progress lines (default: none). */
  log?: (line: string) => void;
}

export interface BuildResult {
  /** Absolute path of the simulator executable. */
  exe: string;
  /** Cache entry directory. */
  dir: string;
  /** Cache key (hex sha256). */
  key: string;
  /** True when the entry already existed (nothing was compiled). */
  cached: boolean;
  /** Wall time of this call (lookup, lock wait and compile). */
  seconds: number;
  /** Verilator warnings printed during the build that produced the entry. */
  warnings: string[];
  trace: TraceFormat | false;
}

export { cacheRoot, REPO_ROOT } from '../cache-root.ts';

const BUILD_TIMEOUT_MS = 15 * 60 * 1000;
const LOCK_WAIT_MS = 30 * 60 * 1000;

/**
 * The testbench to build with a design: kvhdl's runtime (`runtime/`) with a generated design header
 * (`tbgen.ts`), or a string: one complete C++ testbench of your own, compiled as `tb.cpp`.
 */
export type TestbenchSource = { designHeader: string } | string;

/** The C++ files Verilator compiles for a testbench (`tb.cpp`, with main, last). */
function testbenchSources(tb: TestbenchSource): string[] {
  return typeof tb === 'string' ? ['tb.cpp'] : runtimeSources();
}

/**
 * The Verilator arguments for a design (its files, then the testbench's sources with `tb.cpp` last:
 * by default the runtime's). The makefile flags are one argv element.
 */
export function verilatorArgs(
  design: DesignUnderTest,
  opts: { trace?: TraceFormat | false; verilatorFlags?: string[]; jobs?: number; ccache?: boolean; sources?: string[] },
): string[] {
  const jobs = opts.jobs ?? Math.max(1, os.availableParallelism?.() ?? os.cpus().length);
  const makeflags = ['OPT_FAST=-O2', ...(opts.ccache === false ? [] : ['OBJCACHE=ccache'])].join(' ');
  return [
    '--cc',
    '--exe',
    '--build',
    '-O3',
    '-j',
    String(jobs),
    '--x-assign',
    'unique',
    '--x-initial',
    'unique',
    '--MAKEFLAGS',
    makeflags,
    '--top-module',
    design.top,
    '--prefix',
    MODEL_CLASS,
    '--Mdir',
    'obj',
    '-o',
    'sim',
    '-Wno-fatal',
    // Formal properties (`ifdef FORMAL) are checked during simulation; designs without them are unchanged.
    '-DFORMAL',
    '--assert',
    ...(opts.trace === 'fst' ? ['--trace-fst'] : opts.trace === 'vcd' ? ['--trace'] : []),
    ...(opts.verilatorFlags ?? []),
    ...design.files.map((f) => path.resolve(f)),
    ...(opts.sources ?? runtimeSources()),
  ];
}

function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The cache key and the description stored beside it in key.json. */
export async function buildKey(
  design: DesignUnderTest,
  tbSource: TestbenchSource,
  opts: { trace?: TraceFormat | false; verilatorFlags?: string[] },
): Promise<{ key: string; description: Record<string, unknown> }> {
  const files = await Promise.all(
    design.files.map(async (f) => ({ name: path.basename(f), sha256: sha256(await fs.readFile(path.resolve(f))) })),
  );
  // -j only changes how fast it builds, not what: keep it out of the key.
  const flags = verilatorArgs(design, { ...opts, jobs: 1, sources: testbenchSources(tbSource) }).filter((a) => !design.files.some((f) => path.resolve(f) === a));
  const description = {
    runtime: typeof tbSource === 'string' ? 'none (a complete tb.cpp)' : runtimeHash(),
    top: design.top,
    verilator: await toolVersion('verilator'),
    flags,
    trace: opts.trace ?? false,
    files,
    tb: sha256(typeof tbSource === 'string' ? tbSource : tbSource.designHeader),
  };
  return { key: sha256(JSON.stringify(description)).slice(0, 32), description };
}

function warningsOf(log: string): string[] {
  return log
    .split('\n')
    .filter((l) => /^%Warning/.test(l))
    .map((l) => l.trimEnd());
}

let ccachePresent: boolean | undefined;
const cleaned = new Set<string>();


/**
 * Returns the simulator for (design, tbSource, trace, flags), building it if it is not cached.
 * Throws a ToolError (with Verilator's / the compiler's messages) when the build fails.
 */
export async function buildSimulator(
  design: DesignUnderTest,
  tbSource: TestbenchSource,
  opts: BuildOptions = {},
): Promise<BuildResult> {
  const t0 = performance.now();
  await ensureTools(['verilator']);
  if (ccachePresent === undefined) ccachePresent = (await findOnPath('ccache', process.env.PATH)) !== undefined;
  const trace = opts.trace ?? false;
  const { key, description } = await buildKey(design, tbSource, { trace, verilatorFlags: opts.verilatorFlags });
  const result = async (dir: string, cached: boolean): Promise<BuildResult> => {
    let log = '';
    try {
      log = await fs.readFile(path.join(dir, 'build.log'), 'utf8');
    } catch {
      // older entry without a log
    }
    return { exe: path.join(dir, 'sim'), dir, key, cached, seconds: (performance.now() - t0) / 1000, warnings: warningsOf(log), trace };
  };

  // An intact entry in the shared cache is used even when this user cannot write there.
  const shared = path.join(cacheRoot(opts.cacheDir), 'verilator');
  if (!cleaned.has(shared)) {
    cleaned.add(shared);
    await cleanStaleTemps(shared); // interrupted builds' temp dirs (owner gone, old enough)
  }
  const sharedProblem = await entryProblem(path.join(shared, key), 'sim');
  if (!sharedProblem) return result(path.join(shared, key), true);

  const root = path.join(await writableCacheRoot(opts.cacheDir, 'verilator', opts.log), 'verilator');
  const dir = path.join(root, key);
  const exe = path.join(dir, 'sim');
  if (root !== shared && !(await entryProblem(dir, 'sim'))) return result(dir, true);

  const release = await acquireLock(`${dir}.lock`, LOCK_WAIT_MS, 'Verilator build lock', { log: opts.log });
  try {
    const problem = await entryProblem(dir, 'sim');
    if (!problem) return result(dir, true);
    if (problem !== 'missing') {
      // A damaged entry (truncated or corrupt simulator): move it aside and build it again.
      opts.log?.(`kvhdl: the cached simulator ${exe} is unusable (${problem}); rebuilding it`);
      const grave = `${dir}.damaged-${process.pid}-${Date.now()}`;
      await fs.rename(dir, grave);
      await fs.rm(grave, { recursive: true, force: true });
    }
    opts.log?.(`kvhdl: building ${design.top} with Verilator${trace ? ` (${trace} trace)` : ''}...`);
    const tmp = await fs.mkdtemp(path.join(root, tempPrefix(key)));
    try {
      if (typeof tbSource === 'string') {
        await fs.writeFile(path.join(tmp, 'tb.cpp'), tbSource);
      } else {
        await fs.writeFile(path.join(tmp, DESIGN_HEADER), tbSource.designHeader);
        for (const f of runtimeFiles()) await fs.writeFile(path.join(tmp, f.name), f.contents);
      }
      const sources = testbenchSources(tbSource);
      const args = verilatorArgs(design, { trace, verilatorFlags: opts.verilatorFlags, jobs: opts.jobs, ccache: ccachePresent, sources });
      const r = await runTool('verilator', args, {
        cwd: tmp,
        timeoutMs: opts.timeoutMs ?? BUILD_TIMEOUT_MS,
        // Paths under the cache root hash as relative paths, so ccache hits across temp dirs.
        env: { CCACHE_BASEDIR: root, CCACHE_NOHASHDIR: '1' },
      });
      const log = `$ ${r.command}\n${r.stdout}\n${r.stderr}`;
      await fs.writeFile(path.join(tmp, 'build.log'), log);
      if (r.exitCode !== 0 || !existsSync(path.join(tmp, 'obj', 'sim'))) {
        // Keep only Verilator/compiler errors in the message (the make chatter is in build.log).
        // Keep the failed build (one per key) for its log and generated C++.
        const failed = path.join(root, `failed-${key}`);
        await fs.rm(failed, { recursive: true, force: true });
        await fs.rename(tmp, failed);
        const err = new ToolError({ ...r, stderr: r.stderr || r.stdout });
        err.message += `\n(full log: ${path.join(failed, 'build.log')})`;
        throw err;
      }
      await fs.rename(path.join(tmp, 'obj', 'sim'), path.join(tmp, 'sim'));
      const artifact = await recordArtifact(path.join(tmp, 'sim'));
      await fs.writeFile(path.join(tmp, 'key.json'), `${JSON.stringify({ key, ...description, command: r.command, artifact }, null, 2)}\n`);
      // Object files are in ccache; keep the generated C++ for reading, drop the bulk.
      for (const f of await fs.readdir(path.join(tmp, 'obj'))) {
        if (/\.(o|a|d)$/.test(f)) await fs.rm(path.join(tmp, 'obj', f), { force: true });
      }
      await shareEntry(tmp); // readable (and the simulator runnable) by every user
      try {
        await fs.rename(tmp, dir);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if ((code !== 'ENOTEMPTY' && code !== 'EEXIST') || !existsSync(exe)) throw e;
        await fs.rm(tmp, { recursive: true, force: true }); // somebody else's identical entry won
      }
    } catch (e) {
      if (!(e instanceof ToolError)) await fs.rm(tmp, { recursive: true, force: true });
      throw e;
    }
  } finally {
    await release();
  }
  return result(dir, false);
}
