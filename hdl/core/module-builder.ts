/**
 * ModuleBuilder: the way hardware is described. Declare ports, wires, registers, memories and
 * instances; connect them (last connect wins) inside `when`/`switch` blocks; `build()` runs the
 * design-rule checks and returns the elaborated Module, or throws one ElaborationError that lists
 * every problem with its source line.
 */
import { HType, log2Ceil } from './types.ts';
import { captureLoc, type SourceLoc } from './source.ts';
import { ElaborationError, type Diagnostic, type DiagnosticKind } from './diagnostics.ts';
import { Expr, Signal, Var, lit, type Operand, type Owner, type SignalKind } from './expr.ts';
import type { Instance, Memory, Module, ParamValue, Property, Stmt, SwitchCase } from './ir.ts';
import { nameProblem } from './names.ts';
import { checkDrivers } from './checks/drivers.ts';
import { combDeps, combPathsOf, findLoops } from './checks/loops.ts';
import type { PortBundle } from './bundle.ts';
import { forEachExprIn, forEachRef, pruneFor, pruneMemWrites, readsOf } from './stmt-tree.ts';

export interface RegOptions {
  /** Value loaded by the synchronous active-high `reset`; omit for a datapath register without reset. */
  reset?: number | bigint;
}

export interface MemOptions {
  /** Initial contents (power-up / bitstream), element i at address i; shorter lists leave the rest 0. */
  init?: readonly (number | bigint)[];
}

export interface ModuleOptions {
  /** Elaboration parameters, recorded in the manifest and the Verilog header. */
  params?: Record<string, ParamValue>;
  /** One line describing the module, emitted as a comment. */
  doc?: string;
}

/** A memory being built: synchronous reads, writes under the current when-conditions. */
export class MemoryHandle {
  constructor(private readonly m: ModuleBuilder, readonly ir: Memory) {}

  /** A registered read port: `name` holds mem[addr] one clock after `en` (default: every cycle). */
  read(name: string, addr: Expr, en?: Expr): Expr {
    const loc = captureLoc();
    this.m.checkAddr(this.ir, addr, loc);
    if (en && en.width !== 1) this.m.report('width', loc, `read enable of memory '${this.ir.name}' must be 1 bit, got ${en.type}`);
    const data = this.m.declare(name, 'memread', this.ir.elem, loc);
    this.ir.reads.push({ data, addr, en: en ?? null, loc });
    return new Expr(data.type, { op: 'ref', sig: data }, this.m);
  }

  /** Writes `data` at `addr` on the clock edge, when the enclosing when-conditions hold. */
  write(addr: Expr, data: Operand): void {
    const loc = captureLoc();
    this.m.checkAddr(this.ir, addr, loc);
    const d = data instanceof Expr ? data : lit(this.ir.elem, BigInt(data));
    if (d.width !== this.ir.elem.width || d.signed !== this.ir.elem.signed) {
      this.m.report('width', loc, `cannot write ${d.type} data into memory '${this.ir.name}' of ${this.ir.elem} elements`, this.ir.name);
    }
    this.m.push({ k: 'memwrite', mem: this.ir, addr, data: d, loc });
  }
}

/** A submodule instance: `port(name)` is the parent-side signal of a child port. */
export class InstanceHandle {
  constructor(readonly ir: Instance) {}
  port(name: string): Var {
    const s = this.ir.ports.get(name);
    if (!s) {
      const known = [...this.ir.ports.keys()].join(', ');
      throw new ElaborationError([
        { kind: 'name', loc: captureLoc(), module: this.ir.module.name, message: `instance '${this.ir.name}' of '${this.ir.module.name}' has no port '${name}' (ports: ${known})` },
      ]);
    }
    return new Var(s);
  }
}

export class WhenChain {
  constructor(private readonly m: ModuleBuilder, private last: Extract<Stmt, { k: 'when' }>) {}
  elseWhen(cond: Expr, body: () => void): WhenChain {
    const w = this.m.makeWhen(cond, captureLoc());
    this.last.else.push(w);
    this.m.inBlock(w.then, body);
    this.last = w;
    return this;
  }
  otherwise(body: () => void): void {
    this.m.inBlock(this.last.else, body);
  }
}

