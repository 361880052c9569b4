/** Writes a design's Verilog to a temp dir and runs the three external checks on it. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { emitDesign, type Module } from '../../hdl/index.ts';
import { iverilogCheck, verilatorLint } from '../../toolchain/lint.ts';
import { yosysSynthCheck } from '../../fpga/yosys-check.ts';

export function writeDesign(top: Module, dir = mkdtempSync(path.join(os.tmpdir(), 'kvhdl-v-'))): string[] {
  return emitDesign(top).map((e) => {
    const f = path.join(dir, e.fileName);
    writeFileSync(f, e.text);
    return f;
  });
}

/** Problems found by `verilator --lint-only -Wall`, `iverilog -g2005` and `yosys synth`; [] when clean. */
export async function verilogProblems(files: string[], top: string, opts: { synth?: boolean } = {}): Promise<string[]> {
  const problems: string[] = [];
  const lint = await verilatorLint(files, top);
  if (!lint.ok) problems.push(`verilator: ${lint.warnings.join('\n') || lint.command}`);
  const iv = await iverilogCheck(files, top);
  if (!iv.ok) problems.push(`iverilog: ${iv.messages.join('\n')}`);
  if (opts.synth !== false) {
    const ys = await yosysSynthCheck(files, top);
    if (!ys.ok) problems.push(`yosys: ${[...ys.errors, ...ys.warnings].join('\n')}`);
    else if (ys.warnings.length) problems.push(`yosys warnings: ${ys.warnings.join('\n')}`);
  }
  return problems;
}
