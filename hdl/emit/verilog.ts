/**
 * The Verilog-2005 emitter: one file per module, named after the module, with the builder's names,
 * a source locator comment per statement, and output that is the same bytes for the same design.
 */
import type { Signal } from '../core/expr.ts';
import type { Instance, Memory, Module, Stmt } from '../core/ir.ts';
import { forEachRef, pruneFor, pruneMemWrites, readsOf } from '../core/stmt-tree.ts';
import { ExprEmitter, Usage } from './expr-emitter.ts';
import { litText, patternText, rangeText } from './literals.ts';
import { formalSection } from './formal.ts';

export interface EmittedModule {
  module: Module;
  /** `<module name>.v` */
  fileName: string;
  text: string;
}

/** The module and every module below it, children before parents, each once. */
export function collectModules(top: Module): Module[] {
  const out: Module[] = [];
  const byName = new Map<string, Module>();
  const visit = (m: Module) => {
    const prev = byName.get(m.name);
    if (prev) {
      if (prev !== m && emitModule(prev) !== emitModule(m)) {
        throw new Error(`two different modules are both named '${m.name}' (${prev.loc} and ${m.loc}); derive the name from every parameter`);
      }
      return;
    }
    byName.set(m.name, m);
    for (const i of m.instances) visit(i.module);
    out.push(m);
  };
  visit(top);
  return out;
}

/** Verilog text for every module of the design. */
export function emitDesign(top: Module): EmittedModule[] {
  return collectModules(top).map((m) => ({ module: m, fileName: `${m.name}.v`, text: emitModule(m) }));
}

type Line = string;

/**
 * Appends `src` to `dst` one by one: `dst.push(...src)` passes every line as a call argument and
 * overflows the stack for large modules (a 56-lane selector has ~150k lines).
 */
function append(dst: Line[], src: readonly Line[]): void {
  for (const l of src) dst.push(l);
}

function decl(kind: string, sig: { signed: boolean; width: number }, name: string): string {
  const r = rangeText(sig.width);
  return `${kind} ${sig.signed ? 'signed ' : ''}${r ? r + ' ' : ''}${name}`;
}

