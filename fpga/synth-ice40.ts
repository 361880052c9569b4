/**
 * Lattice iCE40 estimate: `synth_ice40` of the unit alone (cell counts, LUT levels) and of the unit
 * inside its pin wrapper (fpga/pin-wrapper.ts), which nextpnr-ice40 then places and routes on the
 * smallest candidate device that takes it (UP5K in SG48, else HX8K in CT256) for the Fmax of `clock`.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { runEda, type EdaBackend } from './eda.ts';
import { countCells, statCellTypes } from './yosys-stat.ts';
import { logicDepth, type DepthRules, type LogicDepth } from './logic-depth.ts';
import { ysQuote } from './yosys-script.ts';
import { tail } from './synth-xc7.ts';
import { criticalPathOf, type CriticalPath } from './critical-path.ts';

export interface Ice40Resources {
  lut4: number;
  carry: number;
  /** SB_DFF* cells. */
  ff: number;
  ram40_4k: number;
  mac16: number;
}

export type Ice40DeviceName = 'up5k' | 'hx8k';

export interface Ice40Device {
  name: Ice40DeviceName;
  package: string;
  logicCells: number;
  ram40_4k: number;
  mac16: number;
}

/** Candidate devices, smallest first. */
export const ICE40_DEVICES: readonly Ice40Device[] = [
  { name: 'up5k', package: 'sg48', logicCells: 5280, ram40_4k: 30, mac16: 8 },
  { name: 'hx8k', package: 'ct256', logicCells: 7680, ram40_4k: 32, mac16: 0 },
];

/** Target clock for nextpnr's timing-driven placement and routing (MHz); Fmax is what it achieves. */
export const ICE40_TARGET_MHZ = 100;
export const NEXTPNR_SEED = 1;

export const ice40DepthRules: DepthRules = {
  isLut: (t) => t === 'SB_LUT4',
  isSequential: (t) => /^SB_(DFF|RAM|MAC16|SPRAM)/.test(t),
};

export function ice40Resources(cells: Record<string, number>): Ice40Resources {
  return {
    lut4: cells.SB_LUT4 ?? 0,
    carry: cells.SB_CARRY ?? 0,
    ff: countCells(cells, (t) => t.startsWith('SB_DFF')),
    ram40_4k: countCells(cells, (t) => t.startsWith('SB_RAM40_4K')),
    mac16: cells.SB_MAC16 ?? 0,
  };
}

/** One Yosys run: the unit alone (counts and depth), then the wrapped unit for nextpnr. */
export function ice40Script(coreFiles: readonly string[], core: string, wrapperFile: string, wrapper: string): string {
  const read = `read_verilog ${coreFiles.map(ysQuote).join(' ')}`;
  return [
    read,
    `synth_ice40 -top ${ysQuote(core)}`,
    `tee -q -o core-stat.json stat -json`,
    `write_json core-netlist.json`,
    `design -reset`,
    `${read} ${ysQuote(wrapperFile)}`,
    `synth_ice40 -top ${ysQuote(wrapper)} -json wrapped.json`,
    `tee -q -o wrapped-stat.json stat -json`,
    '',
  ].join('\n');
}

export interface PnrResult {
  device: Ice40DeviceName;
  package: string;
  fmaxMHz: number;
  /** nextpnr's utilization report: used / available per BEL type (ICESTORM_LC, ICESTORM_RAM, ...). */
  utilization: Record<string, { used: number; available: number }>;
  /** The register-to-register critical path of `clock` (from nextpnr's report), if it reports one. */
  criticalPath: CriticalPath | null;
}

export interface Ice40Run {
  core: { cellTypes: Record<string, number>; resources: Ice40Resources; depth: LogicDepth };
  wrapped: { cellTypes: Record<string, number>; resources: Ice40Resources };
  /** null when no candidate device takes the wrapped design (see `notFit`). */
  pnr: PnrResult | null;
  /** Why each candidate device was rejected. */
  rejected: string[];
}

/** Why device `d` cannot take a design with these counts without running nextpnr, or null. */
export function fitsLowerBound(r: Ice40Resources, d: Ice40Device): string | null {
  // Each logic cell holds one LUT4 and one flip-flop: max(LUT4, FF) cells is a lower bound.
  const lcs = Math.max(r.lut4, r.ff);
  if (lcs > d.logicCells) return `${d.name}: needs at least ${lcs} logic cells, has ${d.logicCells}`;
  if (r.ram40_4k > d.ram40_4k) return `${d.name}: needs ${r.ram40_4k} SB_RAM40_4K, has ${d.ram40_4k}`;
  if (r.mac16 > d.mac16) return `${d.name}: needs ${r.mac16} SB_MAC16, has ${d.mac16}`;
  return null;
}

