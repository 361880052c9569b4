/**
 * Correctly rounded multiplication (round to nearest, ties to even).
 *
 * Specials (IEEE 754): NaN in → NaN out; 0 · inf = NaN; inf · x = inf with the XOR of the signs;
 * zero products (including underflow to zero) carry the XOR of the signs. NaN results are
 * `canonicalNaN(f)`.
 */
import { canonicalNaN, type FloatFormat } from '../format.ts';
import { checkPattern, infPattern, maxExpField, sigOf, signMask, unitExpOf } from './decode.ts';
import { roundPack } from './round.ts';

/** a · b. */
export function fpMul(f: FloatFormat, a: number, b: number): number {
  checkPattern(f, a);
  checkPattern(f, b);
  const sm = signMask(f);
  const emax = maxExpField(f);
  const sign = (a ^ b) & sm ? 1 : 0;
  const ea = (a >>> f.man) & emax;
  const eb = (b >>> f.man) & emax;
  if (ea === emax || eb === emax) {
    const inf = infPattern(f);
    const ma = a & (sm - 1);
    const mb = b & (sm - 1);
    if (ma > inf || mb > inf || ma === 0 || mb === 0) return canonicalNaN(f);
    return (sign ? sm : 0) | inf;
  }
  // the product of two significands (< 2^12 each) is exact
  return roundPack(f, sign, sigOf(f, a) * sigOf(f, b), unitExpOf(f, a) + unitExpOf(f, b));
}
