/**
 * IEEE comparisons and the quantizer's min/max on bit patterns.
 *
 * - `fpLt`, `fpLe`, `fpEq`: IEEE 754 quiet comparisons: any NaN operand gives false, -0 == +0.
 *   (Same as NumPy's `<`, `<=`, `==` on float16.)
 * - `fpMin(f, a, b)`: NaN if either operand is NaN (returned as `canonicalNaN(f)`); otherwise `b`
 *   if b < a (IEEE, so -0 and +0 are equal), else `a`. Ties, including {-0, +0} in either order,
 *   return the first operand's pattern unchanged.
 * - `fpMax(f, a, b)`: the same with b > a.
 *   (Unlike `numpy.minimum`/`maximum`, whose choice between -0 and +0 is unspecified.)
 */
import { canonicalNaN, type FloatFormat } from '../format.ts';
import { checkPattern, fpIsNaN, signMask } from './decode.ts';

/** A number that orders finite and infinite patterns like their values (-0 and +0 both map to 0). */
function orderKey(f: FloatFormat, a: number): number {
  const sm = signMask(f);
  return a & sm ? -(a & (sm - 1)) : a;
}

function check2(f: FloatFormat, a: number, b: number): void {
  checkPattern(f, a);
  checkPattern(f, b);
}

/** a < b (false if either is NaN). */
export function fpLt(f: FloatFormat, a: number, b: number): boolean {
  check2(f, a, b);
  if (fpIsNaN(f, a) || fpIsNaN(f, b)) return false;
  return orderKey(f, a) < orderKey(f, b);
}

/** a <= b (false if either is NaN). */
export function fpLe(f: FloatFormat, a: number, b: number): boolean {
  check2(f, a, b);
  if (fpIsNaN(f, a) || fpIsNaN(f, b)) return false;
  return orderKey(f, a) <= orderKey(f, b);
}

/** a == b (false if either is NaN; -0 == +0). */
export function fpEq(f: FloatFormat, a: number, b: number): boolean {
  check2(f, a, b);
  if (fpIsNaN(f, a) || fpIsNaN(f, b)) return false;
  return orderKey(f, a) === orderKey(f, b);
}

/** Minimum: canonical NaN if either is NaN; `b` if b < a; otherwise `a` (ties keep the first). */
export function fpMin(f: FloatFormat, a: number, b: number): number {
  check2(f, a, b);
  if (fpIsNaN(f, a) || fpIsNaN(f, b)) return canonicalNaN(f);
  return orderKey(f, b) < orderKey(f, a) ? b : a;
}

/** Maximum: canonical NaN if either is NaN; `b` if b > a; otherwise `a` (ties keep the first). */
export function fpMax(f: FloatFormat, a: number, b: number): number {
  check2(f, a, b);
  if (fpIsNaN(f, a) || fpIsNaN(f, b)) return canonicalNaN(f);
  return orderKey(f, b) > orderKey(f, a) ? b : a;
}
