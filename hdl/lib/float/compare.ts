/**
 * Float comparisons and min/max on bit patterns (combinational, latency 0).
 *
 *   fpLt / fpLe / fpEq(m, name, fmt, a, b) -> { result: Bool, latency: 0 }
 *     IEEE ordered comparisons: false when either operand is NaN; -0 == +0.
 *   fpMin / fpMax(m, name, fmt, a, b) -> { result: UInt(width), latency: 0 }
 *     the canonical NaN when either operand is NaN; otherwise b when b < a (min) / a < b (max),
 *     else a: ties (including -0 vs +0) return the first operand.
 *
 * Patterns are mapped to an order-preserving unsigned key (positive: set the sign bit; negative:
 * invert all bits) and the keys compared; the two zeros are made equal explicitly.
 */
import { mux, type Expr } from '../../core/expr.ts';
import type { ModuleBuilder } from '../../core/module-builder.ts';
import type { FloatFormat } from './format.ts';
import type { FloatOpResult } from './op.ts';
import { floatFields, nanPattern } from './unpack.ts';

interface Order {
  unordered: Expr;
  lt: Expr;
  eq: Expr;
}

/** The order of a and b: `unordered` (a NaN), else `lt` (a < b) and `eq` (a == b, -0 == +0). */
function order(m: ModuleBuilder, name: string, fmt: FloatFormat, a: Expr, b: Expr): Order {
  const fa = floatFields(fmt, a);
  const fb = floatFields(fmt, b);
  const key = (x: Expr, s: Expr) => mux(s, x.not(), x.or(1 << (fmt.width - 1)));
  const ka = m.wire(`${name}_ka`, key(a, fa.sign));
  const kb = m.wire(`${name}_kb`, key(b, fb.sign));
  const zeros = m.wire(`${name}_zeros`, fa.mag.or(fb.mag).eq(0));
  const unordered = m.wire(`${name}_nan`, fa.isNaN.or(fb.isNaN));
  return {
    unordered,
    lt: ka.lt(kb).and(zeros.not()),
    eq: ka.eq(kb).or(zeros),
  };
}

export function fpLt(m: ModuleBuilder, name: string, fmt: FloatFormat, a: Expr, b: Expr): FloatOpResult {
  const o = order(m, name, fmt, a, b);
  return { result: m.wire(`${name}_lt`, o.lt.and(o.unordered.not())), latency: 0 };
}

export function fpLe(m: ModuleBuilder, name: string, fmt: FloatFormat, a: Expr, b: Expr): FloatOpResult {
  const o = order(m, name, fmt, a, b);
  return { result: m.wire(`${name}_le`, o.lt.or(o.eq).and(o.unordered.not())), latency: 0 };
}

export function fpEq(m: ModuleBuilder, name: string, fmt: FloatFormat, a: Expr, b: Expr): FloatOpResult {
  const o = order(m, name, fmt, a, b);
  return { result: m.wire(`${name}_eq`, o.eq.and(o.unordered.not())), latency: 0 };
}

export function fpMin(m: ModuleBuilder, name: string, fmt: FloatFormat, a: Expr, b: Expr): FloatOpResult {
  const o = order(m, name, fmt, b, a); // b < a
  return { result: m.wire(`${name}_min`, mux(o.unordered, nanPattern(fmt), mux(o.lt, b, a))), latency: 0 };
}

export function fpMax(m: ModuleBuilder, name: string, fmt: FloatFormat, a: Expr, b: Expr): FloatOpResult {
  const o = order(m, name, fmt, a, b); // a < b
  return { result: m.wire(`${name}_max`, mux(o.unordered, nanPattern(fmt), mux(o.lt, b, a))), latency: 0 };
}
