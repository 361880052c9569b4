/**
 * Expressions and signals. Every operator has an exact result type (see hdl/README.md, "Width and
 * sign rules"); nothing is ever truncated implicitly. A type error is recorded in the owning module's
 * diagnostics (with the builder call's source line) and a placeholder of the natural type is
 * returned, so that one elaboration reports every problem at once.
 */
import { HType, UInt, bitsFor } from './types.ts';
import { captureLoc, type SourceLoc } from './source.ts';
import { ElaborationError, type DiagnosticKind } from './diagnostics.ts';
import { evalExpr } from './eval.ts';

/** What an expression or signal belongs to: the module builder (kept abstract to avoid a cycle). */
export interface Owner {
  readonly moduleName: string;
  report(kind: DiagnosticKind, loc: SourceLoc, message: string, signal?: string): void;
  connect(target: Signal, value: Expr, loc: SourceLoc): void;
}

export type SignalKind = 'input' | 'output' | 'wire' | 'reg' | 'memread' | 'instin' | 'instout';

export class Signal {
  /** Reset value of a register (active-high synchronous `reset`); undefined: not reset. */
  reset?: bigint;
  /** Formal-only (declared by `formalReg`/`formalWire`): emitted inside `` `ifdef FORMAL `` only. */
  formal?: boolean;
  constructor(
    readonly name: string,
    readonly kind: SignalKind,
    readonly type: HType,
    readonly loc: SourceLoc,
    readonly owner: Owner,
  ) {}
}

export type BinOp =
  | 'add' | 'sub' | 'mul'
  | 'and' | 'or' | 'xor'
  | 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge'
  | 'shl' | 'shr';
export type UnOp = 'not' | 'neg' | 'andr' | 'orr' | 'xorr';

export type Node =
  | { op: 'ref'; sig: Signal }
  | { op: 'lit'; value: bigint }
  | { op: 'bin'; fn: BinOp; a: Expr; b: Expr }
  | { op: 'un'; fn: UnOp; a: Expr }
  | { op: 'slice'; a: Expr; hi: number; lo: number }
  | { op: 'index'; a: Expr; idx: Expr }
  | { op: 'cat'; parts: Expr[] }
  | { op: 'rep'; a: Expr; n: number }
  | { op: 'ext'; a: Expr }
  | { op: 'cast'; a: Expr }
  | { op: 'mux'; c: Expr; a: Expr; b: Expr };

export type Operand = Expr | number | bigint;

function describe(e: Expr): string {
  return e.node.op === 'ref' ? `${e.type} '${e.node.sig.name}'` : e.node.op === 'lit' ? `${e.type} literal ${e.node.value}` : `${e.type} expression`;
}

/** Minimal type holding `v` with the given signedness. */
function litTypeFor(v: bigint, signed: boolean): HType {
  if (!signed) return UInt(bitsFor(v < 0n ? 0n : v));
  let w = 1;
  while (!(v >= -(1n << BigInt(w - 1)) && v <= (1n << BigInt(w - 1)) - 1n)) w++;
  return new HType(w, true);
}

function ownerOf(es: readonly Expr[]): Owner | null {
  let o: Owner | null = null;
  for (const e of es) {
    if (!e.owner) continue;
    if (o && o !== e.owner) {
      throw new ElaborationError([
        { kind: 'usage', loc: captureLoc(), module: o.moduleName, message: `expression mixes signals of modules '${o.moduleName}' and '${e.owner.moduleName}'` },
      ]);
    }
    o = e.owner;
  }
  return o;
}

function fail(es: readonly Expr[], kind: DiagnosticKind, message: string, signal?: string): void {
  const o = ownerOf(es);
  const loc = captureLoc();
  if (!o) throw new ElaborationError([{ kind, loc, module: '<none>', message }]);
  o.report(kind, loc, message, signal);
}

const noSignals = new Map<string, bigint>();

/** A new expression node; one whose operands are all constants is folded to a constant. */
function mk(type: HType, node: Node, operands: readonly Expr[]): Expr {
  const e = new Expr(type, node, ownerOf(operands));
  if (operands.every((o) => o.node.op === 'lit')) return new Expr(type, { op: 'lit', value: evalExpr(e, noSignals) }, null);
  return e;
}

export class Expr {
  constructor(
    readonly type: HType,
    readonly node: Node,
    readonly owner: Owner | null,
  ) {}

