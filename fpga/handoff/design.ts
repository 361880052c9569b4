/**
 * What every hand-off package starts from: a unit's design written as Verilog (one file per module,
 * no include files) plus its top's port list, and the checks on the user's FPGA parameters.
 */
import * as path from 'node:path';
import type { OutputSet } from '../../output/index.ts';
import type { Module } from '../../hdl/index.ts';
import { ConfigError } from '../../gen/config.ts';
import { generateUnit, putManifest } from '../../gen/generate.ts';
import type { ManifestPort } from '../../gen/manifest.ts';
import type { AnyUnit } from '../../gen/unit.ts';

/**
 * Wraps the unit's top module in a bus wrapper (e.g. the AXI4-Stream wrapper `<top>_axis`); the
 * result must instance `top` so that writing it writes the whole design. Clock `clock`, active-high
 * synchronous `reset`, like every kvhdl module.
 */
export type TopWrapper = (top: Module) => Module | WrappedTop;

/** A wrapper's module plus Markdown for the package README (e.g. how fields sit in tdata). */
export interface WrappedTop {
  module: Module;
  readme?: string;
}

export interface HandoffDesign {
  unit: string;
  /** Name of the top module of the package (the wrapper's when one was given). */
  top: string;
  /** The unit's own top module name (the same as `top` without a wrapper). */
  unitTop: string;
  /** Absolute paths of the Verilog files, children first, top last. */
  files: string[];
  /** Ports of the package's top, clock and reset included. */
  ports: ManifestPort[];
  /** The wrapper's README section, if it gave one. */
  wrapperReadme?: string;
}

/**
 * Xilinx device names as Vivado spells them: `xc7a35tcpg236-1`, `xc7z020clg400-1`,
 * `xczu9eg-ffvb1156-2-e`, `xcvu9p-flga2104-2L-e`, `xcu250-figd2104-2L-e`, `xck26-sfvc784-2LV-c`,
 * `xcvc1902-vsva2197-2MP-e-S`; `xa` (automotive) and `xq`/`xqr` (defence) prefixes too. The same
 * pattern is checked by the Vivado stubs in test/fixtures/vivado-stubs/.
 */
export const XILINX_PART_RE = /^x(?:c|a|qr?)(?:7[aksvz]|ku|vu|zu|au|v[cemph]|k\d|u\d)[0-9a-z]*(?:-[0-9a-z]+){1,4}$/i;

/** Why `part` is not a plausible Xilinx part name, or undefined when it is. */
export function partProblem(part: string): string | undefined {
  if (XILINX_PART_RE.test(part)) return undefined;
  return `part '${part}' is not a Xilinx part name (expected e.g. xc7a35tcpg236-1, xczu9eg-ffvb1156-2-e or xcvu9p-flga2104-2L-e: device, package and speed grade)`;
}

/** Why `mhz` is not a usable clock frequency, or undefined when it is. */
export function clockProblem(mhz: number): string | undefined {
  if (!Number.isFinite(mhz) || mhz <= 0) return `clock frequency must be a positive number of MHz, got ${String(mhz)}`;
  if (mhz > 2000) return `clock frequency must be at most 2000 MHz, got ${mhz}`;
  return undefined;
}

/** Throws ConfigError (exit code 2 from the CLI) for a bad part or clock. */
export function checkFpgaParams(p: { part?: string; clockMhz?: number }): void {
  const problems: string[] = [];
  if (p.part !== undefined) {
    const e = partProblem(p.part);
    if (e) problems.push(e);
  }
  if (p.clockMhz !== undefined) {
    const e = clockProblem(p.clockMhz);
    if (e) problems.push(e);
  }
  if (problems.length) throw new ConfigError(problems);
}

/** Clock period in ns for an XDC, at most three decimals: 250 MHz -> "4", 300 MHz -> "3.333". */
export function periodNs(mhz: number): string {
  return String(Number((1000 / mhz).toFixed(3)));
}

/**
 * Elaborates `unit` for `cfg` (already validated), optionally wraps its top, and puts one Verilog
 * file per module into `out` under rtl/ plus `manifest.json` at its root (paths relative to it).
 */
export function putHandoffDesign(unit: AnyUnit, cfg: unknown, out: OutputSet, wrap?: TopWrapper): HandoffDesign {
  let unitTop = '';
  let wrapperReadme: string | undefined;
  const built: AnyUnit = {
    ...unit,
    build: (c: unknown) => {
      const t = unit.build(c);
      unitTop = t.name;
      if (!wrap) return t;
      const w = wrap(t);
      if ('module' in w) {
        wrapperReadme = w.readme;
        return w.module;
      }
      return w;
    },
  };
  const g = generateUnit(built, cfg, out, 'rtl', '');
  putManifest(out, [{ g, config: cfg }]);
  const topMod = g.modules.find((m) => m.top);
  if (!topMod) throw new Error(`internal: no top module among ${g.modules.map((m) => m.name).join(', ')}`);
  return { unit: unit.name, top: g.top.name, unitTop, files: g.files, ports: topMod.ports, wrapperReadme };
}

/** `files` relative to `dir`, with forward slashes (for scripts, .core files and READMEs). */
export function relFiles(dir: string, files: readonly string[]): string[] {
  return files.map((f) => path.relative(dir, f).split(path.sep).join('/'));
}

/** A Markdown table of ports. */
export function portTable(ports: readonly ManifestPort[]): string {
  const rows = ports.map((p) => `| \`${p.name}\` | ${p.direction === 'input' ? 'in' : 'out'} | ${p.width} | ${p.signed ? 'signed' : ''} |`);
  return ['| port | dir | width | signed |', '|---|---|---|---|', ...rows].join('\n');
}