export class SwitchChain {
  private readonly seen = new Set<bigint>();
  constructor(private readonly m: ModuleBuilder, private readonly s: Extract<Stmt, { k: 'switch' }>) {}
  is(values: number | bigint | readonly (number | bigint)[], body: () => void): SwitchChain {
    const loc = captureLoc();
    const vs = (Array.isArray(values) ? values : [values]).map((v) => BigInt(v));
    for (const v of vs) {
      if (!this.s.sel.type.fits(v)) this.m.report('width', loc, `case value ${v} does not fit the ${this.s.sel.type} selector`);
      if (this.seen.has(v)) this.m.report('usage', loc, `case value ${v} appears twice in one switch`);
      this.seen.add(v);
    }
    const c: SwitchCase = { values: vs, body: [], loc };
    this.s.cases.push(c);
    this.m.inBlock(c.body, body);
    return this;
  }
  otherwise(body: () => void): void {
    this.s.dflt = [];
    this.m.inBlock(this.s.dflt, body);
  }
}

const reservedPorts = new Set(['clock', 'reset']);

export class ModuleBuilder implements Owner {
  readonly moduleName: string;
  private readonly params: Record<string, ParamValue>;
  private readonly doc?: string;
  private readonly loc: SourceLoc;
  private readonly diags: Diagnostic[] = [];
  private readonly names = new Map<string, SourceLoc>();
  private readonly signals: Signal[] = [];
  private readonly ports: Signal[] = [];
  private readonly bundles: PortBundle[] = [];
  private readonly mems: Memory[] = [];
  private readonly instances: Instance[] = [];
  private readonly body: Stmt[] = [];
  private readonly props: Property[] = [];
  private current: Stmt[] = this.body;
  private built = false;

  constructor(name: string, opts: ModuleOptions = {}) {
    this.loc = captureLoc();
    this.moduleName = name;
    this.params = { ...(opts.params ?? {}) };
    this.doc = opts.doc;
    const p = nameProblem(name);
    if (p) this.report('name', this.loc, `module ${p}`);
  }

  // ---- Owner -------------------------------------------------------------------------------

  report(kind: DiagnosticKind, loc: SourceLoc, message: string, signal?: string): void {
    this.diags.push({ kind, loc, message, signal, module: this.moduleName });
  }

  connect(target: Signal, value: Expr, loc: SourceLoc): void {
    if (this.built) throw new Error(`module '${this.moduleName}' is already built`);
    const t = target;
    if (t.owner !== this) return this.report('usage', loc, `'${t.name}' belongs to module '${t.owner.moduleName}', not '${this.moduleName}'`, t.name);
    if (value.owner && value.owner !== this) {
      return this.report('usage', loc, `value assigned to '${t.name}' uses signals of module '${value.owner.moduleName}'`, t.name);
    }
    const drivenBy: Partial<Record<SignalKind, string>> = {
      input: `input port '${t.name}' is driven from outside the module`,
      instout: `'${t.name}' is an instance output, already driven by the instance`,
      memread: `'${t.name}' is a memory read port, already driven by the memory`,
    };
    const d = drivenBy[t.kind];
    if (d) return this.report('driver', loc, `multiple drivers: ${d}; it cannot also be assigned here`, t.name);
    const what = `${kindLabel(t.kind)} '${t.name}'`;
    if (value.signed !== t.type.signed) {
      this.report('sign', loc, `cannot assign ${value.signed ? 'signed' : 'unsigned'} ${value.type} expression to ${t.type.signed ? 'signed' : 'unsigned'} ${t.type} ${what} (use ${value.signed ? '.asUInt()' : '.asSInt()'})`, t.name);
    } else if (value.width > t.type.width) {
      this.report('width', loc, `cannot assign ${value.width}-bit expression to ${t.type.width}-bit ${what} (use .trunc(${t.type.width}) or widen '${t.name}')`, t.name);
    } else if (value.width < t.type.width) {
      this.report('width', loc, `cannot assign ${value.width}-bit expression to ${t.type.width}-bit ${what} (extend it with ${t.type.signed ? '.sext' : '.zext'}(${t.type.width}) or narrow '${t.name}')`, t.name);
    }
    this.current.push({ k: 'connect', target: t, value, loc });
  }

