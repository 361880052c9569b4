/**
 * Rounding to integers.
 *
 * - `fpRoundEven(f, a)`: the nearest integral value, ties to even (NumPy's `np.rint`); keeps the
 *   sign of the input (so -0.3 → -0); integers, infinities and zeros are returned unchanged; NaN
 *   gives `canonicalNaN(f)`.
 * - `fpToUIntSat(f, a, bits)`: the quantizer's code: round half to even, then clamp to
 *   [0, 2^bits − 1]. NaN → 0, every negative input (including -inf) → 0, +inf → 2^bits − 1.
 *   `bits` is an integer in [1, 53].
 */
import { canonicalNaN, type FloatFormat } from '../format.ts';
import { checkPattern, fpIsInf, fpIsNaN, sigOf, signMask, unitExpOf } from './decode.ts';
import { pow2, roundPack, shiftRoundEven } from './round.ts';

/** The nearest integral value of a, ties to even, as a pattern. */
export function fpRoundEven(f: FloatFormat, a: number): number {
  checkPattern(f, a);
  if (fpIsNaN(f, a)) return canonicalNaN(f);
  if (fpIsInf(f, a)) return a;
  const x = unitExpOf(f, a);
  if (x >= 0) return a; // already an integer (or zero)
  const sign = a & signMask(f) ? 1 : 0;
  const n = shiftRoundEven(sigOf(f, a), -x);
  return roundPack(f, sign, n, 0); // exact: n has at most man + 1 bits
}

/** round-half-even(a) clamped to [0, 2^bits − 1]; NaN and negatives give 0. */
export function fpToUIntSat(f: FloatFormat, a: number, bits: number): number {
  checkPattern(f, a);
  if (!Number.isInteger(bits) || bits < 1 || bits > 53) throw new RangeError(`fpToUIntSat: bits must be an integer in [1, 53], got ${bits}`);
  const max = 2 ** bits - 1;
  if (fpIsNaN(f, a) || a & signMask(f)) return 0;
  if (fpIsInf(f, a)) return max;
  const x = unitExpOf(f, a);
  const sig = sigOf(f, a);
  const n = x >= 0 ? sig * pow2(x) : shiftRoundEven(sig, -x);
  return n > max ? max : n;
}
