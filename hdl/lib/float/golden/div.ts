/**
 * Correctly rounded division (round to nearest, ties to even).
 *
 * Specials (IEEE 754): NaN in → NaN out; 0/0 = NaN; inf/inf = NaN; inf/x = inf; x/inf = 0;
 * x/0 = inf for x ≠ 0 (division by zero); 0/x = 0; signs are the XOR of the operands' signs.
 * NaN results are `canonicalNaN(f)`.
 */
import { canonicalNaN, type FloatFormat } from '../format.ts';
import { checkPattern, infPattern, sigOf, signMask, unitExpOf } from './decode.ts';
import { bitLength, pow2, roundPack } from './round.ts';

/** a / b. */
export function fpDiv(f: FloatFormat, a: number, b: number): number {
  checkPattern(f, a);
  checkPattern(f, b);
  const sm = signMask(f);
  const inf = infPattern(f);
  const sign = (a ^ b) & sm ? 1 : 0;
  const s = sign ? sm : 0;
  const ma = a & (sm - 1);
  const mb = b & (sm - 1);
  if (ma > inf || mb > inf) return canonicalNaN(f);
  if (ma === inf) return mb === inf ? canonicalNaN(f) : s | inf;
  if (mb === inf) return s;
  if (mb === 0) return ma === 0 ? canonicalNaN(f) : s | inf;
  if (ma === 0) return s;
  // normalize both significands to exactly p = man + 1 bits, so that sa/sb ∈ (1/2, 2)
  const p = f.man + 1;
  let siga = sigOf(f, a);
  let sigb = sigOf(f, b);
  let xa = unitExpOf(f, a);
  let xb = unitExpOf(f, b);
  const na = p - bitLength(siga);
  siga *= pow2(na);
  xa -= na;
  const nb = p - bitLength(sigb);
  sigb *= pow2(nb);
  xb -= nb;
  // quotient with p + 3 or p + 4 bits (≥ 2 guard bits) and a sticky remainder
  const g = p + 3;
  const num = siga * pow2(g);
  let q = Math.floor(num / sigb);
  let r = num - q * sigb;
  while (r < 0) { q -= 1; r += sigb; }
  while (r >= sigb) { q += 1; r -= sigb; }
  return roundPack(f, sign, q, xa - xb - g, r !== 0);
}
