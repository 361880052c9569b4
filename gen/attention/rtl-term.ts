/**
 * The product term of README.md §2 in hardware: term_W(x, y) = sat_W(RNE(x·y·κ·2^F)) for two
 * finite patterns. An (m+1)×(m+1)-bit significand product times the 17-bit Kc (≤ 39 bits), then a
 * barrel shift by s = e_x + e_y + eκ − 15 + F: left (saturating) or right with round-half-even,
 * then the symmetric clamp to W bits and the sign. Golden: `term` in fixed.ts.
 *
 *   termUnit(m, name, fmt, x, y, { Kc, e }, F, W, { stages, enable }) -> { result: SInt(W), latency }
 *
 * stages 0 (combinational), 1 (a register after the product), 2 (and one on the result) or 3 (and
 * one after the shifts, before the rounding increment and the clamp).
 */
import { SInt, UInt, lit, log2Ceil, mux, type Expr, type ModuleBuilder } from '../../hdl/index.ts';
import type { FloatFormat } from '../../hdl/lib/float/format.ts';
import { floatFields } from '../../hdl/lib/float/unpack.ts';
import { stageRegs } from '../../hdl/lib/float/normalize-round.ts';
import type { FloatOpOptions } from '../../hdl/lib/float/op.ts';

export interface TermResult {
  result: Expr;
  latency: number;
}

/** Width of the magnitude product sig_x·sig_y·Kc. */
export function termProductWidth(fmt: FloatFormat): number {
  return 2 * (fmt.man + 1) + 17;
}

export function termUnit(
  m: ModuleBuilder,
  name: string,
  fmt: FloatFormat,
  x: Expr,
  y: Expr,
  k: { Kc: number; e: number },
  F: number,
  W: number,
  opts: FloatOpOptions = {},
): TermResult {
  const stages = opts.stages ?? 0;
  if (stages < 0 || stages > 3) throw new RangeError(`termUnit '${name}': stages must be 0..3, got ${stages}`);
  const a = floatFields(fmt, x);
  const b = floatFields(fmt, y);
  const PW = termProductWidth(fmt);
  const mag0 = m.wire(`${name}_mag`, a.significand.mul(b.significand).mul(lit(UInt(17), k.Kc)));
  // s = (effx − bias − man) + (effy − bias − man) + eκ − 15 + F
  const off = -2 * (fmt.bias + fmt.man) + k.e - 15 + F;
  const EW = fmt.exp + 2 + log2Ceil(Math.abs(off) + 2) + 1;
  const s0 = m.wire(`${name}_s`, a.effExp.zext(EW).asSInt().addWrap(b.effExp.zext(EW).asSInt()).addWrap(lit(SInt(EW), off)));
  const sign0 = m.wire(`${name}_sign`, a.sign.xor(b.sign));
  const limit = 2 ** (W - 1) - 1;
  // left shift by s ≥ 0: saturate when s ≥ W − 1 (mag ≥ 1 then exceeds the limit) or the result does
  const LW = log2Ceil(W); // s < W − 1 fits
  // right shift by r = −s ≥ 1 (clamped to PW + 1: everything rounds to 0 beyond)
  const RW = log2Ceil(PW + 2);
  const negS = lit(SInt(EW), 0).subWrap(s0);
  const p = stageRegs(
    m,
    `${name}_p`,
    {
      mag: mag0,
      sign: sign0,
      left: m.wire(`${name}_left`, s0.ge(0)),
      bigleft: s0.ge(W - 1),
      lamt: s0.trunc(LW).asUInt(),
      ramt: m.wire(`${name}_ramt`, mux(negS.gt(PW + 1), lit(UInt(RW), PW + 1), negS.trunc(RW).asUInt())),
    },
    stages >= 1,
    opts.enable,
  );
  const left = p.left;
  const shifted = p.mag.shl(p.lamt);
  const lSat = m.wire(`${name}_lsat`, p.bigleft.or(shifted.gt(limit)));
  const rAmt = p.ramt;
  const mag2 = p.mag.shl(1); // PW + 1 bits: the round bit lands in bit 0 of h
  const h = m.wire(`${name}_h`, mag2.shr(rAmt));
  const q = h.slice(PW, 1);
  const roundBit = h.bit(0);
  // sticky: a bit of mag2 below position rAmt is set (the bits the shift dropped)
  const sticky = m.wire(`${name}_sticky`, Array.from({ length: PW + 1 }, (_, k) => mag2.bit(k).and(rAmt.gt(k))).reduce((x, y) => x.or(y)));
  const MW = Math.max(W - 1, 1);
  const r = stageRegs(
    m,
    `${name}_r`,
    { left, lsat: lSat, shifted: m.wire(`${name}_shifted`, shifted.trunc(Math.min(MW, shifted.width)).zext(MW)), q, round: roundBit, sticky, sign: p.sign },
    stages >= 3,
    opts.enable,
  );
  const up = r.round.and(r.sticky.or(r.q.bit(0)));
  const rq = m.wire(`${name}_rq`, r.q.add(up.zext(1)));
  const rSat = rq.gt(limit);
  const mag = m.wire(
    `${name}_abs`,
    mux(r.left, mux(r.lsat, lit(UInt(MW), limit), r.shifted), mux(rSat, lit(UInt(MW), limit), rq.trunc(Math.min(MW, rq.width)).zext(MW))),
  );
  const signed = mag.zext(W).asSInt();
  const value = mux(r.sign, lit(SInt(W), 0).subWrap(signed), signed);
  const out = stageRegs(m, `${name}_o`, { v: value }, stages >= 2, opts.enable);
  return { result: out.v, latency: stages };
}