  get width(): number {
    return this.type.width;
  }
  get signed(): boolean {
    return this.type.signed;
  }

  /** Turns a number into a literal of this expression's signedness (wide enough for both). */
  private operand(b: Operand): Expr {
    if (b instanceof Expr) return b;
    const v = BigInt(b);
    if (!this.signed && v < 0n) {
      fail([this], 'sign', `negative literal ${v} used with unsigned ${describe(this)}`);
      return lit(this.type, 0n);
    }
    const natural = litTypeFor(v, this.signed);
    const w = Math.max(natural.width, this.width);
    return new Expr(new HType(w, this.signed), { op: 'lit', value: v }, null);
  }

  private sameSign(b: Expr, what: string): boolean {
    if (this.signed === b.signed) return true;
    fail([this, b], 'sign', `cannot ${what} ${describe(this)} and ${describe(b)}: signedness differs (convert one with .asSInt() or .asUInt(), extending first if needed)`);
    return false;
  }

  private sameType(b: Expr, what: string): boolean {
    if (!this.sameSign(b, what)) return false;
    if (this.width === b.width) return true;
    fail([this, b], 'width', `cannot ${what} ${describe(this)} and ${describe(b)}: widths differ (extend the narrower one with .zext/.sext, or .trunc the wider)`);
    return false;
  }

  private arith(fn: 'add' | 'sub' | 'mul', bIn: Operand, wrap: boolean): Expr {
    const b = this.operand(bIn);
    this.sameSign(b, fn);
    const w = wrap ? Math.max(this.width, b.width) : fn === 'mul' ? this.width + b.width : Math.max(this.width, b.width) + 1;
    return mk(new HType(w, this.signed), { op: 'bin', fn, a: this, b }, [this, b]);
  }

  /** Sum with a carry bit: width max(wa, wb) + 1. */
  add(b: Operand): Expr { return this.arith('add', b, false); }
  /** Difference with a borrow bit: width max(wa, wb) + 1 (unsigned wraps modulo 2^(w)). */
  sub(b: Operand): Expr { return this.arith('sub', b, false); }
  /** Full product: width wa + wb. */
  mul(b: Operand): Expr { return this.arith('mul', b, false); }
  /** Sum modulo 2^max(wa, wb). */
  addWrap(b: Operand): Expr { return this.arith('add', b, true); }
  /** Difference modulo 2^max(wa, wb). */
  subWrap(b: Operand): Expr { return this.arith('sub', b, true); }
  /** Product modulo 2^max(wa, wb). */
  mulWrap(b: Operand): Expr { return this.arith('mul', b, true); }

  /** Two's-complement negation of a signed value: width w + 1 (so -min fits). */
  neg(): Expr {
    if (!this.signed) fail([this], 'sign', `cannot negate unsigned ${describe(this)} (use .zext(w+1).asSInt().neg())`);
    return mk(new HType(this.width + 1, true), { op: 'un', fn: 'neg', a: this }, [this]);
  }

  private bitwise(fn: 'and' | 'or' | 'xor', bIn: Operand): Expr {
    const b = this.operand(bIn);
    this.sameType(b, fn);
    return mk(this.type.withSign(this.signed), { op: 'bin', fn, a: this, b }, [this, b]);
  }
  and(b: Operand): Expr { return this.bitwise('and', b); }
  or(b: Operand): Expr { return this.bitwise('or', b); }
  xor(b: Operand): Expr { return this.bitwise('xor', b); }
  not(): Expr { return mk(this.type.withSign(this.signed), { op: 'un', fn: 'not', a: this }, [this]); }

  private compare(fn: 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge', bIn: Operand): Expr {
    const b = this.operand(bIn);
    this.sameSign(b, `compare (${fn})`);
    const k = constantCompare(fn, this, b);
    if (k !== null) return lit(UInt(1), k ? 1n : 0n);
    return mk(UInt(1), { op: 'bin', fn, a: this, b }, [this, b]);
  }
  eq(b: Operand): Expr { return this.compare('eq', b); }
  ne(b: Operand): Expr { return this.compare('ne', b); }
  /** Signed or unsigned by the operands' type (both must agree). */
  lt(b: Operand): Expr { return this.compare('lt', b); }
  le(b: Operand): Expr { return this.compare('le', b); }
  gt(b: Operand): Expr { return this.compare('gt', b); }
  ge(b: Operand): Expr { return this.compare('ge', b); }

