/**
 * The one place where the golden models round: an exact value, given as a sign and a
 * non-negative integer significand times a power of two (plus an optional sticky bit), becomes the
 * nearest value of the format, ties to even (IEEE 754 roundTiesToEven), with
 * - gradual underflow: results below the smallest normal round to subnormals (never flushed), and
 *   to a zero of the given sign when they round below the smallest subnormal;
 * - overflow: results at or above maxFinite + ulp(maxFinite)/2 become the infinity of the sign
 *   (the tie at that point goes to "even", i.e. infinity, as IEEE specifies).
 *
 * Significands are JS numbers that must be safe integers (< 2^53); `roundPackBig` takes a bigint
 * and folds the bits below 53 into the sticky bit first.
 */
import type { FloatFormat } from '../format.ts';
import { infPattern, minUnitExp, signMask } from './decode.ts';

const TWO32 = 4294967296;

const POW2_OFFSET = 1100;
const POW2 = Float64Array.from({ length: 2 * POW2_OFFSET + 1 }, (_, i) => 2 ** (i - POW2_OFFSET));

/** 2^k for an integer k in [-1100, 1100], from a table (exact, and faster than `2 ** k`). */
export function pow2(k: number): number {
  return POW2[k + POW2_OFFSET];
}

/** Number of significant bits of a safe non-negative integer (0 for 0). */
export function bitLength(n: number): number {
  if (n < TWO32) return 32 - Math.clz32(n);
  return 64 - Math.clz32(Math.floor(n / TWO32));
}

/**
 * (sig + δ) / 2^shift rounded to an integer, ties to even: the tie rule of every golden model.
 * `sig` is a safe non-negative integer, `shift` ≥ 1, δ ∈ (0, 1) when `sticky`, else 0.
 */
export function shiftRoundEven(sig: number, shift: number, sticky = false): number {
  if (shift > 53) return 0; // sig + δ < 2^53 < half a unit
  const unit = pow2(shift);
  const q = Math.floor(sig / unit);
  const rem = sig - q * unit;
  const half = unit / 2;
  // with sticky, rem + δ is never exactly half (rem is an integer): above half iff rem ≥ half
  return rem > half || (rem === half && (sticky || q % 2 === 1)) ? q + 1 : q;
}

/**
 * Rounds the exact magnitude (sig + δ) · 2^exp to the format, ties to even, and attaches `sign`
 * (0 or 1). `sig` is a safe non-negative integer; `sticky` says δ ∈ (0, 1) (the true value lies
 * strictly between sig and sig + 1 units), otherwise δ = 0. With `sticky`, `sig` must reach at
 * least one bit below the result's rounding position (callers keep ≥ 2 extra bits), otherwise the
 * function throws. A zero magnitude gives the zero of `sign`.
 */
export function roundPack(f: FloatFormat, sign: number, sig: number, exp: number, sticky = false): number {
  if (!(sig >= 0 && sig <= Number.MAX_SAFE_INTEGER && Math.floor(sig) === sig && Math.floor(exp) === exp)) {
    throw new RangeError(`roundPack: significand ${sig} must be a safe non-negative integer and exponent ${exp} an integer`);
  }
  const s = sign ? signMask(f) : 0;
  if (sig === 0 && !sticky) return s;
  const qmin = minUnitExp(f);
  // quantum (unit exponent) of the result: man bits below the leading bit, but not below qmin
  let q = exp + bitLength(sig) - 1 - f.man;
  if (q < qmin) q = qmin;
  const shift = q - exp;
  let mant: number;
  if (shift <= 0) {
    if (sticky) throw new Error(`roundPack: sticky bit needs at least one guard bit (sig=${sig}, exp=${exp}, ${f.name})`);
    mant = sig * pow2(-shift); // exact: the value is representable at quantum q
  } else {
    mant = shiftRoundEven(sig, shift, sticky);
  }
  // mant < 2^(man+1) at quantum q (or exactly 2^(man+1) after a carry); this sum encodes normals,
  // subnormals and the carry into the exponent field uniformly.
  const mag = (q - qmin) * (1 << f.man) + mant;
  const inf = infPattern(f);
  return s + (mag >= inf ? inf : mag);
}

/** `roundPack` for a bigint significand of any size (non-negative). */
export function roundPackBig(f: FloatFormat, sign: number, sig: bigint, exp: number, sticky = false): number {
  if (sig < 0n) throw new RangeError('roundPackBig: negative significand');
  const len = sig.toString(2).length;
  if (len <= 53) return roundPack(f, sign, Number(sig), exp, sticky);
  const drop = BigInt(len - 53);
  const kept = sig >> drop;
  const lost = (sig & ((1n << drop) - 1n)) !== 0n;
  // 53 kept bits are ≥ man + 3 bits: enough guard bits for the sticky rule
  return roundPack(f, sign, Number(kept), exp + Number(drop), sticky || lost);
}
