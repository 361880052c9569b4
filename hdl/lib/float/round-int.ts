/**
 * Rounding to integers (round half to even, like numpy.rint).
 *
 *   fpRoundEven(m, name, fmt, a, { stages?: 0..1, enable? }) -> { result: UInt(width), latency: stages }
 *     The integer nearest to a as a float pattern, ties to even, sign kept (rint(-0.3) = -0);
 *     +-Inf unchanged, NaN -> the canonical NaN.
 *   fpToUIntSat(m, name, fmt, a, bits, { stages?: 0..1, enable? }) -> { result: UInt(bits), latency: stages }
 *     fpRoundEven(a) clamped to [0, 2^bits - 1]: NaN -> 0, negative -> 0, +Inf -> 2^bits - 1.
 *
 * With stages = 1 the register sits after the rounding (before the saturating conversion).
 */
import { cat, catList, lit, mux, type Expr } from '../../core/expr.ts';
import type { ModuleBuilder } from '../../core/module-builder.ts';
import { UInt, log2Ceil } from '../../core/types.ts';
import type { FloatFormat } from './format.ts';
import { stageRegs } from './normalize-round.ts';
import type { FloatOpOptions as StageOptions, FloatOpResult } from './op.ts';
import { floatFields, nanPattern } from './unpack.ts';

/** The combinational rounding: a pattern of an integral value (or Inf / canonical NaN). */
function roundEvenComb(m: ModuleBuilder, name: string, fmt: FloatFormat, a: Expr): Expr {
  const f = floatFields(fmt, a);
  const M = fmt.man;
  const big = m.wire(`${name}_big`, f.exp.ge(fmt.bias + M)); // already integral (or Inf / NaN)
  const half = m.wire(`${name}_half`, f.exp.eq(fmt.bias - 1)); // 0.5 <= |a| < 1
  // bias <= exp < bias + man: k = bias + man - exp fraction bits (1..man) to round away
  const k = m.wire(`${name}_k`, lit(UInt(fmt.exp), fmt.bias + M).subWrap(f.exp).trunc(log2Ceil(M + 1)));
  const bits = (pred: (i: number) => Expr) => catList(Array.from({ length: M }, (_, j) => pred(M - 1 - j)));
  const frac = bits((i) => k.gt(i)); // bits below the integer point
  const guardM = bits((i) => k.eq(i + 1));
  const stickyM = bits((i) => k.gt(i + 1));
  const lsbM = bits((i) => k.eq(i));
  const guard = f.man.and(guardM).orR();
  const sticky = f.man.and(stickyM).orR();
  // the integer's last bit: a mantissa bit, or the hidden bit when k == man
  const lsb = f.man.and(lsbM).orR().or(k.eq(M));
  const up = m.wire(`${name}_up`, guard.and(sticky.or(lsb)));
  // truncate the fraction, then add one unit of the integer's last place (the carry may reach the exponent)
  const trunc = f.mag.and(cat(lit(UInt(fmt.exp), (1 << fmt.exp) - 1), frac.not()));
  const unit = mux(up, lit(UInt(M + 1), 1).shl(k).slice(M, 0), lit(UInt(M + 1), 0));
  const mid = trunc.addWrap(unit.zext(fmt.width - 1));
  const one = lit(UInt(fmt.width - 1), fmt.bias << M);
  const small = mux(half.and(f.man.ne(0)), one, lit(UInt(fmt.width - 1), 0)); // |a| < 1: 0 or 1 (0.5 -> 0)
  const mag = mux(big, f.mag, mux(f.exp.lt(fmt.bias), small, mid));
  return m.wire(`${name}_rint`, mux(f.isNaN, nanPattern(fmt), cat(f.sign, mag)));
}

export function fpRoundEven(m: ModuleBuilder, name: string, fmt: FloatFormat, a: Expr, opts: StageOptions = {}): FloatOpResult {
  const stages = opts.stages ?? 0;
  if (stages !== 0 && stages !== 1) throw new RangeError(`fpRoundEven '${name}': stages must be 0 or 1, got ${stages}`);
  const r = stageRegs(m, `${name}_s`, { y: roundEvenComb(m, name, fmt, a) }, stages === 1, opts.enable);
  return { result: r.y, latency: stages };
}

export function fpToUIntSat(m: ModuleBuilder, name: string, fmt: FloatFormat, a: Expr, bits: number, opts: StageOptions = {}): FloatOpResult {
  if (!Number.isInteger(bits) || bits < 1 || bits > 2 ** (fmt.exp - 1) - 1) {
    throw new RangeError(`fpToUIntSat '${name}': bits must be 1..${2 ** (fmt.exp - 1) - 1} for ${fmt.name}, got ${bits}`);
  }
  const r = fpRoundEven(m, `${name}_r`, fmt, a, opts).result;
  const f = floatFields(fmt, r);
  const M = fmt.man;
  const neg = f.sign.or(f.isNaN);
  const sat = f.exp.ge(fmt.bias + bits); // >= 2^bits (or Inf)
  const zero = f.exp.lt(fmt.bias); // the rounded value is 0
  // bias <= exp < bias + bits: value = significand * 2^(exp - bias) / 2^man (integral)
  const sw = log2Ceil(bits);
  const sh = f.exp.subWrap(fmt.bias).trunc(sw);
  const shifted = f.significand.shl(sh); // man + 1 + 2^sw - 1 bits
  const value = shifted.width > M + bits - 1 ? shifted.slice(M + bits - 1, M) : shifted.zext(M + bits).slice(M + bits - 1, M);
  const maxv = lit(UInt(bits), 2 ** bits - 1);
  const y = mux(neg.or(zero), lit(UInt(bits), 0), mux(sat, maxv, value));
  return { result: m.wire(`${name}_u`, y), latency: opts.stages ?? 0 };
}