  // ---- declarations ---------------------------------------------------------------------------

  /** @internal */
  declare(name: string, kind: SignalKind, type: HType, loc: SourceLoc): Signal {
    const p = nameProblem(name) ?? (reservedPorts.has(name) ? `name '${name}' is reserved for the implicit clock/reset ports` : null);
    if (p) this.report('name', loc, p, name);
    const prev = this.names.get(name);
    if (prev !== undefined) this.report('name', loc, `name '${name}' is already declared at ${prev}`, name);
    else this.names.set(name, loc);
    const s = new Signal(name, kind, type, loc, this);
    this.signals.push(s);
    return s;
  }

  /** An input port. */
  input(name: string, type: HType): Expr {
    const s = this.declare(name, 'input', type, captureLoc());
    this.ports.push(s);
    return new Var(s);
  }

  /** An output port; drive it with `.set()`. */
  output(name: string, type: HType): Var {
    const s = this.declare(name, 'output', type, captureLoc());
    this.ports.push(s);
    return new Var(s);
  }

  /** A combinational wire. With an expression instead of a type, declares and drives it at once. */
  wire(name: string, typeOrValue: HType | Expr): Var {
    const loc = captureLoc();
    const t = typeOrValue instanceof HType ? typeOrValue : typeOrValue.type;
    const v = new Var(this.declare(name, 'wire', t, loc));
    if (typeOrValue instanceof Expr) this.connect(v.signal, typeOrValue, loc);
    return v;
  }

  /** A register on the rising edge of `clock`; holds its value on cycles it is not assigned. */
  reg(name: string, type: HType, opts: RegOptions = {}): Var {
    const loc = captureLoc();
    const s = this.declare(name, 'reg', type, loc);
    if (opts.reset !== undefined) {
      const r = BigInt(opts.reset);
      if (!type.fits(r)) this.report('width', loc, `reset value ${r} does not fit ${type} register '${name}'`, name);
      s.reset = r;
    }
    return new Var(s);
  }

  /** A memory of `depth` elements with synchronous read ports (1R1W when used with one read). */
  mem(name: string, elem: HType, depth: number, opts: MemOptions = {}): MemoryHandle {
    const loc = captureLoc();
    const p = nameProblem(name);
    if (p) this.report('name', loc, p, name);
    if (this.names.has(name)) this.report('name', loc, `name '${name}' is already declared at ${this.names.get(name)}`, name);
    this.names.set(name, loc);
    if (!Number.isInteger(depth) || depth < 2) this.report('width', loc, `memory '${name}' depth must be an integer >= 2, got ${depth}`, name);
    const init = opts.init?.map((v) => BigInt(v));
    if (init && init.length > depth) this.report('width', loc, `memory '${name}' has ${init.length} init values for ${depth} entries`, name);
    init?.forEach((v, i) => {
      if (!elem.fits(v)) this.report('width', loc, `memory '${name}' init value ${v} at ${i} does not fit ${elem}`, name);
    });
    const ir: Memory = { name, elem, depth, addrWidth: log2Ceil(Math.max(2, depth)), init, loc, reads: [] };
    this.mems.push(ir);
    return new MemoryHandle(this, ir);
  }

  /** @internal */
  checkAddr(mem: Memory, addr: Expr, loc: SourceLoc): void {
    if (addr.signed || addr.width !== mem.addrWidth) {
      this.report('width', loc, `address of memory '${mem.name}' (${mem.depth} entries) must be u${mem.addrWidth}, got ${addr.type}`, mem.name);
    }
  }

  /** Instantiates a built module; its ports appear in this module as `<name>_<port>`. */
  instance(name: string, module: Module): InstanceHandle {
    const loc = captureLoc();
    const p = nameProblem(name);
    if (p) this.report('name', loc, p, name);
    const ports = new Map<string, Signal>();
    for (const port of module.ports) {
      const kind: SignalKind = port.kind === 'input' ? 'instin' : 'instout';
      ports.set(port.name, this.declare(`${name}_${port.name}`, kind, port.type, loc));
    }
    const ir: Instance = { name, module, loc, ports };
    this.instances.push(ir);
    return new InstanceHandle(ir);
  }