/** Verilog text of one module. */
export function emitModule(m: Module): string {
  const usage = new Usage();
  const mainEx = new ExprEmitter(usage);
  const body: Line[] = [];
  const ind = (n: number) => '  '.repeat(n);

  /** Emits a statement tree for one target; `op` is '=' (combinational) or '<=' (clocked). */
  const tree = (stmts: readonly Stmt[], op: string, depth: number, out: Line[], ex: ExprEmitter = mainEx) => {
    for (const s of stmts) {
      ex.loc = s.loc;
      if (s.k === 'connect') {
        out.push(`${ind(depth)}${s.target.name} ${op} ${ex.emit(s.value)}; // ${s.loc}`);
      } else if (s.k === 'memwrite') {
        out.push(`${ind(depth)}${s.mem.name}[${ex.emit(s.addr)}] <= ${ex.emit(s.data)}; // ${s.loc}`);
      } else if (s.k === 'when') {
        let w: Extract<Stmt, { k: 'when' }> = s;
        out.push(`${ind(depth)}if (${ex.emit(w.cond)}) begin // ${w.loc}`);
        for (;;) {
          tree(w.then, op, depth + 1, out, ex);
          if (w.else.length === 1 && w.else[0].k === 'when') {
            w = w.else[0];
            out.push(`${ind(depth)}end else if (${ex.emit(w.cond)}) begin // ${w.loc}`);
            continue;
          }
          if (w.else.length) {
            out.push(`${ind(depth)}end else begin`);
            tree(w.else, op, depth + 1, out, ex);
          }
          break;
        }
        out.push(`${ind(depth)}end`);
      } else if (s.k === 'switch') {
        out.push(`${ind(depth)}case (${ex.emit(s.sel)}) // ${s.loc}`);
        for (const c of s.cases) {
          const labels = c.values.map((v) => patternText(s.sel.width, v)).join(', ');
          out.push(`${ind(depth + 1)}${labels}: begin // ${c.loc}`);
          tree(c.body, op, depth + 2, out, ex);
          out.push(`${ind(depth + 1)}end`);
        }
        if (s.dflt && s.dflt.length) {
          out.push(`${ind(depth + 1)}default: begin`);
          tree(s.dflt, op, depth + 2, out, ex);
          out.push(`${ind(depth + 1)}end`);
        } else {
          out.push(`${ind(depth + 1)}default: ;`);
        }
        out.push(`${ind(depth)}endcase`);
      }
    }
  };
  const ex = mainEx;

  const singleAssign = (pruned: Stmt[]) => pruned.length === 1 && pruned[0].k === 'connect';
  const procedural = new Set<Signal>();
  const inlinedInstIn = new Map<Signal, string>();
  const read = readsOf(m.body);
  for (const mem of m.mems) for (const r of mem.reads) [r.addr, r.en].forEach((e) => e && forEachRef(e, (sig) => read.add(sig)));

  // Combinational signals (wires, outputs, instance inputs), in declaration order.
  for (const s of m.signals) {
    if ((s.kind !== 'wire' && s.kind !== 'output' && s.kind !== 'instin') || s.formal) continue;
    ex.context = s.name;
    const pruned = pruneFor(m.body, s);
    if (singleAssign(pruned)) {
      const c = pruned[0] as Extract<Stmt, { k: 'connect' }>;
      ex.loc = c.loc;
      if (s.kind === 'instin' && !read.has(s)) inlinedInstIn.set(s, ex.emit(c.value));
      else body.push(`  assign ${s.name} = ${ex.emit(c.value)}; // ${c.loc}`);
      continue;
    }
    procedural.add(s);
    const lines: Line[] = [];
    tree(pruned, '=', 2, lines);
    body.push(`  always @(*) begin // ${pruned[0].loc}`);
    append(body, lines);
    body.push('  end');
  }

  // Registers.
  for (const s of m.signals) {
    if (s.kind !== 'reg' || s.formal) continue;
    ex.context = s.name;
    const pruned = pruneFor(m.body, s);
    const lines: Line[] = [];
    if (s.reset !== undefined) {
      lines.push(`    if (reset) begin`, `      ${s.name} <= ${litText(s.type, s.reset)};`, `    end else begin`);
      tree(pruned, '<=', 3, lines);
      lines.push('    end');
    } else {
      tree(pruned, '<=', 2, lines);
    }
    body.push(`  always @(posedge clock) begin // ${s.loc}`);
    append(body, lines);
    body.push('  end');
  }

  // Memories.
  const memDecls: Line[] = [];
  for (const mem of m.mems) {
    ex.context = mem.name;
    memDecls.push(`  ${decl('reg', mem.elem, mem.name)} [0:${mem.depth - 1}]; // ${mem.loc}`);
    append(body, memoryBody(mem, m, ex, tree));
  }

  // Instances.
  for (const inst of m.instances) append(body, instanceText(inst, inlinedInstIn));

  // Header and declarations (after the body so temporaries and usage are known).
  const ports: Line[] = [];
  if (m.usesClock) ports.push('input  wire clock');
  if (m.usesReset) ports.push('input  wire reset');
  for (const p of m.ports) {
    const kind = p.kind === 'input' ? 'input  wire' : procedural.has(p) ? 'output reg ' : 'output wire';
    ports.push(`${decl(kind, p.type, p.name)}`);
  }
  const decls: Line[] = [];
  for (const s of m.signals) {
    if (s.kind === 'input' || s.kind === 'output' || inlinedInstIn.has(s) || s.formal) continue;
    const isReg = s.kind === 'reg' || s.kind === 'memread' || procedural.has(s);
    decls.push(`  ${decl(isReg ? 'reg ' : 'wire', s.type, s.name)}; // ${s.loc}`);
  }
  const temps = ex.temps.map((t) => `  ${ex.tempDecl(t)}`);
  const tempAssigns = ex.temps.map((t) => `  assign ${t.name} = ${t.text}; // ${t.loc}`);

  // Bits that nothing reads go into one sink so that `verilator -Wall` stays quiet (its
  // documented idiom: signals matching *unused* are exempt from UNUSED warnings).
  const unused: string[] = [];
  const sinkable = m.signals.filter((s) => s.kind !== 'output' && s.kind !== 'instin' && !s.formal);
  for (const s of sinkable) {
    for (const [hi, lo] of usage.unused(s.name, s.type.width)) {
      unused.push(s.type.width === 1 ? s.name : hi === lo ? `${s.name}[${hi}]` : `${s.name}[${hi}:${lo}]`);
    }
  }
  for (const t of ex.temps) {
    for (const [hi, lo] of usage.unused(t.name, t.expr.width)) unused.push(hi === lo ? `${t.name}[${hi}]` : `${t.name}[${hi}:${lo}]`);
  }

  const header = [
    `// Generated by kvhdl from ${m.loc}. Do not edit.`,
    `// ${m.name}${m.doc ? `: ${m.doc}` : ''}`,
  ];
  const params = Object.entries(m.params);
  if (params.length) header.push(`// parameters: ${params.map(([k, v]) => `${k}=${v}`).join(', ')}`);

  // The text is joined section by section (each a string), never by spreading a section's lines
  // into one call.
  const head = [...header, '`default_nettype none', '', `module ${m.name} (`, ports.map((p) => `  ${p}`).join(',\n'), ');'].join('\n');
  const sections = [decls, memDecls, temps, tempAssigns, body].map((sec) => sec.join('\n'));
  const declText = sections.slice(0, 3).filter((t) => t.length).join('\n');
  const chunks: string[] = [];
  for (const t of [declText, sections[3], sections[4]]) if (t.length) chunks.push(t);
  if (unused.length) chunks.push(`  // Bits that nothing reads (keeps verilator -Wall quiet).\n  wire _unused_ok = &{1'b0, ${unused.join(', ')}, 1'b0};`);
  const formal = formalSection(m, tree, decl);
  if (formal.length) chunks.push(formal.join('\n'));
  const inner = chunks.length ? `${chunks.join('\n\n')}\n` : '';
  return `${head}\n${inner}endmodule\n\n\`default_nettype wire\n`;
}

