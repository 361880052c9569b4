/**
 * The Verilog a formal run reads: the design's modules as emitted, plus a wrapper top
 * (`kv_formal_top`) that assumes reset in the first cycle. Per run the property lines are rewritten
 * in a copy (`selectProperties`): the asserts under test stay, other asserts and covers become empty
 * statements, a cover under test becomes `assert (!(c))` (a counterexample reaches it), and the
 * assumptions of submodules become assertions (only the top's input assumptions constrain the proof).
 */
import type { Module } from '../hdl/index.ts';
import { emitDesign, propertiesOfVerilog } from '../hdl/index.ts';
import type { EmittedProperty } from '../hdl/index.ts';

export const FORMAL_TOP = 'kv_formal_top';

export interface DesignProperty extends EmittedProperty {
  /** Module whose Verilog holds the property. */
  module: string;
  /** `<module>.v`. */
  file: string;
  /** Stable id: `<module>.v:<line>`. */
  id: string;
  /** The module is the design's top (its assumptions constrain the inputs). */
  top: boolean;
}

export interface FormalDesign {
  top: Module;
  /** File name -> Verilog text (the design's modules, as emitted). */
  files: Map<string, string>;
  props: DesignProperty[];
}

export function formalDesign(top: Module): FormalDesign {
  const files = new Map<string, string>();
  const props: DesignProperty[] = [];
  for (const e of emitDesign(top)) {
    files.set(e.fileName, e.text);
    for (const p of propertiesOfVerilog(e.text)) {
      props.push({ ...p, module: e.module.name, file: e.fileName, id: `${e.fileName}:${p.line}`, top: e.module === top });
    }
  }
  return { top, files, props };
}

/** The wrapper: same ports as the design's top, reset assumed high in the first cycle. */
export function wrapperText(top: Module): string {
  const ports: string[] = [];
  const conns: string[] = [];
  if (top.usesClock) { ports.push('input wire clock'); conns.push('.clock(clock)'); }
  if (top.usesReset) { ports.push('input wire reset'); conns.push('.reset(reset)'); }
  for (const p of top.ports) {
    const r = p.type.width > 1 ? `[${p.type.width - 1}:0] ` : '';
    ports.push(`${p.kind === 'input' ? 'input' : 'output'} wire ${r}${p.name}`);
    conns.push(`.${p.name}(${p.name})`);
  }
  const lines = [`module ${FORMAL_TOP} (`, ports.map((p) => `  ${p}`).join(',\n'), ');', `  ${top.name} dut (`, conns.map((c) => `    ${c}`).join(',\n'), '  );'];
  if (top.usesReset) {
    lines.push('  reg kv_formal_init = 1\'b1;', '  always @(posedge clock) kv_formal_init <= 1\'b0;', '  always @(*) if (kv_formal_init) assume (reset);');
  }
  lines.push('endmodule', '');
  return lines.join('\n');
}

/** The files for one run: only the properties in `keep` are checked (as assertions). */
export function selectProperties(d: FormalDesign, keep: ReadonlySet<string>): Map<string, string> {
  const out = new Map<string, string>();
  const byFile = new Map<string, DesignProperty[]>();
  for (const p of d.props) {
    const l = byFile.get(p.file) ?? [];
    l.push(p);
    byFile.set(p.file, l);
  }
  for (const [file, text] of d.files) {
    const ps = byFile.get(file);
    if (!ps) {
      out.set(file, text);
      continue;
    }
    const lines = text.split('\n');
    for (const p of ps) {
      const i = p.line - 1;
      const m = /^(\s*)(assert|assume|cover) \((.*)\);( \/\/ .*)$/.exec(lines[i]);
      if (!m) throw new Error(`${file}:${p.line}: not a property line`);
      const [, ind, kind, cond, comment] = m;
      if (kind === 'assume') lines[i] = p.top ? lines[i] : keep.has(p.id) ? `${ind}assert (${cond});${comment}` : `${ind};${comment}`;
      else if (!keep.has(p.id)) lines[i] = `${ind};${comment}`;
      else lines[i] = kind === 'cover' ? `${ind}assert (!(${cond}));${comment}` : lines[i];
    }
    out.set(file, lines.join('\n'));
  }
  return out;
}