  /** Left shift. By a constant n: width w + n. By an unsigned expression s: width w + 2^ws - 1. */
  shl(n: number | Expr): Expr {
    if (typeof n === 'number') {
      if (!Number.isInteger(n) || n < 0) {
        fail([this], 'width', `shift amount must be a non-negative integer, got ${n}`);
        return this;
      }
      if (n === 0) return this;
      return mk(new HType(this.width + n, this.signed), { op: 'cat', parts: [this, lit(UInt(n), 0n)] }, [this]);
    }
    if (n.signed) fail([this, n], 'sign', `shift amount ${describe(n)} must be unsigned`);
    const grow = 2 ** Math.min(n.width, 20) - 1;
    if (this.width + grow > 4096) {
      fail([this, n], 'width', `left shift by ${describe(n)} would be ${this.width + grow} bits wide; narrow the amount or use .trunc`);
    }
    return mk(new HType(this.width + grow, this.signed), { op: 'bin', fn: 'shl', a: this, b: n }, [this, n]);
  }

  /**
   * Right shift, arithmetic for signed values. By a constant n: width w - n (the dropped bits are
   * gone; signed values round toward minus infinity). By an expression: width w.
   */
  shr(n: number | Expr): Expr {
    if (typeof n === 'number') {
      if (!Number.isInteger(n) || n < 0 || n >= this.width) {
        fail([this], 'width', `cannot shift ${describe(this)} right by ${n} (allowed 0..${this.width - 1})`);
        return this;
      }
      if (n === 0) return this;
      const s = this.slice(this.width - 1, n);
      return this.signed ? s.asSInt() : s;
    }
    if (n.signed) fail([this, n], 'sign', `shift amount ${describe(n)} must be unsigned`);
    return mk(this.type.withSign(this.signed), { op: 'bin', fn: 'shr', a: this, b: n }, [this, n]);
  }

  /** Bits hi..lo (inclusive), unsigned, width hi - lo + 1. */
  slice(hi: number, lo: number): Expr {
    if (!Number.isInteger(hi) || !Number.isInteger(lo) || lo < 0 || hi < lo || hi >= this.width) {
      fail([this], 'width', `slice [${hi}:${lo}] out of range for ${describe(this)} (bits ${this.width - 1}..0)`);
      return lit(UInt(Math.max(1, hi - lo + 1 || 1)), 0n);
    }
    if (this.node.op === 'lit') {
      const bits = this.signed && this.node.value < 0n ? this.node.value + (1n << BigInt(this.width)) : this.node.value;
      return lit(UInt(hi - lo + 1), (bits >> BigInt(lo)) & ((1n << BigInt(hi - lo + 1)) - 1n));
    }
    if (hi === this.width - 1 && lo === 0) return this.signed ? this.asUInt() : this.type.lanes ? this.as(UInt(this.width)) : this;
    return mk(UInt(hi - lo + 1), { op: 'slice', a: this, hi, lo }, [this]);
  }

  /** One bit: a constant index or an unsigned index expression of exactly log2Ceil(width) bits. */
  bit(i: number | Expr): Expr {
    if (typeof i === 'number') return this.slice(i, i);
    if (i.node.op === 'lit' && !i.signed) return i.node.value < BigInt(this.width) ? this.slice(Number(i.node.value), Number(i.node.value)) : lit(UInt(1), 0n);
    const need = Math.max(1, Math.ceil(Math.log2(this.width)));
    if (i.signed || i.width !== need) {
      fail([this, i], 'width', `bit index into ${describe(this)} must be unsigned ${need} bits, got ${describe(i)}`);
    }
    return mk(UInt(1), { op: 'index', a: this, idx: i }, [this, i]);
  }

  /** Lane i of a packed vector, with the lane's element type. */
  lane(i: number): Expr {
    const l = this.type.lanes;
    if (!l) {
      fail([this], 'width', `${describe(this)} is not a lane vector`);
      return this;
    }
    if (!Number.isInteger(i) || i < 0 || i >= l.count) {
      fail([this], 'width', `lane ${i} out of range for ${describe(this)} (0..${l.count - 1})`);
      return lit(l.elem, 0n);
    }
    return this.slice((i + 1) * l.elem.width - 1, i * l.elem.width).as(l.elem);
  }

  /** All lanes of a packed vector. */
  lanesOf(): Expr[] {
    const n = this.type.lanes?.count ?? 0;
    return Array.from({ length: n }, (_, i) => this.lane(i));
  }

