/**
 * Builds and runs the host co-simulation of a FireSim package: the package's Verilog under
 * Verilator with harness/tb.cpp (AXI4 memory model with random latency and stalls, AXI4 and
 * AXI4-Lite protocol checks, MMIO shim), linked with the package's bare-metal test and driver
 * compiled as C by the host compiler (`-Dmain=kvhdl_test_main`, harness/mmio.h in place of
 * Chipyard's tests/mmio.h), and with the host-only fault test (c-faults.ts, `faults: true`).
 *
 * Cache: `<cacheRoot>/firesim/<key>/sim`, key = sha256 of the Verilog, the harness sources, the
 * package's C sources, the flags and the Verilator and compiler versions.
 */
import { createHash } from 'node:crypto';
import { existsSync, promises as fs, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { packageFile } from '../../toolchain/package-root.ts';
import { runTool, ToolError } from '../../toolchain/run-tool.ts';
import { ensureTools, findOnPath, toolVersion } from '../../toolchain/tools.ts';
import { acquireLock } from '../../toolchain/lock.ts';
import { cacheRoot } from '../../cosim/verilator/build.ts';
import type { FiresimHandoff } from './package.ts';
import { cFaultTest } from './c-faults.ts';

export const HARNESS_DIR = packageFile('fpga/firesim/harness');
const HARNESS_VERSION = 'kvhdl-firesim-harness-3';

export interface HarnessInput {
  /** Top module of the Verilog file. */
  top: string;
  /** The one Verilog file. */
  verilogFile: string;
  /** The bare-metal test (.c) and the directory holding its headers (the package's c/ dir). */
  testC: string;
  includeDir: string;
  /** The host-only fault test (c-faults.ts), run with `fault: true`. */
  faultsC: string;
}

/** The harness input of a written package; the fault test's C file is written into `workDir`. */
export function harnessInput(h: FiresimHandoff, workDir: string): HarnessInput {
  const faultsC = path.join(workDir, `kvhdl_${h.design.unit}_faults.c`);
  writeFileSync(faultsC, cFaultTest(h.design));
  return { top: h.design.top, verilogFile: h.verilogFile, testC: h.testC, includeDir: h.testDir, faultsC };
}

export interface HarnessBuild {
  exe: string;
  cached: boolean;
  seconds: number;
}

const sha256 = (s: string | Buffer) => createHash('sha256').update(s).digest('hex');

export async function buildHarness(h: HarnessInput, opts: { cacheDir?: string; log?: (l: string) => void } = {}): Promise<HarnessBuild> {
  const t0 = performance.now();
  await ensureTools(['verilator']);
  const tb = readFileSync(path.join(HARNESS_DIR, 'tb.cpp'));
  const shim = readFileSync(path.join(HARNESS_DIR, 'mmio.h'));
  const headers = (await fs.readdir(h.includeDir)).filter((f) => f.endsWith('.h')).sort();
  const cc = process.env.CC ?? 'gcc';
  const description = {
    harness: HARNESS_VERSION,
    top: h.top,
    verilator: await toolVersion('verilator'),
    cc: (await runTool(cc, ['--version'])).stdout.split('\n')[0],
    verilog: sha256(readFileSync(h.verilogFile)),
    tb: sha256(tb),
    shim: sha256(shim),
    test: sha256(readFileSync(h.testC)),
    faults: sha256(readFileSync(h.faultsC)),
    headers: headers.map((f) => [f, sha256(readFileSync(path.join(h.includeDir, f)))]),
  };
  const key = sha256(JSON.stringify(description)).slice(0, 32);
  const root = path.join(cacheRoot(opts.cacheDir), 'firesim');
  const dir = path.join(root, key);
  const exe = path.join(dir, 'sim');
  if (existsSync(exe)) return { exe, cached: true, seconds: (performance.now() - t0) / 1000 };
  await fs.mkdir(root, { recursive: true });
  const release = await acquireLock(`${dir}.lock`, 30 * 60 * 1000, 'FireSim harness build lock', { log: opts.log });
  try {
    if (existsSync(exe)) return { exe, cached: true, seconds: (performance.now() - t0) / 1000 };
    opts.log?.(`kvhdl: building the FireSim harness of ${h.top}...`);
    const tmp = await fs.mkdtemp(path.join(root, `.tmp-${key}-`));
    try {
      await fs.writeFile(path.join(tmp, 'tb.cpp'), tb);
      await fs.writeFile(path.join(tmp, 'mmio.h'), shim);
      await fs.writeFile(path.join(tmp, 'top.h'), `#include "V${h.top}.h"\n#define VTOP V${h.top}\n`);
      // the driver and test: plain C, warnings are errors
      const cr = await runTool(cc, ['-std=c11', '-O1', '-Wall', '-Wextra', '-Werror', '-I', tmp, '-I', h.includeDir, '-Dmain=kvhdl_test_main', '-c', h.testC, '-o', path.join(tmp, 'test.o')], { cwd: tmp, timeoutMs: 120_000 });
      if (cr.exitCode !== 0) throw new ToolError(cr);
      const fr = await runTool(cc, ['-std=c11', '-O1', '-Wall', '-Wextra', '-Werror', '-I', tmp, '-I', h.includeDir, '-c', h.faultsC, '-o', path.join(tmp, 'faults.o')], { cwd: tmp, timeoutMs: 120_000 });
      if (fr.exitCode !== 0) throw new ToolError(fr);
      const ccache = (await findOnPath('ccache', process.env.PATH)) !== undefined;
      const args = [
        '--cc', '--exe', '--build', '-O2', '-j', '2',
        '--MAKEFLAGS', ['OPT_FAST=-O1', ...(ccache ? ['OBJCACHE=ccache'] : [])].join(' '),
        '--top-module', h.top, '--Mdir', 'obj', '-o', 'sim', '-Wno-fatal',
        // the shell's formal properties (AXI handshake rules, 4 KiB bursts; shell/invariants.ts) are checked in the run
        '-DFORMAL', '--assert',
        '-CFLAGS', `-I${tmp}`, '-LDFLAGS', `${path.join(tmp, 'test.o')} ${path.join(tmp, 'faults.o')}`,
        path.resolve(h.verilogFile), 'tb.cpp',
      ];
      const r = await runTool('verilator', args, { cwd: tmp, timeoutMs: 20 * 60 * 1000, env: { CCACHE_BASEDIR: root, CCACHE_NOHASHDIR: '1' } });
      await fs.writeFile(path.join(tmp, 'build.log'), `$ ${r.command}\n${r.stdout}\n${r.stderr}`);
      if (r.exitCode !== 0 || !existsSync(path.join(tmp, 'obj', 'sim'))) throw new ToolError({ ...r, stderr: r.stderr || r.stdout });
      await fs.rename(path.join(tmp, 'obj', 'sim'), path.join(tmp, 'sim'));
      await fs.rm(path.join(tmp, 'obj'), { recursive: true, force: true });
      await fs.writeFile(path.join(tmp, 'key.json'), `${JSON.stringify({ key, ...description }, null, 2)}\n`);
      await fs.rm(dir, { recursive: true, force: true });
      await fs.rename(tmp, dir);
    } finally {
      await fs.rm(tmp, { recursive: true, force: true });
    }
  } finally {
    await release();
  }
  return { exe, cached: false, seconds: (performance.now() - t0) / 1000 };
}

export interface HarnessRun {
  exitCode: number;
  stdout: string;
  stderr: string;
  cycles: number;
  violations: number;
  /** Bursts shortened so that they end at a 4 KiB boundary. */
  boundaryCuts: number;
}

/** Runs the harness (seed, optional stall switch); never throws for a failing test. */
export async function runHarness(exe: string, opts: { seed?: number; stall?: boolean; maxCycles?: number; faults?: boolean } = {}): Promise<HarnessRun> {
  const r = await runTool(exe, [], {
    timeoutMs: 10 * 60 * 1000,
    env: {
      KVHDL_SEED: String(opts.seed ?? 1),
      KVHDL_STALL: opts.stall === false ? '0' : '1',
      KVHDL_FAULTS: opts.faults ? '1' : '0',
      ...(opts.maxCycles ? { KVHDL_MAX_CYCLES: String(opts.maxCycles) } : {}),
    },
  });
  const m = /harness: (\d+) cycles, (\d+) protocol violations, (\d+) bursts cut at a 4 KiB boundary/.exec(r.stderr);
  return { exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr, cycles: m ? Number(m[1]) : -1, violations: m ? Number(m[2]) : -1, boundaryCuts: m ? Number(m[3]) : -1 };
}
