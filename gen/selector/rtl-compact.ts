/**
 * O(P log P) building blocks of the selector's output path (README "Size"; issue #19 item 2):
 *
 * - `prefixCountsLog`: prefix bit counts by a Hillis–Steele scan (⌈log2 P⌉ adder levels,
 *   P·⌈log2 P⌉ adders) instead of an adder chain.
 * - `compactLog`: stream compaction of P lanes (the kept lanes dense, in lane order) by a log-depth
 *   shifter: a kept lane i moves down by z_i = the number of dropped lanes before it, one bit of z_i
 *   per stage, least significant first (stage s moves by 2^s). Least-significant-first shifting never
 *   lets two kept lanes meet (exhaustively checked for P ≤ 12 when this was written, and by the
 *   co-simulations): ⌈log2 P⌉ stages of P 2:1 multiplexers.
 * - `rotate`: a barrel rotation of C entries modulo C (any C) by an amount < C, one stage per amount
 *   bit (stage b rotates by 2^b mod C): ⌈log2 C⌉ stages of C 2:1 multiplexers.
 */
import { Bool, UInt, lit, mux, type Expr, type ModuleBuilder } from '../../hdl/index.ts';

/** One lane's payload: named fields of fixed types (all lanes alike). */
export type Fields = Record<string, Expr>;

function stages(n: number): number {
  let s = 0;
  while (1 << s < n) s++;
  return s;
}

/** prefix[i] = number of set bits among bits[0..i-1] (w bits), by a log-depth scan. */
export function prefixCountsLog(m: ModuleBuilder, name: string, bits: readonly Expr[], w: number): Expr[] {
  const P = bits.length;
  // inclusive scan x[i] = bits[0] + ... + bits[i]
  let x: Expr[] = bits.map((b) => b.zext(w));
  for (let s = 0, d = 1; d < P; s++, d *= 2) x = x.map((v, i) => (i >= d ? m.wire(`${name}_s${s}_${i}`, v.addWrap(x[i - d])) : v));
  return bits.map((_, i) => (i === 0 ? lit(UInt(w), 0) : x[i - 1]));
}

/** Bits of the shift amounts of `compactLog` for P lanes (⌈log2 P⌉). */
export function compactShiftBits(P: number): number {
  return stages(P);
}

/**
 * The kept lanes of `lanes`, dense in lane order (entries past the kept count are unspecified).
 * `dropped` (optional, e.g. from a register): dropped[i] = the number of dropped lanes before lane i
 * in `compactShiftBits(P)` bits (`prefixCountsLog` of the negated keep bits); else computed here.
 */
export function compactLog(m: ModuleBuilder, name: string, keep: readonly Expr[], lanes: readonly Fields[], given?: readonly Expr[]): Fields[] {
  const P = keep.length;
  const S = stages(P);
  if (S === 0) return [...lanes];
  const dropped = given ? [...given] : prefixCountsLog(m, `${name}_drop`, keep.map((k) => k.not()), S);
  let pos = lanes.map((f, i) => ({ v: keep[i], z: dropped[i], f }));
  for (let s = 0; s < S; s++) {
    const d = 1 << s;
    pos = pos.map((here, j) => {
      const from = j + d < P ? pos[j + d] : null;
      const moveIn = from ? m.wire(`${name}_s${s}_in_${j}`, from.v.and(from.z.bit(s))) : lit(Bool, 0);
      const stay = here.v.and(here.z.bit(s).not());
      const f: Fields = {};
      for (const k of Object.keys(here.f)) f[k] = from ? m.wire(`${name}_s${s}_${k}_${j}`, mux(moveIn, from.f[k], here.f[k])) : here.f[k];
      return {
        v: m.wire(`${name}_s${s}_v_${j}`, stay.or(moveIn)),
        z: from ? m.wire(`${name}_s${s}_z_${j}`, mux(moveIn, from.z, here.z)) : here.z,
        f,
      };
    });
  }
  return pos.map((p) => p.f);
}

/**
 * out[j] = v[(j + dir·amount) mod C] for dir = +1 ('left') or −1 ('right'); `amount` < C
 * (unsigned). One stage per bit of `amount`.
 */
export function rotate(m: ModuleBuilder, name: string, v: readonly Expr[], amount: Expr, dir: 'left' | 'right'): Expr[] {
  const C = v.length;
  let cur = [...v];
  for (let b = 0; b < amount.width && 1 << b < C; b++) {
    const r = (1 << b) % C;
    if (r === 0) continue;
    const bit = amount.bit(b);
    cur = cur.map((x, j) => m.wire(`${name}_s${b}_${j}`, mux(bit, cur[dir === 'left' ? (j + r) % C : (j - r + C) % C], x)));
  }
  return cur;
}

/** Number of set bits among `bits` (w bits) by a balanced adder tree (⌈log2 P⌉ levels). */
export function countLog(m: ModuleBuilder, name: string, bits: readonly Expr[], w: number): Expr {
  let level: Expr[] = bits.map((b) => b.zext(w));
  for (let s = 0; level.length > 1; s++) {
    const next: Expr[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(i + 1 < level.length ? m.wire(`${name}_s${s}_${i / 2}`, level[i].addWrap(level[i + 1])) : level[i]);
    level = next;
  }
  return level.length ? level[0] : lit(UInt(w), 0);
}