  /** Zero extension of an unsigned value to `w` bits (w >= width). */
  zext(w: number): Expr {
    if (this.signed) fail([this], 'sign', `zext of signed ${describe(this)}; use .sext(${w}) or .asUInt().zext(${w})`);
    return this.extendTo(w, false);
  }

  /** Sign extension of a signed value to `w` bits (w >= width). */
  sext(w: number): Expr {
    if (!this.signed) fail([this], 'sign', `sext of unsigned ${describe(this)}; use .zext(${w})`);
    return this.extendTo(w, true);
  }

  /** Extension to `w` bits by the value's own signedness. */
  extend(w: number): Expr {
    return this.extendTo(w, this.signed);
  }

  private extendTo(w: number, signed: boolean): Expr {
    if (!Number.isInteger(w) || w < this.width) {
      fail([this], 'width', `cannot extend ${describe(this)} to ${w} bits (narrower); use .trunc(${w})`);
      return this;
    }
    if (w === this.width) return this;
    if (this.node.op === 'lit') return lit(new HType(w, this.signed), this.node.value);
    return mk(new HType(w, signed), { op: 'ext', a: this }, [this]);
  }

  /** Explicit truncation to the low `w` bits, keeping signedness. */
  trunc(w: number): Expr {
    if (!Number.isInteger(w) || w < 1 || w > this.width) {
      fail([this], 'width', `cannot truncate ${describe(this)} to ${w} bits`);
      return this;
    }
    if (w === this.width) return this;
    const s = this.slice(w - 1, 0);
    return this.signed ? s.asSInt() : s;
  }

  /** Reinterprets the bits as signed (same width). */
  asSInt(): Expr {
    return this.as(new HType(this.width, true));
  }
  /** Reinterprets the bits as unsigned (same width). */
  asUInt(): Expr {
    return this.as(new HType(this.width, false));
  }
  /** Reinterprets the bits as another type of the same width (e.g. a lane vector). */
  as(t: HType): Expr {
    if (t.width !== this.width) {
      fail([this], 'width', `cannot reinterpret ${describe(this)} as ${t} (widths differ)`);
      return this;
    }
    if (t.signed === this.signed && !t.lanes && !this.type.lanes) return this;
    if (this.node.op === 'lit') {
      const bits = this.signed && this.node.value < 0n ? this.node.value + (1n << BigInt(this.width)) : this.node.value;
      const v = t.signed && bits >> BigInt(t.width - 1) ? bits - (1n << BigInt(t.width)) : bits;
      return lit(t, v);
    }
    return mk(t, { op: 'cast', a: this }, [this]);
  }

  andR(): Expr { return mk(UInt(1), { op: 'un', fn: 'andr', a: this }, [this]); }
  orR(): Expr { return mk(UInt(1), { op: 'un', fn: 'orr', a: this }, [this]); }
  xorR(): Expr { return mk(UInt(1), { op: 'un', fn: 'xorr', a: this }, [this]); }
}

type CmpOp = 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge';
const flipped: Record<CmpOp, CmpOp> = { eq: 'eq', ne: 'ne', lt: 'gt', le: 'ge', gt: 'lt', ge: 'le' };

/**
 * The result of a comparison that the operands' ranges decide at elaboration (e.g. an unsigned
 * value >= 0, or a 4-bit value == 20), or null. Such comparisons are folded to a constant, which
 * is also what keeps verilator -Wall from warning (UNSIGNED, CMPCONST).
 */
function constantCompare(fn: CmpOp, a: Expr, b: Expr): boolean | null {
  if (a === b) return fn === 'eq' || fn === 'le' || fn === 'ge';
  if (a.node.op !== 'lit' && b.node.op !== 'lit') return null;
  if (a.node.op === 'lit' && b.node.op !== 'lit') return constantCompare(flipped[fn], b, a);
  const v = (b.node as { value: bigint }).value;
  const [lo, hi] = a.node.op === 'lit' ? [a.node.value, a.node.value] : [a.type.min, a.type.max];
  switch (fn) {
    case 'eq': return v < lo || v > hi ? false : lo === hi ? true : null;
    case 'ne': return v < lo || v > hi ? true : lo === hi ? false : null;
    case 'lt': return hi < v ? true : lo >= v ? false : null;
    case 'le': return hi <= v ? true : lo > v ? false : null;
    case 'gt': return lo > v ? true : hi <= v ? false : null;
    case 'ge': return lo >= v ? true : hi < v ? false : null;
  }
}

