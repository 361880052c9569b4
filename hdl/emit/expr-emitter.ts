/**
 * Expression emission. Every emitted string has a self-determined Verilog width equal to the
 * expression's width, so Verilog's context-dependent sizing never changes a value: operands are
 * extended explicitly to the operator's width, and signed semantics are requested explicitly with
 * $signed() where they matter (comparisons, arithmetic right shift, multiplication). Unsigned
 * expressions always emit as Verilog-unsigned text.
 */
import type { Expr, Signal } from '../core/expr.ts';
import { HType } from '../core/types.ts';
import { litText, rangeText } from './literals.ts';

export interface Temp {
  name: string;
  expr: Expr;
  text: string;
  /** Source location of the statement that needed it. */
  loc: string;
}

/** Bit-level read tracking, for the `_unused_ok` sink that keeps `verilator -Wall` quiet. */
export class Usage {
  readonly bits = new Map<string, Uint8Array>();
  mark(name: string, width: number, hi = width - 1, lo = 0): void {
    let b = this.bits.get(name);
    if (!b) this.bits.set(name, (b = new Uint8Array(width)));
    for (let i = lo; i <= hi; i++) b[i] = 1;
  }
  /** Unused bit ranges of a signal as [hi, lo] pairs, most significant first. */
  unused(name: string, width: number): [number, number][] {
    const b = this.bits.get(name) ?? new Uint8Array(width);
    const out: [number, number][] = [];
    let i = width - 1;
    while (i >= 0) {
      if (b[i]) { i--; continue; }
      const hi = i;
      while (i >= 0 && !b[i]) i--;
      out.push([hi, i + 1]);
    }
    return out;
  }
}

export class ExprEmitter {
  readonly temps: Temp[] = [];
  private readonly memo = new Map<Expr, string>();
  private readonly counters = new Map<string, number>();
  /** Name used to derive temporary names (`_<context>_<n>`); set per statement. */
  context = 't';
  /** Source location of the statement being emitted (for temporaries' comments). */
  loc = '';

  constructor(readonly usage: Usage) {}

  /** Text of `e` at its own width. */
  emit(e: Expr): string {
    const s = this.ex(e);
    return s.startsWith('(') && matchingParen(s) === s.length - 1 ? s.slice(1, -1) : s;
  }

  private ref(sig: Signal): string {
    this.usage.mark(sig.name, sig.type.width);
    return sig.name;
  }

  /** A name holding `e`: the signal itself for a reference, else a temporary wire. */
  named(e: Expr): { name: string; width: number } {
    if (e.node.op === 'ref') return { name: e.node.sig.name, width: e.width };
    let name = this.memo.get(e);
    if (!name) {
      const k = this.counters.get(this.context) ?? 0;
      this.counters.set(this.context, k + 1);
      name = `_${this.context}_${k}`;
      const text = this.emit(e);
      this.temps.push({ name, expr: e, text, loc: this.loc });
      this.memo.set(e, name);
    }
    return { name, width: e.width };
  }

  /** Bits hi..lo of `e` (pushed through casts, slices and concatenations where possible). */
  private sliceOf(e: Expr, hi: number, lo: number): string {
    const n = e.node;
    if (hi === e.width - 1 && lo === 0) return e.signed ? `$unsigned(${this.ex(e)})` : this.ex(e);
    if (n.op === 'cast') return this.sliceOf(n.a, hi, lo);
    if (n.op === 'slice') return this.sliceOf(n.a, hi + n.lo, lo + n.lo);
    if (n.op === 'ext' && hi < n.a.width) return this.sliceOf(n.a, hi, lo);
    if (n.op === 'cat') {
      let top = e.width;
      for (const p of n.parts) {
        const bottom = top - p.width;
        if (lo >= bottom && hi < top) return this.sliceOf(p, hi - bottom, lo - bottom);
        top = bottom;
      }
    }
    const { name, width } = n.op === 'ref' ? { name: n.sig.name, width: e.width } : this.named(e);
    this.usage.mark(name, width, hi, lo);
    if (width === 1) return name;
    return hi === lo ? `${name}[${hi}]` : `${name}[${hi}:${lo}]`;
  }