// "Unable to find legal placement" (a promoted global buffer, SB_GB, that has no legal site in the
// package) is a device that does not take the design, like running out of cells: the next device is tried.
// "Failed to expand region" is the placer's message when the design needs a few more cells than the
// device has (nuq fp16 b2 D4 P1 opStages 3 on the UP5K: 5288 of 5280 cells).
const CAPACITY_ERROR = /unable to place|unable to find legal placement|failed to expand region|no bels remaining|not enough|too many|exceed/i;

/** Whether nextpnr-ice40's output says the design does not fit the device (the next device is tried). */
export function isCapacityError(nextpnrOutput: string): boolean {
  return CAPACITY_ERROR.test(nextpnrOutput);
}

export interface Ice40Options {
  backend: EdaBackend;
  /** `auto` (default): the first of ICE40_DEVICES that takes the design. */
  device?: Ice40DeviceName | 'auto';
  timeoutMs?: number;
  log?: (line: string) => void;
}

export async function runIce40(dir: string, coreFiles: readonly string[], core: string, wrapperFile: string, wrapper: string, o: Ice40Options): Promise<Ice40Run> {
  await fs.writeFile(path.join(dir, 'ice40.ys'), ice40Script(coreFiles, core, wrapperFile, wrapper));
  const y = await runEda('yosys', ['-q', '-s', 'ice40.ys'], dir, { backend: o.backend, timeoutMs: o.timeoutMs });
  if (y.exitCode !== 0) throw new Error(`yosys synth_ice40 failed (exit ${y.exitCode}): ${tail(y.stderr || y.stdout)}\n  command: ${y.command}`);
  const coreCells = statCellTypes(await fs.readFile(path.join(dir, 'core-stat.json'), 'utf8'), core);
  const wrappedCells = statCellTypes(await fs.readFile(path.join(dir, 'wrapped-stat.json'), 'utf8'), wrapper);
  const depth = logicDepth(await fs.readFile(path.join(dir, 'core-netlist.json'), 'utf8'), core, ice40DepthRules);
  const run: Ice40Run = {
    core: { cellTypes: coreCells, resources: ice40Resources(coreCells), depth },
    wrapped: { cellTypes: wrappedCells, resources: ice40Resources(wrappedCells) },
    pnr: null,
    rejected: [],
  };
  const candidates = ICE40_DEVICES.filter((d) => (o.device ?? 'auto') === 'auto' || d.name === o.device);
  for (const d of candidates) {
    const why = fitsLowerBound(run.wrapped.resources, d);
    if (why) {
      run.rejected.push(why);
      continue;
    }
    o.log?.(`ice40: nextpnr-ice40 --${d.name} --package ${d.package} (${o.backend})`);
    const report = `pnr-${d.name}.json`;
    const args = [
      `--${d.name}`, '--package', d.package, '--json', 'wrapped.json', '--report', report,
      '--freq', String(ICE40_TARGET_MHZ), '--seed', String(NEXTPNR_SEED), '--timing-allow-fail', '-q',
    ];
    const r = await runEda('nextpnr-ice40', args, dir, { backend: o.backend, timeoutMs: o.timeoutMs });
    const out = `${r.stderr}\n${r.stdout}`;
    if (r.exitCode !== 0) {
      if (isCapacityError(out)) {
        run.rejected.push(`${d.name}: ${(out.split('\n').find((l) => CAPACITY_ERROR.test(l)) ?? '').trim()}`);
        continue;
      }
      throw new Error(`nextpnr-ice40 failed (exit ${r.exitCode}): ${tail(out)}\n  command: ${r.command}`);
    }
    const rep = JSON.parse(await fs.readFile(path.join(dir, report), 'utf8')) as {
      fmax?: Record<string, { achieved: number; constraint: number }>;
      utilization?: Record<string, { used: number; available: number }>;
    };
    const clocks = Object.entries(rep.fmax ?? {});
    const clk = clocks.find(([name]) => /^clock(\$|$)/.test(name)) ?? (clocks.length === 1 ? clocks[0] : undefined);
    if (!clk) throw new Error(`nextpnr report ${report} has no Fmax for 'clock' (clocks: ${clocks.map(([n]) => n).join(', ') || 'none'})`);
    run.pnr = { device: d.name, package: d.package, fmaxMHz: clk[1].achieved, utilization: rep.utilization ?? {}, criticalPath: criticalPathOf(rep, clk[0]) ?? null };
    break;
  }
  return run;
}
