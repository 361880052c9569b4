/**
 * Compiles a C program from test/fixtures/firesim/ against a FireSim package's driver for the host
 * (gcc, -Wall -Wextra -Werror) and runs it. The fixture names the unit as `kvhdl_UNIT` /
 * `KVHDL_UNIT`; `mmio` picks the register stub: `stub` (static inline, reads 0) or `extern` (the
 * program defines reg_read32 / reg_write32 itself).
 */
import { expect } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTool, type RunToolResult } from '../../toolchain/run-tool.ts';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'firesim');

export interface HostCOptions {
  /** Fixture file name, e.g. `lens.c`. */
  program: string;
  unit: string;
  mmio: 'stub' | 'extern';
  /** The package's tests/ directory (driver header and test data). */
  testDir: string;
  /** Working directory (default: a new temp dir). */
  dir?: string;
  /** Extra files written beside the program (e.g. a generated `cases.h`). */
  extra?: Record<string, string>;
}

export async function compileAndRunC(o: HostCOptions): Promise<RunToolResult> {
  const dir = o.dir ?? mkdtempSync(path.join(os.tmpdir(), 'kvhdl-host-c-'));
  const unitName = (text: string): string => text.replaceAll('kvhdl_UNIT', `kvhdl_${o.unit}`).replaceAll('KVHDL_UNIT', `KVHDL_${o.unit.toUpperCase()}`);
  writeFileSync(path.join(dir, 'mmio.h'), readFileSync(path.join(FIXTURES, `mmio-${o.mmio}.h`)));
  for (const [name, text] of Object.entries(o.extra ?? {})) writeFileSync(path.join(dir, name), text);
  const src = path.join(dir, o.program);
  writeFileSync(src, unitName(readFileSync(path.join(FIXTURES, o.program), 'utf8')));
  const exe = src.replace(/\.c$/, '');
  const cc = process.env.CC ?? 'gcc';
  const c = await runTool(cc, ['-std=c11', '-O1', '-Wall', '-Wextra', '-Werror', '-I', dir, '-I', o.testDir, src, '-o', exe], { timeoutMs: 120_000 });
  expect(c.exitCode, c.stderr).toBe(0);
  return runTool(exe, [], { timeoutMs: 60_000 });
}
