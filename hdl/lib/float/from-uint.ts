/**
 * Unsigned integer → float conversion, correctly rounded to nearest-even (exact whenever the
 * integer fits the significand, e.g. every 8-bit n in fp16 and bf16, every 11-bit n in fp16);
 * integers beyond the format's range become +Inf (fp16: n >= 65520). 0 → +0. Combinational.
 *
 *   const h = fpFromUInt(m, 'q2h', FP16, q);   // q: UInt(k), any k >= 1; h: UInt(16) pattern
 *
 * The integer is the significand of the shared roundPack (normalize-round.ts) with the biased
 * exponent k - 1 + bias for its top bit; the leading-zero count normalises it. Named wires start
 * with `<name>_`.
 */
import type { Expr } from '../../core/expr.ts';
import { cat, lit } from '../../core/expr.ts';
import type { ModuleBuilder } from '../../core/module-builder.ts';
import { SInt, UInt, bitsFor } from '../../core/types.ts';
import type { FloatFormat } from './format.ts';
import { roundPack } from './normalize-round.ts';

/** The nearest `fmt` pattern (UInt(fmt.width)) to the unsigned integer `n` (UInt(k)). */
export function fpFromUInt(m: ModuleBuilder, name: string, fmt: FloatFormat, n: Expr): Expr {
  if (n.signed) throw new TypeError(`fpFromUInt '${name}': n must be unsigned, got ${n.type}`);
  const k = n.width;
  const w = Math.max(k, fmt.man + 2);
  const sig = m.wire(`${name}_sig`, w > k ? cat(n, lit(UInt(w - k), 0)) : n);
  const e = k - 1 + fmt.bias;
  const exp = lit(SInt(bitsFor(e) + 1), e); // biased exponent of n's top bit
  return roundPack(m, name, fmt, { sign: lit(UInt(1), 0), exp, sig }).result;
}
