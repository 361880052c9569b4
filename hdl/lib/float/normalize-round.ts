/**
 * Shared normalize / round-to-nearest-even / pack stage of the float operators.
 *
 *   roundPack(m, name, fmt, { sign, exp, sig, sticky?, minExp? }, { stages?, enable? }) -> { result: UInt(width), latency }
 *   leadingZeros(x: UInt(w)) -> UInt(bitsFor(w))   (a log-depth tree; w when x == 0)
 *   stageRegs(m, name, { key: expr, ... }, on, enable?) -> the same record, registered as `<name>_<key>` when `on`
 *
 * Input value: (-1)^sign * sig / 2^(w-1) * 2^(exp - bias), with
 *   sig: UInt(w), w >= fmt.man + 2; the binary point sits right after sig's top bit, which need not
 *        be set (leading zeros are normalized away here);
 *   exp: SInt(any width): the biased exponent of sig's top bit (may be <= 0 or > emax);
 *   sticky: Bool (optional): some nonzero value lies below sig's last bit (sig == 0 gives a zero
 *           whatever sticky says: keep sig's leading one above the rounding position);
 *   minExp: number (optional): a bound exp >= minExp known at elaboration; >= 1 drops the
 *           right-shift (underflow) path (fpAdd uses it).
 * Output: the correctly rounded (RNE) pattern: subnormal when the exponent runs below 1 (the bits
 * shifted out go to sticky), +-Inf on overflow, +-0 (with `sign`) when sig == 0 or when the value
 * rounds to zero. Special operands (NaN, Inf, exact zero rules) are the caller's job.
 * stages: 0 (combinational) or 1 (a register `<name>_p_*` between normalization and rounding);
 * `lzcCut: true` adds a register `<name>_l_*` between the leading-zero count (and the shift amounts
 * derived from it) and the normalizing shift; latency = stages + (lzcCut ? 1 : 0).
 * Overflow is read from the normalized exponent (`<name>_big`), not from a compare after the
 * rounding adder: a rounding carry into the Inf field already gives the Inf pattern.
 */
import { cat, lit, mux, type Expr } from '../../core/expr.ts';
import type { ModuleBuilder } from '../../core/module-builder.ts';
import { SInt, UInt, bitsFor, log2Ceil } from '../../core/types.ts';
import type { FloatFormat } from './format.ts';
import type { FloatOpOptions as StageOptions, FloatOpResult } from './op.ts';

/**
 * The one-hot `stop` mask of roundPack's normalization for a biased exponent `exp` (SInt) and a
 * significand of `w` bits: bit w - 1 - k set when exp - 1 = k (bit w - 1 when exp <= 1), none when
 * exp - 1 >= w. ORed into the significand, it makes the leading-zero count min(lz, exp - 1), the
 * left shift that normalizes without going below exponent 1. A function of exp alone: a caller
 * whose exp is ready early computes it a pipeline stage ahead and passes it in RoundPackInput.
 */
export function normStop(exp: Expr, w: number): Expr {
  if (!exp.signed) throw new RangeError(`normStop: exp must be signed, got ${exp.type}`);
  const e = exp.sext(Math.max(exp.width, bitsFor(w + 1) + 1));
  // cat puts element k at bit w - 1 - k
  return cat(...Array.from({ length: w }, (_, k) => (k === 0 ? e.le(1) : e.eq(k + 1))));
}

export interface RoundPackInput {
  sign: Expr;
  exp: Expr;
  sig: Expr;
  sticky?: Expr;
  /** A lower bound of exp known at elaboration; >= 1 leaves out the underflow (right-shift) path. */
  minExp?: number;
  /** normStop(exp, sig.width), computed ahead by the caller (default: computed here). */
  stop?: Expr;
}


