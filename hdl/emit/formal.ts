/**
 * The formal section of a module: formal-only signals (temporal helpers' registers) and the
 * assert/assume/cover statements, all inside `` `ifdef FORMAL `` so that the plain Verilog-2005
 * output is unchanged. Each property is one line, `<kind> (<cond>); // <file:line>: <message>`,
 * which `propertiesOfVerilog` reads back (the co-simulation maps a failing line to its message).
 */
import type { Signal } from '../core/expr.ts';
import type { Module, Property, Stmt } from '../core/ir.ts';
import { pruneFor } from '../core/stmt-tree.ts';
import { ExprEmitter, Usage } from './expr-emitter.ts';
import { litText } from './literals.ts';

type Tree = (stmts: readonly Stmt[], op: string, depth: number, out: string[], ex: ExprEmitter) => void;
type Decl = (kind: string, sig: { signed: boolean; width: number }, name: string) => string;

/** True when the module has a formal section. */
export function hasFormal(m: Module): boolean {
  return (m.props?.length ?? 0) > 0 || m.signals.some((s) => s.formal);
}

/** The lines between `ifdef FORMAL and `endif (empty when the module has no formal part). */
export function formalSection(m: Module, tree: Tree, decl: Decl): string[] {
  if (!hasFormal(m)) return [];
  const usage = new Usage();
  const ex = new ExprEmitter(usage);
  const body: string[] = [];
  const procedural = new Set<Signal>();
  const formal = m.signals.filter((s) => s.formal);
  for (const s of formal) {
    ex.context = s.name;
    const pruned = pruneFor(m.body, s);
    if (s.kind === 'wire') {
      if (pruned.length === 1 && pruned[0].k === 'connect') {
        ex.loc = pruned[0].loc;
        body.push(`  assign ${s.name} = ${ex.emit(pruned[0].value)}; // ${pruned[0].loc}`);
      } else {
        procedural.add(s);
        body.push(`  always @(*) begin // ${pruned[0]?.loc ?? s.loc}`);
        tree(pruned, '=', 2, body, ex);
        body.push('  end');
      }
      continue;
    }
    body.push(`  always @(posedge clock) begin // ${s.loc}`);
    if (s.reset !== undefined) {
      body.push(`    if (reset) begin`, `      ${s.name} <= ${litText(s.type, s.reset)};`, `    end else begin`);
      tree(pruned, '<=', 3, body, ex);
      body.push('    end');
    } else {
      tree(pruned, '<=', 2, body, ex);
    }
    body.push('  end');
  }
  const props = m.props ?? [];
  if (props.length) {
    const clocked = m.usesClock;
    const gated = m.usesReset;
    const d = gated ? 3 : 2;
    const lines = props.map((p, i) => {
      ex.context = `_p${i}`;
      ex.loc = p.loc;
      return `${'  '.repeat(d)}${p.kind} (${ex.emit(p.cond)}); // ${p.loc}: ${p.message}`;
    });
    body.push(clocked ? '  always @(posedge clock) begin' : '  always @(*) begin');
    if (gated) body.push('    if (!reset) begin');
    for (const l of lines) body.push(l);
    if (gated) body.push('    end');
    body.push('  end');
  }
  const decls = formal.map((s) => `  ${decl(s.kind === 'reg' || procedural.has(s) ? 'reg ' : 'wire', s.type, s.name)}; // ${s.loc}`);
  const temps = ex.temps.map((t) => `  ${ex.tempDecl(t)}`);
  const tempAssigns = ex.temps.map((t) => `  assign ${t.name} = ${t.text}; // ${t.loc}`);
  const unused: string[] = [];
  for (const s of formal) {
    for (const [hi, lo] of usage.unused(s.name, s.type.width)) unused.push(s.type.width === 1 ? s.name : hi === lo ? `${s.name}[${hi}]` : `${s.name}[${hi}:${lo}]`);
  }
  for (const t of ex.temps) {
    for (const [hi, lo] of usage.unused(t.name, t.expr.width)) unused.push(hi === lo ? `${t.name}[${hi}]` : `${t.name}[${hi}:${lo}]`);
  }
  const out = ['`ifdef FORMAL', '  // Formal properties: proved by `kvhdl prove`, checked in co-simulation (built with -DFORMAL --assert).'];
  for (const sec of [decls, temps, tempAssigns, body]) for (const l of sec) out.push(l);
  if (unused.length) out.push(`  wire _unused_formal_ok = &{1'b0, ${unused.join(', ')}, 1'b0};`);
  out.push('`endif');
  return out;
}

/** A property as found in emitted Verilog: its 1-based line in the file. */
export interface EmittedProperty {
  kind: Property['kind'];
  line: number;
  loc: string;
  message: string;
}

const propLine = /^\s*(assert|assume|cover) \(.*\); \/\/ (\S+:\d+): (.*)$/;

/** The property lines of one emitted module's text. */
export function propertiesOfVerilog(text: string): EmittedProperty[] {
  const out: EmittedProperty[] = [];
  text.split('\n').forEach((l, i) => {
    const m = propLine.exec(l);
    if (m) out.push({ kind: m[1] as Property['kind'], line: i + 1, loc: m[2], message: m[3] });
  });
  return out;
}
