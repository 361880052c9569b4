/**
 * Decoding of binary16 / bfloat16 bit patterns (JS numbers 0..0xffff) for the golden models.
 *
 * A finite pattern has the exact value (-1)^sign · sig · 2^unitExp, where `sig` is the integer
 * significand (hidden bit included for normals, at most `man + 1` bits) and `unitExp` the exponent
 * of its least significant bit: `expField - bias - man` for normals, `1 - bias - man` for
 * subnormals and zeros.
 */
import type { FloatFormat } from '../format.ts';

export type FloatClass = 'zero' | 'subnormal' | 'normal' | 'inf' | 'nan';

export interface Decoded {
  kind: FloatClass;
  /** 0 or 1. */
  sign: number;
  /** The stored (biased) exponent field. */
  expField: number;
  /** The stored mantissa field (without the hidden bit). */
  frac: number;
  /** Integer significand, hidden bit included (0 for zeros; meaningless for inf/NaN). */
  sig: number;
  /** Exponent of the significand's unit bit: the value is sig · 2^unitExp (finite patterns). */
  unitExp: number;
}

/** Mask of the sign bit. */
export function signMask(f: FloatFormat): number {
  return 1 << (f.width - 1);
}

/** The all-ones exponent field (infinities and NaNs). */
export function maxExpField(f: FloatFormat): number {
  return (1 << f.exp) - 1;
}

/** The pattern of +infinity (OR in `signMask` for -infinity). */
export function infPattern(f: FloatFormat): number {
  return maxExpField(f) << f.man;
}

/** The exponent of a subnormal's unit bit (the smallest quantum): 1 - bias - man. */
export function minUnitExp(f: FloatFormat): number {
  return 1 - f.bias - f.man;
}

/** Throws RangeError unless `a` is an integer bit pattern of the format's width. */
export function checkPattern(f: FloatFormat, a: number): void {
  if ((a & ((1 << f.width) - 1)) !== a) {
    throw new RangeError(`${f.name}: bit pattern ${a} is not an integer in [0, 0x${(2 ** f.width - 1).toString(16)}]`);
  }
}

/** Splits a pattern into its fields and classifies it. Throws RangeError on a non-pattern. */
export function decode(f: FloatFormat, a: number): Decoded {
  checkPattern(f, a);
  const sign = a >>> (f.width - 1);
  const expField = (a >>> f.man) & maxExpField(f);
  const frac = a & ((1 << f.man) - 1);
  let kind: FloatClass;
  if (expField === maxExpField(f)) kind = frac === 0 ? 'inf' : 'nan';
  else if (expField === 0) kind = frac === 0 ? 'zero' : 'subnormal';
  else kind = 'normal';
  const sig = expField === 0 ? frac : expField === maxExpField(f) ? 0 : frac | (1 << f.man);
  const unitExp = (expField === 0 ? 1 : expField) - f.bias - f.man;
  return { kind, sign, expField, frac, sig, unitExp };
}

/** The integer significand of a finite pattern (hidden bit included). No range check. */
export function sigOf(f: FloatFormat, a: number): number {
  const e = (a >>> f.man) & maxExpField(f);
  const frac = a & ((1 << f.man) - 1);
  return e === 0 ? frac : frac | (1 << f.man);
}

/** The exponent of the unit bit of a finite pattern's significand. No range check. */
export function unitExpOf(f: FloatFormat, a: number): number {
  const e = (a >>> f.man) & maxExpField(f);
  return (e === 0 ? 1 : e) - f.bias - f.man;
}

/** The class of a pattern. */
export function classify(f: FloatFormat, a: number): FloatClass {
  return decode(f, a).kind;
}

/** True for every NaN pattern (any sign, any non-zero payload). */
export function fpIsNaN(f: FloatFormat, a: number): boolean {
  return (a & (signMask(f) - 1)) > infPattern(f);
}

/** True for +infinity and -infinity. */
export function fpIsInf(f: FloatFormat, a: number): boolean {
  return (a & (signMask(f) - 1)) === infPattern(f);
}
