/**
 * Reference semantics of expressions, written from the documented width and sign rules
 * (hdl/README.md), independently of the Verilog emitter: constant folding uses it, and the tests
 * compare simulated Verilog against it. Values are the type's interpretation (signed types are
 * negative where the top bit is set). `env` gives each referenced signal's value by name.
 */
import type { Expr } from './expr.ts';

const mask = (w: number) => (1n << BigInt(w)) - 1n;
const pattern = (v: bigint, w: number) => v & mask(w);
const interpret = (bits: bigint, w: number, signed: boolean) => (signed ? BigInt.asIntN(w, bits) : BigInt.asUintN(w, bits));
const floorDiv = (a: bigint, b: bigint) => (a >= 0n ? a / b : -((-a + b - 1n) / b));

export function evalExpr(e: Expr, env: Map<string, bigint>): bigint {
  const w = e.width;
  const out = (v: bigint) => interpret(pattern(v, w), w, e.signed);
  const n = e.node;
  switch (n.op) {
    case 'ref': {
      const v = env.get(n.sig.name);
      if (v === undefined) throw new Error(`no value for '${n.sig.name}'`);
      return interpret(pattern(v, w), w, e.signed);
    }
    case 'lit':
      return n.value;
    case 'bin': {
      const a = evalExpr(n.a, env);
      const b = evalExpr(n.b, env);
      switch (n.fn) {
        case 'add': return out(a + b);
        case 'sub': return out(a - b);
        case 'mul': return out(a * b);
        case 'and': return out(pattern(a, w) & pattern(b, w));
        case 'or': return out(pattern(a, w) | pattern(b, w));
        case 'xor': return out(pattern(a, w) ^ pattern(b, w));
        case 'eq': return a === b ? 1n : 0n;
        case 'ne': return a !== b ? 1n : 0n;
        case 'lt': return a < b ? 1n : 0n;
        case 'le': return a <= b ? 1n : 0n;
        case 'gt': return a > b ? 1n : 0n;
        case 'ge': return a >= b ? 1n : 0n;
        case 'shl': return out(a * (1n << b));
        case 'shr': return out(floorDiv(a, 1n << b));
      }
      break;
    }
    case 'un': {
      const a = evalExpr(n.a, env);
      const bits = pattern(a, n.a.width);
      switch (n.fn) {
        case 'not': return out(~a);
        case 'neg': return out(-a);
        case 'andr': return bits === mask(n.a.width) ? 1n : 0n;
        case 'orr': return bits !== 0n ? 1n : 0n;
        case 'xorr': {
          let p = 0n;
          for (let x = bits; x; x >>= 1n) p ^= x & 1n;
          return p;
        }
      }
      break;
    }
    case 'slice':
      return out(pattern(evalExpr(n.a, env), n.a.width) >> BigInt(n.lo));
    case 'index': {
      const i = evalExpr(n.idx, env);
      return i >= BigInt(n.a.width) ? 0n : (pattern(evalExpr(n.a, env), n.a.width) >> i) & 1n;
    }
    case 'cat': {
      let v = 0n;
      for (const p of n.parts) v = (v << BigInt(p.width)) | pattern(evalExpr(p, env), p.width);
      return out(v);
    }
    case 'rep': {
      const p = pattern(evalExpr(n.a, env), n.a.width);
      let v = 0n;
      for (let i = 0; i < n.n; i++) v = (v << BigInt(n.a.width)) | p;
      return out(v);
    }
    case 'ext':
      return out(evalExpr(n.a, env));
    case 'cast':
      return out(pattern(evalExpr(n.a, env), n.a.width));
    case 'mux':
      return evalExpr(n.c, env) ? evalExpr(n.a, env) : evalExpr(n.b, env);
  }
  throw new Error(`eval: unknown node ${(n as { op: string }).op}`);
}
