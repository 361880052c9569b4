/**
 * Elaborates the FireSim shell of a unit configuration and emits it as ONE Verilog file without
 * includes, every module renamed `<tag><module>` with the tag `kvhdl_<unit>_<hash8>_` (hash8: the
 * first 8 hex digits of the SHA-256 of the whole design's Verilog, built with hw_id = 0 and
 * without comments), so two kvhdl blocks never collide in one SoC.
 */
import { createHash } from 'node:crypto';
import { emitDesign, type Module } from '../../hdl/index.ts';
import type { AnyUnit } from '../../gen/unit.ts';
import { firesimProfile, type FiresimProfile } from './profile.ts';
import { shellLayout, type ShellLayout } from './layout.ts';
import { shellRegisters, type CsrReg, type ShellLimits } from './regmap.ts';
import { buildShell } from './shell.ts';

export const SHELL_VERSION = 'kvhdl-firesim-shell-2';
export const DEFAULT_MAX_ROWS = 65535;
export const DEFAULT_MAX_COLS = 4095;

export interface FiresimDesign {
  unit: string;
  config: unknown;
  profile: FiresimProfile;
  layout: ShellLayout;
  regs: CsrReg[];
  limits: ShellLimits;
  /** `kvhdl_<unit>_<hash8>_` */
  tag: string;
  hash8: string;
  /** Top module name in the emitted file (`<tag>shell`). */
  top: string;
  /** The unit's own top module name (before renaming). */
  unitTop: string;
  /** The whole design as one Verilog file. */
  verilog: string;
  /** Names of the modules in the file (renamed). */
  modules: string[];
  /** The built shell module (original names), e.g. for its port list. */
  shell: Module;
}

/** Unit names become C/Scala identifiers: lower-case letters, digits and '_'. */
export function identOf(unit: string): string {
  return unit.toLowerCase().replace(/[^a-z0-9_]/g, '_');
}

/** Builds the shell for a validated configuration. */
export function firesimDesign(unit: AnyUnit, cfg: unknown): FiresimDesign {
  const profile = firesimProfile(unit);
  const why = profile.unsupported?.(cfg);
  if (why) throw new Error(`handoff firesim: ${why}`);
  const unitMod = unit.build(cfg);
  const layout = shellLayout(unitMod, profile, unit.memories?.(cfg) ?? []);
  const limits: ShellLimits = { maxRows: profile.maxRows ?? DEFAULT_MAX_ROWS, maxCols: DEFAULT_MAX_COLS, fixedCols: profile.fixedCols?.(cfg) ?? 0 };
  if (limits.fixedCols > limits.maxCols) throw new Error(`handoff firesim: ${unit.name} needs ${limits.fixedCols} beats per row, more than the shell's ${limits.maxCols}`);
  const params = profile.params(cfg);
  const build = (hwId: number) => {
    const regs = shellRegisters(layout, limits, hwId, params, profile.dataFramed ?? false);
    return { regs, shell: buildShell({ name: 'shell', regfileName: 'csr', unit: unitMod, layout, regs, limits }) };
  };
  // The tag hashes the whole design as built with hw_id = 0, comments dropped (the emitter's
  // `// file:line` locators depend on the working directory); then hw_id = the tag's hash.
  const text0 = emitDesign(build(0).shell.module).map((e) => e.text.replace(/\/\/[^\n]*/g, '')).join('\n');
  const hash8 = createHash('sha256').update(SHELL_VERSION).update('\0').update(text0).digest('hex').slice(0, 8);
  const tag = `kvhdl_${identOf(unit.name)}_${hash8}_`;
  const { regs, shell } = build(parseInt(hash8, 16));
  const emitted = emitDesign(shell.module);
  const names = emitted.map((e) => e.fileName.replace(/\.v$/, ''));
  const verilog = prefixModules(emitted.map((e) => e.text), names, tag);
  return {
    unit: unit.name,
    config: cfg,
    profile,
    layout,
    regs,
    limits,
    tag,
    hash8,
    top: `${tag}shell`,
    unitTop: unitMod.name,
    verilog,
    modules: names.map((n) => tag + n),
    shell: shell.module,
  };
}

/** Renames module `name` -> `tag + name` in one module's text: its declaration and the module name of every instantiation. */
export function prefixModuleText(text: string, names: readonly string[], tag: string): string {
  const known = new Set(names);
  return text
    .split('\n')
    .map((line) => {
      const decl = /^module ([A-Za-z_][A-Za-z0-9_]*)\b/.exec(line);
      if (decl && known.has(decl[1])) return `module ${tag}${decl[1]}${line.slice(decl[0].length)}`;
      const inst = /^(\s+)([A-Za-z_][A-Za-z0-9_]*)(\s+[A-Za-z_][A-Za-z0-9_]*\s*\()/.exec(line);
      if (inst && known.has(inst[2])) return `${inst[1]}${tag}${inst[2]}${inst[3]}${line.slice(inst[0].length)}`;
      return line;
    })
    .join('\n');
}

/**
 * The one-file form: every module renamed and concatenated, children first. Ends with
 * `default_nettype wire so that the file does not change the default of files after it.
 */
export function prefixModules(texts: readonly string[], names: readonly string[], tag: string): string {
  const renamed = texts.map((t) => prefixModuleText(t, names, tag));
  return `// kvhdl FireSim shell: one file, no includes; every module is prefixed with ${tag}\n${renamed.join('\n')}\n\`default_nettype wire\n`;
}

/** The same modules as separate texts `{ name, text }` (for per-module lint runs). */
export function splitModules(d: FiresimDesign): { name: string; text: string }[] {
  const emitted = emitDesign(d.shell);
  const names = emitted.map((e) => e.fileName.replace(/\.v$/, ''));
  return emitted.map((e, i) => ({ name: d.tag + names[i], text: prefixModuleText(e.text, names, d.tag) }));
}