/** Leading zeros of x (UInt): UInt(bitsFor(width)), equal to width when x == 0. A log-depth tree. */
export function leadingZeros(x: Expr): Expr {
  const w = x.width;
  const k = log2Ceil(w + 1);
  const pad = (1 << k) - w;
  const padded = cat(x.asUInt(), lit(UInt(pad), (1n << BigInt(pad)) - 1n)); // trailing ones: never all zero
  const lzc = (v: Expr): { zero: Expr; count: Expr } => {
    if (v.width === 2) return { zero: v.eq(0), count: v.bit(1).not() };
    const h = v.width / 2;
    const hi = lzc(v.slice(v.width - 1, h));
    const lo = lzc(v.slice(h - 1, 0));
    return { zero: hi.zero.and(lo.zero), count: mux(hi.zero, cat(lit(UInt(1), 1), lo.count), cat(lit(UInt(1), 0), hi.count)) };
  };
  const c = k === 0 ? lit(UInt(1), 0) : lzc(padded).count; // k bits, <= w
  const out = bitsFor(w);
  return c.width >= out ? c.slice(out - 1, 0) : c.zext(out);
}

/**
 * Registers `values` (a record of expressions) into `<name>_<key>` registers loading when `enable`
 * (every cycle without one) when `on`; returns the registered (or the original) expressions.
 * Constants pass through unregistered.
 */
export function stageRegs<T extends Record<string, Expr>>(m: ModuleBuilder, name: string, values: T, on: boolean, enable?: Expr): T {
  if (!on) return values;
  const out: Record<string, Expr> = {};
  for (const [k, v] of Object.entries(values)) {
    if (v.node.op === 'lit') {
      out[k] = v; // a constant needs no register
      continue;
    }
    const r = m.reg(`${name}_${k}`, v.type);
    if (enable) m.when(enable, () => r.set(v));
    else r.set(v);
    out[k] = r;
  }
  return out as T;
}

export interface RoundPackOptions extends StageOptions {
  /** A register between the leading-zero count and the normalizing shift (one more cycle). */
  lzcCut?: boolean;
}

