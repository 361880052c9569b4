// Making sure the external tools exist: check, install with apt-get when we can (root + Debian),
// otherwise fail with one line that says what to run.
import { constants as fsConstants, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { lastLines, runTool } from './run-tool.ts';
import { acquireLock } from './lock.ts';

export { acquireLock };

export type ToolName = 'verilator' | 'iverilog' | 'yosys' | 'ccache' | 'tclsh' | 'numpy' | 'riscv64-picolibc' | 'chromium';

export const ALL_TOOLS: readonly ToolName[] = ['verilator', 'iverilog', 'yosys', 'ccache', 'tclsh', 'numpy', 'riscv64-picolibc', 'chromium'];

interface ToolSpec {
  /** Arguments that make the tool print its version and exit 0. */
  versionArgs: string[];
  /** Text fed to stdin while probing (for tools without a version flag). */
  input?: string;
  /** Program to run when it is not named like the tool. */
  exe?: string;
  /** Debian package that provides it. */
  debianPackage: string;
}

export const TOOL_SPECS: Readonly<Record<ToolName, ToolSpec>> = {
  verilator: { versionArgs: ['--version'], debianPackage: 'verilator' },
  iverilog: { versionArgs: ['-V'], debianPackage: 'iverilog' },
  yosys: { versionArgs: ['-V'], debianPackage: 'yosys' },
  ccache: { versionArgs: ['--version'], debianPackage: 'ccache' },
  // tclsh has no version flag (its first argument is a script): it reads one from stdin instead.
  tclsh: { versionArgs: [], input: 'puts "tclsh [info patchlevel]"\n', debianPackage: 'tcl' },
  // NumPy is the float16 oracle of the float library's tests: `python3 -c 'import numpy'`.
  numpy: { exe: 'python3', versionArgs: ['-c', 'import numpy; print("numpy " + numpy.__version__)'], debianPackage: 'python3-numpy' },
  // Bare-metal RISC-V C compiler + picolibc (fpga/firesim cross-compiles its test): gcc fails when picolibc.specs is missing.
  'riscv64-picolibc': { exe: 'riscv64-unknown-elf-gcc', versionArgs: ['--specs=picolibc.specs', '--version'], debianPackage: 'picolibc-riscv64-unknown-elf' },
  // Headless browser of the sweep.html screenshot test (test/fpga/sweep-html.test.ts).
  chromium: { versionArgs: ['--version'], debianPackage: 'chromium' },
};

const APT_TIMEOUT_MS = 10 * 60 * 1000;

/**
 * Tools are missing and kvhdl cannot install them. The message is one line, e.g.
 * `kvhdl: missing verilator, yosys; install them with: apt-get install -y verilator yosys`.
 */
export class ToolMissingError extends Error {
  override name = 'ToolMissingError';
  readonly missing: ToolName[];
  readonly packages: string[];
  constructor(missing: ToolName[]) {
    const pkgs = missing.map((t) => TOOL_SPECS[t].debianPackage);
    super(`kvhdl: missing ${missing.join(', ')}; install them with: apt-get install -y ${pkgs.join(' ')}`);
    this.missing = missing;
    this.packages = pkgs;
  }
}

/** Seams for tests (and for unusual machines). Every field is optional. */
export interface ToolchainOptions {
  /** PATH used to find the tools (default: process.env.PATH at the time of the check). */
  path?: string;
  /** Whether we may install system packages (default: process.getuid() === 0). */
  isRoot?: () => boolean;
  /** Whether the installer is available (default: `apt-get` found on process.env.PATH). */
  canUseApt?: () => boolean | Promise<boolean>;
  /** Installs Debian packages (default: apt-get update + apt-get install -y --no-install-recommends). */
  install?: (packages: string[]) => Promise<void>;
  /** Cross-process lock directory that serialises installs (default: <tmpdir>/kvhdl-apt.lock). */
  lockDir?: string;
  /** Progress and diagnostics sink (default: one line to stderr). */
  log?: (line: string) => void;
}

/** Find an executable file called `name` on a PATH string. */
export async function findOnPath(name: string, searchPath: string | undefined): Promise<string | undefined> {
  if (name.includes('/')) return name;
  for (const dir of (searchPath ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const p = path.join(dir, name);
    try {
      const st = await fs.stat(p);
      if (!st.isFile()) continue;
      await fs.access(p, fsConstants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Default installer: apt-get update, then apt-get install, non-interactively. */
export async function aptInstall(packages: string[]): Promise<void> {
  const env = { DEBIAN_FRONTEND: 'noninteractive' };
  const update = await runTool('apt-get', ['update'], { env, timeoutMs: APT_TIMEOUT_MS });
  if (update.exitCode !== 0) {
    throw new Error(`apt-get update failed (exit ${update.exitCode}):\n${lastLines(update.stderr || update.stdout, 20)}`);
  }
  const inst = await runTool('apt-get', ['install', '-y', '--no-install-recommends', ...packages], {
    env,
    timeoutMs: APT_TIMEOUT_MS,
  });
  if (inst.exitCode !== 0) {
    throw new Error(`apt-get install failed (exit ${inst.exitCode}):\n${lastLines(inst.stderr || inst.stdout, 20)}`);
  }
}

/** Checks and installs tools; one instance per configuration. Results are memoized per instance. */
export class Toolchain {
  private readonly opts: ToolchainOptions;
  private readonly versions = new Map<ToolName, string>();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(opts: ToolchainOptions = {}) {
    this.opts = opts;
  }

  private log(line: string): void {
    if (this.opts.log) this.opts.log(line);
    else process.stderr.write(`${line}\n`);
  }

  /** Run `<tool> --version` (or -V); returns the first output line, or undefined if not runnable. */
  private async probe(tool: ToolName): Promise<string | undefined> {
    const searchPath = this.opts.path ?? process.env.PATH;
    const exe = await findOnPath(TOOL_SPECS[tool].exe ?? tool, searchPath);
    if (!exe) return undefined;
    const r = await runTool(exe, TOOL_SPECS[tool].versionArgs, { timeoutMs: 60_000, env: { PATH: searchPath }, input: TOOL_SPECS[tool].input });
    if (r.exitCode !== 0) return undefined;
    const first = `${r.stdout}\n${r.stderr}`.split('\n').find((l) => l.trim() !== '');
    return (first ?? tool).trim();
  }

  private async missingOf(tools: readonly ToolName[]): Promise<ToolName[]> {
    const missing: ToolName[] = [];
    for (const t of tools) {
      if (this.versions.has(t)) continue;
      const v = await this.probe(t);
      if (v === undefined) missing.push(t);
      else this.versions.set(t, v);
    }
    return missing;
  }

  /** Ensure every tool is runnable, installing with apt-get when running as root. Serialised per instance. */
  ensureTools(tools: readonly ToolName[]): Promise<void> {
    const run = this.queue.then(() => this.ensureNow(tools));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async ensureNow(tools: readonly ToolName[]): Promise<void> {
    const wanted = [...new Set(tools)];
    let missing = await this.missingOf(wanted);
    if (missing.length === 0) return;

    const isRoot = this.opts.isRoot ?? (() => process.getuid?.() === 0);
    const canUseApt = this.opts.canUseApt ?? (async () => (await findOnPath('apt-get', process.env.PATH)) !== undefined);
    if (!isRoot() || !(await canUseApt())) throw new ToolMissingError(missing);

    const release = await acquireLock(this.opts.lockDir ?? path.join(os.tmpdir(), 'kvhdl-apt.lock'));
    try {
      // Another process may have installed them while we waited for the lock.
      missing = await this.missingOf(missing);
      if (missing.length === 0) return;
      const pkgs = [...new Set(missing.map((t) => TOOL_SPECS[t].debianPackage))];
      this.log(`kvhdl: installing ${pkgs.join(' ')} with apt-get (about 30 s)…`);
      try {
        await (this.opts.install ?? aptInstall)(pkgs);
      } catch (e) {
        this.log(`kvhdl: automatic install failed: ${(e as Error).message}`);
      }
      missing = await this.missingOf(missing);
      if (missing.length > 0) throw new ToolMissingError(missing);
    } finally {
      await release();
    }
  }

  /** First line of the tool's version output (e.g. "Verilator 5.006 2023-01-22 rev (Debian 5.006-3)"). Cached. */
  async toolVersion(tool: ToolName): Promise<string> {
    await this.ensureTools([tool]);
    const v = this.versions.get(tool);
    if (v === undefined) throw new ToolMissingError([tool]);
    return v;
  }
}

const defaultToolchain = new Toolchain();

/**
 * Ensure the tools are runnable; installs them with apt-get when running as root on Debian,
 * otherwise throws ToolMissingError (one-line message). Memoized per process; safe to call from
 * several processes at once (installs are serialised with a lock directory under os.tmpdir()).
 * Passing `options` uses a fresh, unmemoized Toolchain with those seams.
 */
export function ensureTools(tools: readonly ToolName[], options?: ToolchainOptions): Promise<void> {
  return (options ? new Toolchain(options) : defaultToolchain).ensureTools(tools);
}

/** First line of `<tool> --version` / `-V` (ensures the tool first). Cached per process. */
export function toolVersion(tool: ToolName): Promise<string> {
  return defaultToolchain.toolVersion(tool);
}
