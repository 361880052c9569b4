/** Width fitting and bit counting for the selector RTL (unsigned values only). */
import { UInt, lit, type Expr } from '../../hdl/index.ts';

/** An unsigned value zero-extended or truncated to `w` bits (the caller knows it fits). */
export function fit(e: Expr, w: number): Expr {
  return e.width < w ? e.zext(w) : e.width > w ? e.trunc(w) : e;
}

/** Number of set bits among `bits`, as a `w`-bit unsigned value (an adder chain). */
export function popcount(bits: readonly Expr[], w: number): Expr {
  return bits.reduce<Expr>((acc, b) => acc.addWrap(b.zext(w)), lit(UInt(w), 0));
}

/** prefix[i] = number of set bits among bits[0..i-1], `w` bits each. */
export function prefixCounts(bits: readonly Expr[], w: number): Expr[] {
  const out: Expr[] = [];
  let acc: Expr = lit(UInt(w), 0);
  for (const b of bits) {
    out.push(acc);
    acc = acc.addWrap(b.zext(w));
  }
  return out;
}