  // ---- control ------------------------------------------------------------------------------

  /** @internal */
  push(s: Stmt): void {
    this.current.push(s);
  }

  /** @internal */
  inBlock(block: Stmt[], body: () => void): void {
    const saved = this.current;
    this.current = block;
    try {
      body();
    } finally {
      this.current = saved;
    }
  }

  /** @internal */
  makeWhen(cond: Expr, loc: SourceLoc): Extract<Stmt, { k: 'when' }> {
    if (cond.width !== 1) this.report('width', loc, `when condition must be 1 bit, got ${cond.type}`);
    return { k: 'when', cond, then: [], else: [], loc };
  }

  /** Connections inside `body` take effect only when `cond` is high. */
  when(cond: Expr, body: () => void): WhenChain {
    const w = this.makeWhen(cond, captureLoc());
    this.current.push(w);
    this.inBlock(w.then, body);
    return new WhenChain(this, w);
  }

  /** A case statement over `sel`: `.is(values, body)` ... `.otherwise(body)`. */
  switch(sel: Expr): SwitchChain {
    const s: Extract<Stmt, { k: 'switch' }> = { k: 'switch', sel, cases: [], dflt: null, loc: captureLoc() };
    this.current.push(s);
    return new SwitchChain(this, s);
  }

  // ---- formal properties (emitted inside `ifdef FORMAL) ------------------------------------

  /** Asserts that `cond` holds on every rising clock edge while reset is low (proved by `kvhdl prove`, checked in co-simulation). */
  assert(cond: Expr, message: string): void {
    this.property('assert', cond, message, captureLoc());
  }

  /** Assumes that `cond` holds on every rising clock edge while reset is low (a constraint on the environment, e.g. the inputs' stream contract). */
  assume(cond: Expr, message: string): void {
    this.property('assume', cond, message, captureLoc());
  }

  /** A state the design should be able to reach: `kvhdl prove` reports the first cycle it is reached. */
  cover(cond: Expr, message: string): void {
    this.property('cover', cond, message, captureLoc());
  }

  /** @internal */
  property(kind: Property['kind'], cond: Expr, message: string, loc: SourceLoc): void {
    if (this.built) throw new Error(`module '${this.moduleName}' is already built`);
    if (!(cond instanceof Expr)) return this.report('usage', loc, `${kind} needs a 1-bit expression`);
    if (cond.width !== 1) return this.report('width', loc, `${kind} condition must be 1 bit, got ${cond.type}`);
    if (cond.owner && cond.owner !== this) return this.report('usage', loc, `${kind} condition uses signals of module '${cond.owner.moduleName}'`);
    if (this.current !== this.body) return this.report('usage', loc, `${kind} inside when/switch: properties are immediate and unconditional; write the condition as an implication (c.not().or(x))`);
    if (/[\r\n]/.test(message) || message.trim() === '') return this.report('usage', loc, `${kind} message must be one non-empty line`);
    this.props.push({ kind, cond, message: message.trim(), loc });
  }

  /** A register that exists only in formal builds (`ifdef FORMAL`): for temporal helpers (`hdl/lib/temporal.ts`). */
  formalReg(name: string, type: HType, opts: RegOptions = {}): Var {
    const v = this.reg(name, type, opts);
    v.signal.formal = true;
    return v;
  }

  /** A wire that exists only in formal builds, declared and driven from `value`. */
  formalWire(name: string, value: Expr): Var {
    const v = this.wire(name, value);
    v.signal.formal = true;
    return v;
  }

