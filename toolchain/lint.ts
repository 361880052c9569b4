// Lint generated Verilog with Verilator (-Wall) and Icarus (elaboration check).
import os from 'node:os';
import { runTool } from './run-tool.ts';
import { ensureTools } from './tools.ts';

export interface LintOptions {
  /** Extra arguments placed before the files, e.g. ['-Wno-DECLFILENAME']. */
  extraArgs?: string[];
  cwd?: string;
  timeoutMs?: number;
}

export interface VerilatorLintResult {
  /** True when Verilator exited 0 and reported nothing. */
  ok: boolean;
  /** Each `%Warning-…` / `%Error…` line (the "Exiting due to N warning(s)" summary is left out). */
  warnings: string[];
  /** The command that was run (for messages). */
  command: string;
}

export interface IverilogCheckResult {
  /** True when iverilog exited 0. */
  ok: boolean;
  /** Every non-empty line iverilog printed (errors and warnings). */
  messages: string[];
  command: string;
}

function requireFiles(files: readonly string[], what: string): void {
  if (files.length === 0) throw new Error(`${what}: no Verilog files given`);
}

/** `verilator --lint-only -Wall --top-module <top> <files>`. */
export async function verilatorLint(
  files: readonly string[],
  top: string,
  opts: LintOptions = {},
): Promise<VerilatorLintResult> {
  requireFiles(files, 'verilatorLint');
  await ensureTools(['verilator']);
  const r = await runTool(
    'verilator',
    ['--lint-only', '-Wall', '--top-module', top, ...(opts.extraArgs ?? []), ...files],
    { cwd: opts.cwd, timeoutMs: opts.timeoutMs },
  );
  const warnings = `${r.stderr}\n${r.stdout}`
    .split('\n')
    .filter((l) => /^%(Warning|Error)/.test(l))
    .filter((l) => !/^%Error: Exiting due to \d+ (warning|error)/.test(l))
    .map((l) => l.trimEnd());
  if (r.exitCode !== 0 && warnings.length === 0) {
    // Crashed, timed out or could not start: surface whatever it said.
    warnings.push(
      `%Error: verilator failed (exit ${r.exitCode}): ${(r.stderr || r.stdout).trim().split('\n').slice(-5).join(' | ')}`,
    );
  }
  return { ok: r.exitCode === 0 && warnings.length === 0, warnings, command: r.command };
}

/** `iverilog -g2005 -s <top> -o /dev/null <files>`: does Icarus accept and elaborate it? */
export async function iverilogCheck(
  files: readonly string[],
  top: string,
  opts: LintOptions = {},
): Promise<IverilogCheckResult> {
  requireFiles(files, 'iverilogCheck');
  await ensureTools(['iverilog']);
  const r = await runTool('iverilog', ['-g2005', '-s', top, '-o', os.devNull, ...(opts.extraArgs ?? []), ...files], {
    cwd: opts.cwd,
    timeoutMs: opts.timeoutMs,
  });
  const messages = `${r.stderr}\n${r.stdout}`
    .split('\n')
    .map((l) => l.trimEnd())
    .filter((l) => l.trim() !== '');
  if (r.exitCode !== 0 && messages.length === 0) messages.push(`iverilog failed (exit ${r.exitCode})`);
  return { ok: r.exitCode === 0, messages, command: r.command };
}
