/**
 * Xilinx 7-series estimate: `synth_xilinx -family xc7 -flatten` out of context (no I/O buffers, no
 * clock buffer), cell counts from `stat -json`, LUT levels from the mapped netlist. There is no
 * open-source place and route for 7-series parts, so there is no Fmax.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { runEda, type EdaBackend } from './eda.ts';
import { countCells, statCellTypes } from './yosys-stat.ts';
import { logicDepth, type DepthRules, type LogicDepth } from './logic-depth.ts';
import { ysQuote } from './yosys-script.ts';

export interface Xc7Resources {
  /** LUT1..LUT6 (an `INV` cell counts as the LUT1 it becomes in Vivado). */
  lut: number;
  /** Flip-flops: FDRE, FDSE, FDCE, FDPE and any other FD* / LD* cell. */
  ff: number;
  carry4: number;
  muxf7: number;
  muxf8: number;
  dsp48e1: number;
  ramb18e1: number;
  ramb36e1: number;
  /** Shift-register LUTs (SRL16E, SRLC32E) and distributed-RAM LUTs (RAM32M, RAM64X1D, ...). */
  lutMemory: number;
}

export const xc7DepthRules: DepthRules = {
  isLut: (t) => /^LUT[1-6]$/.test(t) || t === 'INV',
  isSequential: (t) => /^(FD|LD|RAMB|DSP48|SRL|RAM\d)/.test(t),
};

export function xc7Resources(cells: Record<string, number>): Xc7Resources {
  const n = (t: string) => cells[t] ?? 0;
  return {
    lut: countCells(cells, (t) => /^LUT[1-6]$/.test(t) || t === 'INV'),
    ff: countCells(cells, (t) => /^(FD[A-Z]*|LD[A-Z]*)$/.test(t)),
    carry4: n('CARRY4'),
    muxf7: n('MUXF7'),
    muxf8: n('MUXF8'),
    dsp48e1: n('DSP48E1'),
    ramb18e1: n('RAMB18E1'),
    ramb36e1: n('RAMB36E1'),
    lutMemory: countCells(cells, (t) => /^(SRL|RAM\d)/.test(t)),
  };
}

/** The Yosys script (also what a user runs to reproduce the numbers). */
export function xc7Script(files: readonly string[], top: string): string {
  return [
    `read_verilog ${files.map(ysQuote).join(' ')}`,
    `synth_xilinx -family xc7 -flatten -noiopad -noclkbuf -top ${ysQuote(top)}`,
    `tee -q -o stat.json stat -json`,
    `write_json netlist.json`,
    '',
  ].join('\n');
}

export interface Xc7Run {
  cellTypes: Record<string, number>;
  resources: Xc7Resources;
  depth: LogicDepth;
}

/** Runs the flow in `dir`, which already holds the Verilog `files` (names relative to `dir`). */
export async function runXc7(dir: string, files: readonly string[], top: string, backend: EdaBackend, timeoutMs?: number): Promise<Xc7Run> {
  await fs.writeFile(path.join(dir, 'xc7.ys'), xc7Script(files, top));
  const r = await runEda('yosys', ['-q', '-s', 'xc7.ys'], dir, { backend, timeoutMs });
  if (r.exitCode !== 0) throw new Error(`yosys synth_xilinx failed (exit ${r.exitCode}): ${tail(r.stderr || r.stdout)}\n  command: ${r.command}`);
  const cellTypes = statCellTypes(await fs.readFile(path.join(dir, 'stat.json'), 'utf8'), top);
  const depth = logicDepth(await fs.readFile(path.join(dir, 'netlist.json'), 'utf8'), top, xc7DepthRules);
  return { cellTypes, resources: xc7Resources(cellTypes), depth };
}

export function tail(text: string, n = 8): string {
  return text.trim().split('\n').slice(-n).join('\n  ');
}