  /** Formal-only signals vanish without FORMAL: nothing else may read them. */
  private checkFormalOnly(): void {
    if (!this.signals.some((s) => s.formal)) return;
    for (const s of this.signals) {
      if (s.formal || (s.kind !== 'wire' && s.kind !== 'reg' && s.kind !== 'output' && s.kind !== 'instin')) continue;
      for (const r of readsOf(pruneFor(this.body, s))) {
        if (r.formal) this.report('usage', s.loc, `'${s.name}' reads formal-only signal '${r.name}' (it exists only in formal builds)`, s.name);
      }
    }
    const memExprs: Expr[] = [];
    for (const mem of this.mems) for (const r of mem.reads) memExprs.push(r.addr, ...(r.en ? [r.en] : []));
    for (const mem of this.mems) for (const w of pruneMemWrites(this.body, mem)) forEachExprIn([w], (e) => memExprs.push(e));
    for (const e of memExprs) forEachRef(e, (r) => { if (r.formal) this.report('usage', r.loc, `a memory port reads formal-only signal '${r.name}'`, r.name); });
  }

  /** A declared port of this module by name (for helpers that read a recorded interface). */
  portRef(name: string): Expr {
    const p = this.ports.find((s) => s.name === name);
    if (!p) throw new Error(`module '${this.moduleName}' has no port '${name}'`);
    return new Var(p);
  }

  /** The interfaces recorded so far (`bundle`, `streamIn`/`streamOut`). */
  interfaces(): readonly PortBundle[] {
    return this.bundles;
  }

  // ---- interfaces -------------------------------------------------------------------------

  /** Records an interface over ports already declared (metadata; the Verilog is unchanged). */
  bundle(b: PortBundle): void {
    const names = new Set(this.ports.map((p) => p.name));
    const used = b.kind === 'stream' ? [b.valid, b.ready, ...b.fields.map((f) => f.port)] : Object.values(b.ports);
    const missing = used.filter((n) => !names.has(n));
    if (missing.length) throw new Error(`interface '${b.name}' of module '${this.moduleName}' names ports that do not exist: ${missing.join(', ')}`);
    this.bundles.push(b);
  }

  // ---- build ------------------------------------------------------------------------------

  /** Runs the design-rule checks and returns the module; throws ElaborationError listing all problems. */
  build(): Module {
    if (this.built) throw new Error(`module '${this.moduleName}' is already built`);
    this.built = true;
    for (const p of checkDrivers(this.signals, this.body)) this.report(p.kind, p.signal.loc, p.message, p.signal.name);
    const deps = combDeps(this.signals, this.body, this.instances);
    for (const cycle of findLoops(deps)) {
      const names = cycle.map((s) => `'${s.name}'`).join(' -> ');
      this.report('loop', cycle[0].loc, `combinational loop: ${names}`, cycle[0].name);
    }
    this.checkFormalOnly();
    if (this.diags.length) throw new ElaborationError(this.diags);
    // Formal-only registers do not add clock/reset ports: the ports are the same with and without FORMAL.
    const usesClock = this.signals.some((s) => s.kind === 'reg' && !s.formal) || this.mems.length > 0 || this.instances.some((i) => i.module.usesClock);
    const usesReset = this.signals.some((s) => s.kind === 'reg' && !s.formal && s.reset !== undefined) || this.instances.some((i) => i.module.usesReset);
    for (const s of this.signals) {
      if (!s.formal || s.kind !== 'reg') continue;
      if (!usesClock) this.report('usage', s.loc, `formal register '${s.name}' needs a clocked module (this one has no registers)`, s.name);
      else if (s.reset !== undefined && !usesReset) this.report('usage', s.loc, `formal register '${s.name}' has a reset value but the module has no reset`, s.name);
    }
    if (this.diags.length) throw new ElaborationError(this.diags);
    return {
      name: this.moduleName,
      params: this.params,
      doc: this.doc,
      loc: this.loc,
      ports: this.ports,
      signals: this.signals,
      body: this.body,
      mems: this.mems,
      instances: this.instances,
      usesClock,
      usesReset,
      combPaths: combPathsOf(this.ports, deps),
      ...(this.bundles.length ? { interfaces: [...this.bundles] } : {}),
      ...(this.props.length ? { props: [...this.props] } : {}),
    };
  }
}

function kindLabel(k: SignalKind): string {
  return { input: 'input', output: 'output', wire: 'wire', reg: 'register', memread: 'memory read', instin: 'instance input', instout: 'instance output' }[k];
}