function memoryBody(mem: Memory, m: Module, ex: ExprEmitter, tree: (s: readonly Stmt[], op: string, d: number, out: Line[]) => void): Line[] {
  const out: Line[] = [];
  if (mem.init && mem.init.length) {
    out.push(`  initial begin // ${mem.loc}`);
    for (let i = 0; i < mem.depth; i++) {
      out.push(`    ${mem.name}[${i}] = ${patternText(mem.elem.width, mem.init[i] ?? 0n)};`);
    }
    out.push('  end');
  }
  const writes = pruneMemWrites(m.body, mem);
  if (writes.length) {
    const lines: Line[] = [];
    tree(writes, '<=', 2, lines);
    out.push(`  always @(posedge clock) begin // ${writes[0].loc}`);
    append(out, lines);
    out.push('  end');
  }
  for (const r of mem.reads) {
    ex.context = r.data.name;
    ex.loc = r.loc;
    const rd = `${r.data.name} <= ${mem.name}[${ex.emit(r.addr)}];`;
    if (r.en) {
      out.push(`  always @(posedge clock) begin // ${r.loc}`, `    if (${ex.emit(r.en)}) begin`, `      ${rd}`, '    end', '  end');
    } else {
      out.push(`  always @(posedge clock) begin // ${r.loc}`, `    ${rd}`, '  end');
    }
  }
  return out;
}

function instanceText(inst: Instance, inlined: Map<Signal, string>): Line[] {
  const conns: string[] = [];
  if (inst.module.usesClock) conns.push('.clock(clock)');
  if (inst.module.usesReset) conns.push('.reset(reset)');
  for (const [port, sig] of inst.ports) conns.push(`.${port}(${inlined.get(sig) ?? sig.name})`);
  return [`  ${inst.module.name} ${inst.name} ( // ${inst.loc}`, conns.map((c) => `    ${c}`).join(',\n'), '  );'];
}
