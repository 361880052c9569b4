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

/** The design's modules and the wrapper, with their properties (the wrapper's and the top's assumptions constrain the inputs). */
export function formalDesign(top: Module): FormalDesign {
  const files = new Map<string, string>();
  const props: DesignProperty[] = [];
  const add = (name: string, text: string, isTop: boolean, shown = name) => {
    const fileName = `${name}.v`;
    files.set(fileName, text);
    for (const p of propertiesOfVerilog(text)) props.push({ ...p, module: shown, file: fileName, id: `${fileName}:${p.line}`, top: isTop });
  };
  for (const e of emitDesign(top)) add(e.module.name, e.text, e.module === top);
  add(FORMAL_TOP, wrapperText(top), true, `${top.name} ports`);
  return { top, files, props };
}

/**
 * The wrapper: same ports as the design's top; reset assumed high in the first cycle; the stream
 * contract of every stream interface of the top (assumed on inputs, asserted on outputs) unless the
 * top states it itself (`streamContracts`).
 */
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
    // (not in a Verilator replay: its testbench drives reset itself and the check would race it at time 0)
    lines.push('`ifndef KV_REPLAY', '  reg kv_formal_init = 1\'b1;', '  always @(posedge clock) kv_formal_init <= 1\'b0;', '  always @(*) if (kv_formal_init) assume (reset);', '`endif');
  }
  if (top.usesClock) lines.push(...contractText(top));
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

/** The stream contracts of the top's interfaces that the top does not state itself. */
function contractText(top: Module): string[] {
  const regs: string[] = [];
  const checks: string[] = [];
  const notReset = top.usesReset ? '!reset && ' : '';
  for (const b of top.interfaces ?? []) {
    if (b.kind !== 'stream') continue;
    if (top.props?.some((p) => p.message.startsWith(`stream '${b.name}':`))) continue;
    const kind = b.dir === 'in' ? 'assume' : 'assert';
    const w = `fv_${b.name}_waited`;
    regs.push(`  reg ${w} = 1'b0;`, `  always @(posedge clock) ${w} <= ${notReset}${b.valid} && !${b.ready};`);
    checks.push(`      ${kind} (!${w} || ${b.valid}); // ${top.loc}: stream '${b.name}': valid stays high until ready`);
    for (const f of b.fields) {
      const port = top.ports.find((p) => p.name === f.port)!;
      const r = port.type.width > 1 ? `[${port.type.width - 1}:0] ` : '';
      regs.push(`  reg ${r}fv_${f.port}_past;`, `  always @(posedge clock) fv_${f.port}_past <= ${f.port};`);
      checks.push(`      ${kind} (!${w} || ${f.port} == fv_${f.port}_past); // ${top.loc}: stream '${b.name}': '${f.port}' stable while valid and not ready`);
    }
  }
  if (!checks.length) return [];
  return [...regs, '  always @(posedge clock) begin', ...(top.usesReset ? ['    if (!reset) begin'] : ['    begin']), ...checks, '    end', '  end'];
}
