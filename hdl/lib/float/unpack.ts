/**
 * Field extraction and classification of float bit patterns, shared by the float operators.
 * Pure expressions (no signals are declared): wire the ones you want to see named in the Verilog.
 *
 *   floatFields(fmt, x: UInt(width)) -> {
 *     sign: Bool, exp: UInt(fmt.exp), man: UInt(fmt.man), mag: UInt(width-1) (pattern without sign),
 *     expZero, expOnes, isZero, isSub, isInf, isNaN: Bool,
 *     hidden: Bool (1 for normal numbers, Inf and NaN),
 *     significand: UInt(man+1) = {hidden, man},
 *     effExp: UInt(fmt.exp): the biased exponent, 1 for zeros and subnormals,
 *       so that value = significand * 2^(effExp - bias - man) for every finite x,
 *     unbiased: SInt(fmt.exp+1) = effExp - bias,
 *   }
 *   floatPack(fmt, sign, exp, man) -> UInt(width);  infPattern(fmt, sign), zeroPattern(fmt, sign),
 *   nanPattern(fmt) (the canonical NaN) -> UInt(width)
 */
import { cat, lit, mux, type Expr } from '../../core/expr.ts';
import { UInt } from '../../core/types.ts';
import { canonicalNaN, type FloatFormat } from './format.ts';

export interface FloatFields {
  sign: Expr;
  exp: Expr;
  man: Expr;
  mag: Expr;
  expZero: Expr;
  expOnes: Expr;
  isZero: Expr;
  isSub: Expr;
  isInf: Expr;
  isNaN: Expr;
  hidden: Expr;
  significand: Expr;
  effExp: Expr;
  unbiased: Expr;
}

export function floatFields(fmt: FloatFormat, x: Expr): FloatFields {
  if (x.width !== fmt.width || x.signed) throw new RangeError(`floatFields: ${fmt.name} value must be u${fmt.width}, got ${x.type}`);
  const sign = x.bit(fmt.width - 1);
  const exp = x.slice(fmt.width - 2, fmt.man);
  const man = x.slice(fmt.man - 1, 0);
  const mag = x.slice(fmt.width - 2, 0);
  const expZero = exp.eq(0);
  const expOnes = exp.andR();
  const manZero = man.eq(0);
  const hidden = expZero.not();
  const effExp = mux(expZero, lit(UInt(fmt.exp), 1), exp);
  return {
    sign,
    exp,
    man,
    mag,
    expZero,
    expOnes,
    isZero: expZero.and(manZero),
    isSub: expZero.and(manZero.not()),
    isInf: expOnes.and(manZero),
    isNaN: expOnes.and(manZero.not()),
    hidden,
    significand: cat(hidden, man),
    effExp,
    unbiased: effExp.zext(fmt.exp + 1).asSInt().subWrap(fmt.bias),
  };
}

/** {sign, exp, man} packed into a pattern; widths must be 1, fmt.exp and fmt.man. */
export function floatPack(fmt: FloatFormat, sign: Expr, exp: Expr, man: Expr): Expr {
  if (sign.width !== 1 || exp.width !== fmt.exp || man.width !== fmt.man) {
    throw new RangeError(`floatPack: field widths ${sign.width}/${exp.width}/${man.width}, want 1/${fmt.exp}/${fmt.man}`);
  }
  return cat(sign, exp, man);
}

export function infPattern(fmt: FloatFormat, sign: Expr): Expr {
  return cat(sign, lit(UInt(fmt.width - 1), ((1 << fmt.exp) - 1) << fmt.man));
}

export function zeroPattern(fmt: FloatFormat, sign: Expr): Expr {
  return cat(sign, lit(UInt(fmt.width - 1), 0));
}

export function nanPattern(fmt: FloatFormat): Expr {
  return lit(UInt(fmt.width), canonicalNaN(fmt));
}
