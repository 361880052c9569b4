/**
 * Correctly rounded addition and subtraction (round to nearest, ties to even).
 *
 * Specials (IEEE 754): NaN in → NaN out; inf + (-inf) = NaN; inf + finite = inf; an exact zero
 * sum of non-zero operands is +0; (-0) + (-0) = -0, every other sum of two zeros is +0;
 * x + (±0) = x. Subtraction is addition of b with its sign flipped, so x - x = +0 and
 * (-0) - (+0) = -0. Every NaN result is `canonicalNaN(f)`.
 */
import { canonicalNaN, type FloatFormat } from '../format.ts';
import { checkPattern, infPattern, maxExpField, sigOf, signMask, unitExpOf } from './decode.ts';
import { pow2, roundPack } from './round.ts';

/** Exponent differences up to this keep sig · 2^d below 2^53 (sig < 2^12): the sum is exact. */
const EXACT_ALIGN = 40;

/** a + b. */
export function fpAdd(f: FloatFormat, a: number, b: number): number {
  checkPattern(f, a);
  checkPattern(f, b);
  return addPatterns(f, a, b);
}

/** a - b. */
export function fpSub(f: FloatFormat, a: number, b: number): number {
  checkPattern(f, a);
  checkPattern(f, b);
  return addPatterns(f, a, b ^ signMask(f));
}

function addPatterns(f: FloatFormat, a: number, b: number): number {
  const sm = signMask(f);
  const emax = maxExpField(f);
  const ea = (a >>> f.man) & emax;
  const eb = (b >>> f.man) & emax;
  if (ea === emax || eb === emax) {
    const inf = infPattern(f);
    const ma = a & (sm - 1);
    const mb = b & (sm - 1);
    if (ma > inf || mb > inf) return canonicalNaN(f);
    if (ma === inf && mb === inf) return a === b ? a : canonicalNaN(f);
    return ma === inf ? a : b;
  }
  let sa = a & sm ? 1 : 0;
  let sb = b & sm ? 1 : 0;
  let siga = sigOf(f, a);
  let sigb = sigOf(f, b);
  if (sigb === 0) return siga === 0 ? (sa & sb ? sm : 0) : a;
  if (siga === 0) return b;
  let xa = unitExpOf(f, a);
  let xb = unitExpOf(f, b);
  if (xa < xb) {
    // make a the operand with the larger exponent
    let t = siga; siga = sigb; sigb = t;
    t = xa; xa = xb; xb = t;
    t = sa; sa = sb; sb = t;
  }
  const d = xa - xb;
  if (d <= EXACT_ALIGN) {
    const big = siga * pow2(d);
    if (sa === sb) return roundPack(f, sa, big + sigb, xb);
    const diff = big - sigb;
    if (diff === 0) return 0; // exact cancellation: +0 under round-to-nearest
    return diff > 0 ? roundPack(f, sa, diff, xb) : roundPack(f, sb, -diff, xb);
  }
  // b lies far below a's rounding position (a is normal here, since d > 0 needs xa > min):
  // a·2^g ± b = (a·2^g) ± δ or (a·2^g − 1) + (1 − δ) with 0 < δ < 1 — only its sticky bit matters.
  const g = f.man + 4;
  const scaled = siga * pow2(g);
  return roundPack(f, sa, sa === sb ? scaled : scaled - 1, xa - g, true);
}
