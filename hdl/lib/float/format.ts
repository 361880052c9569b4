/**
 * IEEE-754-style binary floating-point formats handled by the float library: a sign bit, `exp`
 * exponent bits (bias 2^(exp-1) - 1) and `man` stored mantissa bits; subnormals are kept.
 * Values travel as unsigned bit patterns (`UInt(width)`).
 */
import { UInt, type HType } from '../../core/types.ts';

export interface FloatFormat {
  name: 'fp16' | 'bf16';
  exp: number;
  man: number;
  width: number;
  bias: number;
}

/** IEEE binary16. */
export const FP16: FloatFormat = { name: 'fp16', exp: 5, man: 10, width: 16, bias: 15 };
/** bfloat16 (the top half of binary32). */
export const BF16: FloatFormat = { name: 'bf16', exp: 8, man: 7, width: 16, bias: 127 };

export const FORMATS: Record<FloatFormat['name'], FloatFormat> = { fp16: FP16, bf16: BF16 };

/** The bit-pattern type of a format. */
export function floatType(f: FloatFormat): HType {
  return UInt(f.width);
}

/**
 * The one NaN the library produces (quiet, positive, top mantissa bit set: 0x7e00 for fp16,
 * 0x7fc0 for bf16). NaN results are compared by NaN-ness, not payload, against NumPy.
 */
export function canonicalNaN(f: FloatFormat): number {
  return (((1 << f.exp) - 1) << f.man) | (1 << (f.man - 1));
}
