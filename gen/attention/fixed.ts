/**
 * The engine's fixed-point arithmetic (README.md §2, §4, §5): the constant κ, the product term,
 * the exp2 table with interpolation, and the final exact division rounded to the float format.
 */
import type { FloatFormat } from '../../hdl/lib/float/format.ts';
import { decode, roundPackBig } from '../../hdl/lib/float/golden/index.ts';
import { shiftRoundEven } from '../../hdl/lib/float/golden/round.ts';

/** κ = Kc · 2^(eκ − 15) ≈ log2(e)/√D. */
export function kappa(D: number): { Kc: number; e: number } {
  const kf = 1.4426950408889634 / Math.sqrt(D);
  let e = 0;
  while (2 ** e > kf) e--;
  while (2 ** (e + 1) <= kf) e++;
  const x = kf * 2 ** (15 - e); // exact scaling of a double
  const fl = Math.floor(x);
  const Kc = x - fl > 0.5 || (x - fl === 0.5 && fl % 2 === 1) ? fl + 1 : fl;
  return { Kc, e };
}

/** Symmetric saturation to W bits: [−(2^(W−1) − 1), 2^(W−1) − 1]. */
export function sat(x: number, W: number): number {
  const m = 2 ** (W - 1) - 1;
  return x > m ? m : x < -m ? -m : x;
}

/** term_W(x, y) = sat_W(RNE(x·y·κ·2^F)) for finite patterns x, y (README §2). */
export function term(f: FloatFormat, x: number, y: number, k: { Kc: number; e: number }, F: number, W: number): number {
  const a = decode(f, x);
  const b = decode(f, y);
  const mag = a.sig * b.sig * k.Kc; // < 2^38
  if (mag === 0) return 0;
  const s = a.unitExp + b.unitExp + k.e - 15 + F;
  const limit = 2 ** (W - 1) - 1;
  let r: number;
  if (s >= 0) r = s > 60 || mag * 2 ** s > limit ? limit : mag * 2 ** s;
  else r = shiftRoundEven(mag, -s);
  r = Math.min(r, limit);
  return a.sign ^ b.sign ? -r : r;
}

export const EXP_L = 7;
export const EXP_PW = 16;

/** E[h] = RNE(2^16 · 2^(−h/128)), h = 0..128. */
export const EXP_TABLE: readonly number[] = Array.from({ length: (1 << EXP_L) + 1 }, (_, h) => {
  const x = 2 ** (-h / (1 << EXP_L)) * 2 ** EXP_PW;
  const fl = Math.floor(x);
  return x - fl >= 0.5 ? fl + 1 : fl; // never a tie (README §4)
});

/** The softmax weight p for z = M − S ≥ 0 (README §4), in units of 2^−16. */
export function expWeight(z: number, F: number): number {
  const i = Math.floor(z / 2 ** F);
  if (i > EXP_PW) return 0;
  const fz = z - i * 2 ** F;
  const sh = F - EXP_L;
  const h = Math.floor(fz / 2 ** sh);
  const rho = fz - h * 2 ** sh;
  const e = EXP_TABLE[h] - Math.floor(((EXP_TABLE[h] - EXP_TABLE[h + 1]) * rho) / 2 ** sh);
  return Math.floor(e / 2 ** i);
}

/** fl(num / (den · 2^es)) for integers num (any sign) and den > 0, one rounding (README §5). */
export function divideToFloat(f: FloatFormat, num: bigint, den: bigint, es: number): number {
  if (num === 0n) return 0;
  const sign = num < 0n ? 1 : 0;
  const a = num < 0n ? -num : num;
  const extra = 64n; // ≥ 2 guard bits below any rounding position
  const scaled = a << extra;
  const q = scaled / den;
  const sticky = q * den !== scaled;
  return roundPackBig(f, sign, q, -es - Number(extra), sticky);
}

/** The exponent ES with v = V · 2^−ES exactly for every finite pattern (24 fp16, 133 bf16). */
export function valueScaleExp(f: FloatFormat): number {
  return f.bias + f.man - 1;
}

/** The integer V of a finite pattern v = V · 2^−ES. */
export function valueInt(f: FloatFormat, v: number): bigint {
  const d = decode(f, v);
  const m = BigInt(d.sig) << BigInt(d.unitExp + valueScaleExp(f));
  return d.sign ? -m : m;
}