  /** `e` extended to `w` bits by its own signedness. */
  private extTo(e: Expr, w: number): string {
    if (w === e.width) return this.ex(e);
    if (e.node.op === 'lit') return litText(new HType(w, e.signed), e.node.value);
    const k = w - e.width;
    if (!e.signed) return k === 1 ? `{1'b0, ${this.ex(e)}}` : `{{${k}{1'b0}}, ${this.ex(e)}}`;
    const msb = this.sliceOf(e, e.width - 1, e.width - 1);
    const body = this.ex(e);
    return k === 1 ? `{${msb}, ${body}}` : `{{${k}{${msb}}}, ${body}}`;
  }

  private ex(e: Expr): string {
    const n = e.node;
    switch (n.op) {
      case 'ref':
        return this.ref(n.sig);
      case 'lit':
        return litText(e.type, n.value);
      case 'bin': {
        const { a, b } = n;
        switch (n.fn) {
          case 'add':
          case 'sub':
          case 'mul': {
            const op = { add: '+', sub: '-', mul: '*' }[n.fn];
            const A = this.extTo(a, e.width);
            const B = this.extTo(b, e.width);
            return n.fn === 'mul' && e.signed ? `($signed(${A}) * $signed(${B}))` : `(${A} ${op} ${B})`;
          }
          case 'and':
          case 'or':
          case 'xor':
            return `(${this.ex(a)} ${{ and: '&', or: '|', xor: '^' }[n.fn]} ${this.ex(b)})`;
          case 'eq':
          case 'ne':
          case 'lt':
          case 'le':
          case 'gt':
          case 'ge': {
            const w = Math.max(a.width, b.width);
            const op = { eq: '==', ne: '!=', lt: '<', le: '<=', gt: '>', ge: '>=' }[n.fn];
            const A = this.extTo(a, w);
            const B = this.extTo(b, w);
            const signedCmp = a.signed && n.fn !== 'eq' && n.fn !== 'ne';
            return signedCmp ? `($signed(${A}) ${op} $signed(${B}))` : `(${A} ${op} ${B})`;
          }
          case 'shl':
            return `(${this.extTo(a, e.width)} << ${this.ex(b)})`;
          case 'shr':
            // Braces make the arithmetic shift self-determined: inside a larger unsigned expression
            // Verilog would otherwise treat $signed(a) as unsigned and shift in zeros.
            return e.signed ? `{$signed(${this.ex(a)}) >>> ${this.ex(b)}}` : `(${this.ex(a)} >> ${this.ex(b)})`;
        }
        break;
      }
      case 'un':
        switch (n.fn) {
          case 'not': return `(~${this.ex(n.a)})`;
          case 'neg': return `(-${this.extTo(n.a, e.width)})`;
          case 'andr': return `(&${this.ex(n.a)})`;
          case 'orr': return `(|${this.ex(n.a)})`;
          case 'xorr': return `(^${this.ex(n.a)})`;
        }
        break;
      case 'slice':
        return this.sliceOf(n.a, n.hi, n.lo);
      case 'index': {
        // An index past the top bit reads 0 (Verilog would give X): guarded when the width is not a power of two.
        const { name, width } = this.named(n.a);
        this.usage.mark(name, width);
        const idx = this.ex(n.idx);
        if (width === 1) return `(${name} & ~${idx})`;
        if ((width & (width - 1)) === 0) return `${name}[${idx}]`;
        return `((${idx} < ${litText(n.idx.type, BigInt(width))}) ? ${name}[${idx}] : 1'b0)`;
      }
      case 'cat':
        return `{${n.parts.map((p) => this.ex(p)).join(', ')}}`;
      case 'rep':
        return `{${n.n}{${this.ex(n.a)}}}`;
      case 'ext':
        return this.extTo(n.a, e.width);
      case 'cast':
        return n.a.signed && !e.signed ? `$unsigned(${this.ex(n.a)})` : this.ex(n.a);
      case 'mux':
        return `(${this.ex(n.c)} ? ${this.ex(n.a)} : ${this.ex(n.b)})`;
    }
    throw new Error(`unknown expression node ${(n as { op: string }).op}`);
  }

  /** Declarations of the temporaries (`wire [w:0] _x_0;`). */
  tempDecl(t: Temp): string {
    const r = rangeText(t.expr.width);
    return `wire ${t.expr.signed ? 'signed ' : ''}${r ? r + ' ' : ''}${t.name};`;
  }
}

function matchingParen(s: string): number {
  let depth = 0;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '(') depth++;
    else if (s[i] === ')') {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}
