/**
 * Rounding to integers (round half to even, like numpy.rint).
 *
 *   fpRoundEven(m, name, fmt, a, { stages?: 0..1, enable? }) -> { result: UInt(width), latency: stages }
 *     The integer nearest to a as a float pattern, ties to even, sign kept (rint(-0.3) = -0);
 *     +-Inf unchanged, NaN -> the canonical NaN.
 *   fpToUIntSat(m, name, fmt, a, bits, { stages?: 0..2, enable? }) -> { result: UInt(bits), latency: stages }
 *     fpRoundEven(a) clamped to [0, 2^bits - 1]: NaN -> 0, negative -> 0, +Inf -> 2^bits - 1.
 *     Computed straight to the integer (not through fpRoundEven's pattern): the significand shifted
 *     by the exponent gives the integer part, the guard and the sticky bit; then the round-half-even
 *     increment, saturating at 2^bits - 1.
 *
 * fpRoundEven with stages = 1: the register sits after the rounding. fpToUIntSat with stages >= 1:
 * registers `<name>_s_*` after the shift (integer part, guard, sticky, zero / saturate flags),
 * before the increment; stages = 2 adds an input register `<name>_i_a` (the operand straight from
 * a register, e.g. a divider's rounded result: FP_TO_UINT_MAX_STAGES).
 */
import { cat, catList, lit, mux, type Expr } from '../../core/expr.ts';
import type { ModuleBuilder } from '../../core/module-builder.ts';
import { UInt, log2Ceil } from '../../core/types.ts';
import type { FloatFormat } from './format.ts';
import { stageRegs } from './normalize-round.ts';
import type { FloatOpOptions as StageOptions, FloatOpResult } from './op.ts';
import { floatFields, nanPattern } from './unpack.ts';
import { opStages } from './presets.ts';

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

/** Largest `stages` value fpToUIntSat accepts. */
export const FP_TO_UINT_MAX_STAGES = 2;

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
  const stages = opStages('toUInt', fmt, opts);
  if (!Number.isInteger(stages) || stages < 0 || stages > FP_TO_UINT_MAX_STAGES) {
    throw new RangeError(`fpToUIntSat '${name}': stages must be 0..${FP_TO_UINT_MAX_STAGES}, got ${stages}`);
  }
  const inp = stageRegs(m, `${name}_i`, { a }, stages === 2, opts.enable);
  const f = floatFields(fmt, inp.a);
  const M = fmt.man;
  // bias - 1 <= exp < bias + bits (0.5 <= |a| < 2^bits): j = exp - (bias - 1) in 0..bits, and
  // X = significand * 2^j holds a * 2^(man + 1): integer part above bit man, guard bit man, sticky below
  const jw = log2Ceil(bits + 1);
  const j = f.exp.subWrap(fmt.bias - 1).trunc(Math.max(1, jw));
  const xw = M + 1 + bits;
  const x = f.significand.zext(xw).shl(j).slice(xw - 1, 0);
  const s = stageRegs(m, `${name}_s`, {
    int: m.wire(`${name}_int`, x.slice(xw - 1, M + 1)),
    guard: m.wire(`${name}_guard`, x.bit(M)),
    sticky: m.wire(`${name}_sticky`, x.slice(M - 1, 0).orR()),
    // NaN, negative (rint(-0.3) = -0 and -1 both clamp to 0) or |a| < 0.5: 0
    zero: m.wire(`${name}_zero`, f.sign.or(f.isNaN).or(f.exp.lt(fmt.bias - 1))),
    sat: m.wire(`${name}_sat`, f.exp.ge(fmt.bias + bits)), // >= 2^bits (or +Inf)
  }, stages >= 1, opts.enable);
  const up = m.wire(`${name}_up`, s.guard.and(s.sticky.or(s.int.bit(0))));
  const maxv = lit(UInt(bits), 2 ** bits - 1);
  // int + up saturates at 2^bits - 1 (int = 2^bits - 1 rounding up)
  const rounded = mux(up.and(s.int.andR().not()), s.int.addWrap(lit(UInt(bits), 1)), s.int);
  const y = mux(s.zero, lit(UInt(bits), 0), mux(s.sat, maxv, rounded));
  return { result: m.wire(`${name}_u`, y), latency: stages };
}