export function roundPack(m: ModuleBuilder, name: string, fmt: FloatFormat, inp: RoundPackInput, opts: RoundPackOptions = {}): FloatOpResult {
  const stages = opts.stages ?? 0;
  if (stages !== 0 && stages !== 1) throw new RangeError(`roundPack '${name}': stages must be 0 or 1, got ${stages}`);
  const lzcCut = opts.lzcCut === true;
  const { sign: sign0, sig: sig0 } = inp;
  const w = sig0.width;
  if (w < fmt.man + 2 || sig0.signed) throw new RangeError(`roundPack '${name}': sig must be unsigned with at least ${fmt.man + 2} bits, got ${sig0.type}`);
  if (!inp.exp.signed) throw new RangeError(`roundPack '${name}': exp must be signed, got ${inp.exp.type}`);
  const ew = Math.max(inp.exp.width, bitsFor(w) + 1, fmt.exp + 1) + 2;
  const exp0 = m.wire(`${name}_exp`, inp.exp.sext(ew));
  // left shift (normalize) by min(lz, exp - 1) when exp >= 1, else right shift by min(1 - exp, w).
  // The left amount is the leading-zero count of sig with a one planted at bit w - 1 - (exp - 1)
  // (at the top when exp <= 1), so the count stops there: no compare after the count.
  const expM1 = exp0.subWrap(1);
  if (inp.stop && (inp.stop.width !== w || inp.stop.signed)) throw new RangeError(`roundPack '${name}': stop must be UInt(${w}), got ${inp.stop.type}`);
  const lAmtNormal = leadingZeros(sig0.or(inp.stop ?? normStop(inp.exp, w)));
  const shl = (v: Expr, amt: Expr) => v.shl(amt).slice(w - 1, 0);
  const eLeft = (e: Expr, amt: Expr) => e.subWrap(amt.zext(ew).asSInt());
  let norm: Expr;
  // eFinal - 1, eFinal the exponent of the normalized top bit, at least 1 (1 with a clear top bit:
  // subnormal); (exp - 1) - lamt, so that one subtractor follows the leading-zero count
  let eFinalM1: Expr;
  let sticky0 = inp.sticky ?? lit(UInt(1), 0);
  let sign = sign0;
  let sig = sig0;
  if ((inp.minExp ?? -Infinity) >= 1) {
    // the caller guarantees exp >= 1: no right-shift (underflow) path
    const l = stageRegs(m, `${name}_l`, { sign: sign0, sig: sig0, exp: exp0, lamt: m.wire(`${name}_lamt`, lAmtNormal), sticky: sticky0 }, lzcCut, opts.enable);
    norm = m.wire(`${name}_norm`, shl(l.sig, l.lamt));
    eFinalM1 = eLeft(l.exp.subWrap(1), l.lamt);
    ({ sign, sig, sticky: sticky0 } = l);
  } else {
    const right = m.wire(`${name}_right`, expM1.lt(0));
    const lAmt = m.wire(`${name}_lamt`, lAmtNormal); // 0 when right (exp <= 0 plants the top bit)
    const rw = bitsFor(w);
    const negExpM1 = lit(SInt(ew), 0).subWrap(expM1); // 1 - exp
    const rAmt = m.wire(`${name}_ramt`, mux(right, mux(negExpM1.lt(w), negExpM1.trunc(rw).asUInt(), lit(UInt(rw), w)), lit(UInt(rw), 0)));
    const l = stageRegs(m, `${name}_l`, { sign: sign0, sig: sig0, exp: exp0, right, lamt: lAmt, ramt: rAmt, sticky: sticky0 }, lzcCut, opts.enable);
    const shr = l.sig.shr(l.ramt);
    const lost = shr.shl(l.ramt).slice(w - 1, 0).ne(l.sig);
    norm = m.wire(`${name}_norm`, mux(l.right, shr, shl(l.sig, l.lamt)));
    eFinalM1 = mux(l.right, lit(SInt(ew), 0), eLeft(l.exp.subWrap(1), l.lamt));
    sticky0 = l.sticky.or(lost);
    ({ sign, sig } = l);
  }
  const eFm1 = m.wire(`${name}_efm1`, eFinalM1.asUInt()); // >= 0
  sticky0 = m.wire(`${name}_sticky`, sticky0);
  const zero0 = m.wire(`${name}_zero`, sig.eq(0));
  const s = stageRegs(m, `${name}_p`, { sign, norm, efm1: eFm1, sticky: sticky0, zero: zero0 }, stages === 1, opts.enable);
  // round: keep man+1 bits, guard below them, the rest and `sticky` are the sticky bit
  const q = s.norm.slice(w - 1, w - 1 - fmt.man);
  const guard = s.norm.bit(w - 2 - fmt.man);
  const rest = w - 3 - fmt.man >= 0 ? s.norm.slice(w - 3 - fmt.man, 0).orR().or(s.sticky) : s.sticky;
  const up = m.wire(`${name}_up`, guard.and(rest.or(q.bit(0))));
  // (eFinal - 1) * 2^man + q + up: the carry of a rounded-up mantissa moves into the exponent field
  const tw = ew + fmt.man + 1;
  const t = m.wire(`${name}_t`, cat(s.efm1, lit(UInt(fmt.man), 0)).zext(tw).addWrap(q.zext(tw)).addWrap(up.zext(tw)));
  const infMag = ((1 << fmt.exp) - 1) << fmt.man;
  // overflow: the exponent alone says it (a set top bit makes the field efm1 + 1 >= the Inf field;
  // a clear one means efm1 = 0); a rounding carry into the Inf field makes t the Inf pattern itself.
  // No compare after the rounding adder.
  const ovf = m.wire(`${name}_big`, s.efm1.ge((1 << fmt.exp) - 2));
  const mag = mux(s.zero, lit(UInt(fmt.width - 1), 0), mux(ovf, lit(UInt(fmt.width - 1), infMag), t.slice(fmt.width - 2, 0)));
  return { result: m.wire(`${name}_y`, cat(s.sign, mag)), latency: stages + (lzcCut ? 1 : 0) };
}
