/**
 * Conversions between patterns and JS numbers / integers.
 *
 * - `fpToNumber(f, a)`: the exact value as a double (every fp16/bf16 value is a double); ±0,
 *   ±Infinity kept, any NaN → NaN.
 * - `fpFromNumber(f, x)`: x rounded once, directly from the double, to the nearest value of the
 *   format, ties to even (no intermediate float32 rounding); NaN → `canonicalNaN(f)`; ±0 and
 *   ±Infinity kept; overflow → ±Infinity; underflow → subnormals / ±0.
 * - `fpFromUInt(f, n)`: a non-negative integer (safe-integer number or bigint) rounded to the
 *   nearest value, ties to even; large n overflow to +inf.
 */
import { canonicalNaN, type FloatFormat } from '../format.ts';
import { checkPattern, fpIsInf, fpIsNaN, infPattern, sigOf, signMask, unitExpOf } from './decode.ts';
import { pow2, roundPack, roundPackBig } from './round.ts';

/** The exact value of a pattern as a JS number. */
export function fpToNumber(f: FloatFormat, a: number): number {
  checkPattern(f, a);
  if (fpIsNaN(f, a)) return NaN;
  const neg = (a & signMask(f)) !== 0;
  if (fpIsInf(f, a)) return neg ? -Infinity : Infinity;
  const v = sigOf(f, a) * pow2(unitExpOf(f, a));
  return neg ? -v : v;
}

const view = new DataView(new ArrayBuffer(8));

/** The nearest pattern to a double, ties to even (one rounding from the double's exact value). */
export function fpFromNumber(f: FloatFormat, x: number): number {
  if (typeof x !== 'number') throw new TypeError(`fpFromNumber: expected a number, got ${typeof x}`);
  if (Number.isNaN(x)) return canonicalNaN(f);
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const sign = hi >>> 31;
  const e = (hi >>> 20) & 0x7ff;
  if (e === 0x7ff) return (sign ? signMask(f) : 0) | infPattern(f);
  // double: (hidden bit) · 2^52 + fraction, unit exponent e − 1075 (subnormals: 1 − 1075)
  const frac = (hi & 0xfffff) * 4294967296 + lo;
  const sig = e === 0 ? frac : frac + 4503599627370496;
  return roundPack(f, sign, sig, (e === 0 ? 1 : e) - 1075);
}

/** The nearest pattern to a non-negative integer, ties to even. */
export function fpFromUInt(f: FloatFormat, n: number | bigint): number {
  if (typeof n === 'bigint') {
    if (n < 0n) throw new RangeError(`fpFromUInt: negative integer ${n}`);
    return roundPackBig(f, 0, n, 0);
  }
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`fpFromUInt: ${n} is not a non-negative safe integer (pass a bigint for larger values)`);
  return roundPack(f, 0, n, 0);
}
