/**
 * fl(num / (den · 2^es)) for a signed integer num and an unsigned integer den > 0, rounded once to
 * nearest-even (subnormals kept): an iterative restoring divider. Golden: `divideToFloat`
 * (gen/attention/fixed.ts) and `roundPackBig` (golden/round.ts).
 *
 *   const d = fpIntQuotient(m, 'div', FP16, { valid, num: SInt(a), den: UInt(b) }, outReady, es);
 *   // d.inReady: accepts an operand pair (idle); d.outValid / d.result: the pattern, held until outReady
 *
 * |num| is normalised to X (top bit at a − 1) and den to Y (top bit at the same position), so
 * X/Y ∈ (1/2, 2); K = man + 3 restoring steps give Q = ⌊X·2^(K−1)/Y⌋ (K − 1 or K significant bits)
 * and a sticky bit (remainder ≠ 0), which the shared roundPack rounds with the biased exponent
 * bias + (a − b) + lz(den) − lz(|num|) − es. Cycles per operation: K + 6 (accept, count the
 * leading zeros, normalise, K steps, round in three: roundPack with its leading-zero cut and its
 * one stage), one operation at a time; each of these steps is its own clock cycle so that no
 * path holds a wide shifter after a leading-zero count. num = 0 gives +0; den = 0 is not allowed (the result is
 * some pattern).
 */
import { cat, lit, mux, type Expr } from '../../core/expr.ts';
import type { ModuleBuilder } from '../../core/module-builder.ts';
import { Bool, SInt, UInt, bitsFor, log2Ceil } from '../../core/types.ts';
import type { FloatFormat } from './format.ts';
import { leadingZeros, roundPack } from './normalize-round.ts';

export interface IntQuotientIn {
  valid: Expr;
  num: Expr;
  den: Expr;
}

export interface IntQuotient {
  inReady: Expr;
  outValid: Expr;
  result: Expr;
  /** cycles from acceptance to outValid */
  latency: number;
}

export function fpIntQuotient(m: ModuleBuilder, name: string, fmt: FloatFormat, inp: IntQuotientIn, outReady: Expr, es: number): IntQuotient {
  if (!inp.num.signed || inp.den.signed) throw new TypeError(`fpIntQuotient '${name}': num must be signed and den unsigned, got ${inp.num.type}, ${inp.den.type}`);
  const AW = Math.max(inp.num.width, inp.den.width); // magnitude width (|num| < 2^(num width − 1))
  const DW = inp.den.width;
  const K = fmt.man + 3;
  const [IDLE, LZ, NORM, ITER, DONE] = [0, 1, 2, 3, 4];
  const state = m.reg(`${name}_state`, UInt(3), { reset: IDLE });
  const sign = m.reg(`${name}_sign`, Bool);
  const a = m.reg(`${name}_a`, UInt(AW));
  const d = m.reg(`${name}_d`, UInt(AW));
  const rem = m.reg(`${name}_rem`, UInt(AW + 1));
  const q = m.reg(`${name}_q`, UInt(K));
  const CW = log2Ceil(K + 1);
  const count = m.reg(`${name}_count`, UInt(CW));
  const EW = Math.max(bitsFor(AW) + 2, bitsFor(Math.abs(fmt.bias + AW - DW - es) + 2 * AW) + 2);
  const expo = m.reg(`${name}_exp`, SInt(EW));
  const res = m.reg(`${name}_res`, UInt(fmt.width));
  const accept = m.wire(`${name}_accept`, inp.valid.and(state.eq(IDLE)));
  const neg = inp.num.bit(inp.num.width - 1);
  const absNum = mux(neg, lit(SInt(inp.num.width), 0).subWrap(inp.num), inp.num).asUInt(); // |num| fits unsigned
  const lzAw = leadingZeros(a);
  const lzA = m.reg(`${name}_lza`, lzAw.type);
  const lzD = m.reg(`${name}_lzd`, lzAw.type);
  m.when(accept, () => {
    sign.set(neg);
    a.set(absNum.zext(AW));
    d.set(inp.den.zext(AW));
    state.set(LZ);
  });
  m.when(state.eq(LZ), () => {
    lzA.set(lzAw);
    lzD.set(leadingZeros(d));
    state.set(NORM);
  });
  m.when(state.eq(NORM), () => {
    rem.set(a.shl(lzA).slice(AW - 1, 0).zext(AW + 1));
    d.set(d.shl(lzD).slice(AW - 1, 0));
    // lz(d) counted over AW bits = lz(den over DW bits) + (AW − DW)
    expo.set(lit(SInt(EW), fmt.bias - es).addWrap(lzD.zext(EW).asSInt()).subWrap(lzA.zext(EW).asSInt()));
    q.set(0);
    count.set(0);
    state.set(ITER);
  });
  const ge = rem.ge(d.zext(AW + 1));
  const diff = mux(ge, rem.subWrap(d.zext(AW + 1)), rem);
  m.when(state.eq(ITER), () => {
    q.set(cat(q.slice(K - 2, 0), ge));
    rem.set(diff.slice(AW - 1, 0).shl(1));
    count.set(count.addWrap(1));
    m.when(count.eq(K - 1), () => {
      state.set(DONE);
      count.set(0);
    });
  });
  // in DONE: rem is the shifted final remainder; the value is Q/2^(K−1) · 2^(expo − bias), rounded
  // by roundPack's pipeline (its inputs hold during DONE; the result is there `rp.latency` cycles on)
  const rp = roundPack(m, `${name}_rp`, fmt, { sign, exp: expo, sig: q, sticky: rem.ne(0) }, { stages: 1, lzcCut: true });
  const zeroNum = m.wire(`${name}_zero`, a.eq(0));
  const resValid = m.reg(`${name}_res_valid`, Bool, { reset: 0 });
  m.when(state.eq(DONE).and(count.ne(rp.latency)), () => count.set(count.addWrap(1)));
  m.when(state.eq(DONE).and(count.eq(rp.latency)).and(resValid.not()), () => {
    res.set(mux(zeroNum, lit(UInt(fmt.width), 0), rp.result));
    resValid.set(1);
  });
  m.when(resValid.and(outReady), () => {
    resValid.set(0);
    state.set(IDLE);
  });
  return { inReady: state.eq(IDLE), outValid: resValid, result: res, latency: K + 4 + rp.latency };
}