/** A named, assignable signal (wire, register, output port, instance input). */
export class Var extends Expr {
  readonly signal: Signal;
  constructor(signal: Signal) {
    super(signal.type, { op: 'ref', sig: signal }, signal.owner);
    this.signal = signal;
  }
  get name(): string {
    return this.signal.name;
  }
  /** Connects a value (last connect wins; inside `when` blocks it applies under their conditions). */
  set(value: Operand): void {
    const loc = captureLoc();
    const v = value instanceof Expr ? value : toLiteral(this.signal.type, BigInt(value), this.signal, loc);
    this.signal.owner.connect(this.signal, v, loc);
  }
}

function toLiteral(t: HType, v: bigint, target: Signal, loc: SourceLoc): Expr {
  if (!t.fits(v)) {
    target.owner.report('width', loc, `literal ${v} does not fit ${t} '${target.name}' (${t.min}..${t.max})`, target.name);
    return lit(t, 0n);
  }
  return lit(t, v);
}

/** A constant of the given type; the value must fit. */
export function lit(t: HType, value: number | bigint): Expr {
  const v = BigInt(value);
  if (!t.fits(v)) {
    throw new ElaborationError([{ kind: 'width', loc: captureLoc(), module: '<none>', message: `literal ${v} does not fit ${t} (${t.min}..${t.max})` }]);
  }
  return new Expr(t, { op: 'lit', value: v }, null);
}

/** `c ? a : b`. The condition is one bit; both arms must have the same width and signedness. */
export function mux(c: Expr, a: Operand, b: Operand): Expr {
  const ea = a instanceof Expr ? a : b instanceof Expr ? lit(b.type, BigInt(a)) : lit(UInt(bitsFor(BigInt(a))), BigInt(a));
  const eb = b instanceof Expr ? b : lit(ea.type, BigInt(b));
  if (c.width !== 1) fail([c, ea, eb], 'width', `mux condition must be 1 bit, got ${describe(c)}`);
  if (ea.signed !== eb.signed || ea.width !== eb.width) {
    fail([c, ea, eb], ea.signed !== eb.signed ? 'sign' : 'width', `mux arms differ: ${describe(ea)} vs ${describe(eb)} (extend or convert one)`);
  }
  return mk(ea.type.withSign(ea.signed), { op: 'mux', c, a: ea, b: eb }, [c, ea, eb]);
}

/** Concatenation, first argument in the most significant bits (as in Verilog). Unsigned result. */
export function cat(...parts: Expr[]): Expr {
  return catList(parts);
}

/** cat() of an array of any length (first element most significant): no argument spreading. */
export function catList(parts: readonly Expr[]): Expr {
  if (parts.length === 0) throw new ElaborationError([{ kind: 'width', loc: captureLoc(), module: '<none>', message: 'cat() of nothing' }]);
  if (parts.length === 1) return parts[0].asUInt();
  const w = parts.reduce((n, p) => n + p.width, 0);
  const ps = [...parts];
  return mk(UInt(w), { op: 'cat', parts: ps }, ps);
}

/** `n` copies of `a`, concatenated. */
export function rep(a: Expr, n: number): Expr {
  if (!Number.isInteger(n) || n < 1) {
    fail([a], 'width', `replication count must be a positive integer, got ${n}`);
    return a.asUInt();
  }
  if (n === 1) return a.asUInt();
  return mk(UInt(a.width * n), { op: 'rep', a, n }, [a]);
}

/** Packs lanes into a vector (lane 0 in the least significant bits); all lanes share one type. */
export function vecOf(lanes: Expr[]): Expr {
  const t = lanes[0].type;
  for (const l of lanes) {
    if (l.width !== t.width || l.signed !== t.signed) fail(lanes, 'width', `vecOf lanes differ: ${l.type} vs ${t}`);
  }
  return catList([...lanes].reverse()).as(t.vec(lanes.length));
}

/** The smaller of two values of the same signedness (widths may differ; result has the wider width). */
export function minOf(a: Expr, b: Expr): Expr {
  const w = Math.max(a.width, b.width);
  return mux(a.lt(b), a.extend(w), b.extend(w));
}

/** The larger of two values of the same signedness. */
export function maxOf(a: Expr, b: Expr): Expr {
  const w = Math.max(a.width, b.width);
  return mux(a.gt(b), a.extend(w), b.extend(w));
}
