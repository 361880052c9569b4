/**
 * Float addition and subtraction on bit patterns, correctly rounded (RNE), subnormals kept.
 *
 *   fpAdd / fpSub(m, name, fmt, a, b, { stages?: 0..3, enable? }) -> { result: UInt(width), latency: stages }
 *
 * NaN in, or Inf - Inf: the canonical NaN. Inf +- finite: that Inf. Overflow: +-Inf. An exact zero
 * sum is +0 unless both addends are -0 ((-0) + (-0) = -0, x + (-x) = +0).
 *
 * Datapath: swap so that |x| >= |y|; align y right by the exponent difference into three extra
 * bits (guard, round, sticky); add or subtract the significands; then the shared roundPack
 * (leading-zero count, normalize, round, pack; no underflow path: a sum's exponent never drops
 * below that of its larger addend). Pipeline registers `<name>_a_*` (after alignment), `<name>_b_*`
 * (after the adder) and `<name>_rp_p_*` / `<name>_c_*` (normalized, before rounding): stages 1 uses
 * b; 2 uses a and rp; 3 uses all three.
 */
import { cat, lit, mux, type Expr } from '../../core/expr.ts';
import type { ModuleBuilder } from '../../core/module-builder.ts';
import { UInt, bitsFor } from '../../core/types.ts';
import type { FloatFormat } from './format.ts';
import { roundPack, stageRegs } from './normalize-round.ts';
import type { FloatOpOptions as StageOptions, FloatOpResult } from './op.ts';
import { floatFields, infPattern, nanPattern } from './unpack.ts';

const cuts: Record<number, [boolean, boolean, number]> = { 0: [false, false, 0], 1: [false, true, 0], 2: [true, false, 1], 3: [true, true, 1] };

function addCore(m: ModuleBuilder, name: string, fmt: FloatFormat, a: Expr, b: Expr, opts: StageOptions): FloatOpResult {
  const stages = opts.stages ?? 0;
  const cut = cuts[stages];
  if (!cut) throw new RangeError(`fpAdd '${name}': stages must be 0..3, got ${stages}`);
  const [cutA, cutB, rpStages] = cut;
  const fa = floatFields(fmt, a);
  const fb = floatFields(fmt, b);
  // specials
  const nan = m.wire(`${name}_nan`, fa.isNaN.or(fb.isNaN).or(fa.isInf.and(fb.isInf).and(fa.sign.ne(fb.sign))));
  const inf = m.wire(`${name}_inf`, fa.isInf.or(fb.isInf));
  // order by magnitude: x is the larger
  const swap = m.wire(`${name}_swap`, fa.mag.lt(fb.mag));
  const x = m.wire(`${name}_x`, mux(swap, b, a));
  const y = m.wire(`${name}_y`, mux(swap, a, b));
  const fx = floatFields(fmt, x);
  const fy = floatFields(fmt, y);
  // align y into man+4 bits (significand, guard, round, sticky)
  const w = fmt.man + 4;
  const dw = bitsFor(w);
  const d = fx.effExp.subWrap(fy.effExp);
  const dcl = m.wire(`${name}_d`, mux(d.ge(w), lit(UInt(dw), w), d.trunc(Math.min(dw, d.width)).zext(dw)));
  const yFull = cat(fy.significand, lit(UInt(3), 0));
  const yShr = yFull.shr(dcl);
  const lost = yShr.shl(dcl).slice(w - 1, 0).ne(yFull);
  const A = stageRegs(m, `${name}_a`, {
    nan,
    inf,
    sx: fx.sign,
    zsign: fx.sign.and(fy.sign),
    sub: fx.sign.xor(fy.sign),
    ex: fx.effExp,
    xs: cat(fx.significand, lit(UInt(3), 0)),
    ys: yShr.or(lost.zext(w)),
  }, cutA, opts.enable);
  // add / subtract (|x| >= |y|, so the difference is never negative)
  const sum = m.wire(`${name}_sum`, mux(A.sub, A.xs.sub(A.ys), A.xs.add(A.ys)));
  const B = stageRegs(m, `${name}_b`, {
    nan: A.nan,
    inf: A.inf,
    sign: mux(sum.eq(0), A.zsign, A.sx),
    ex: A.ex,
    sum,
  }, cutB, opts.enable);
  // sum's top bit (carry) has exponent ex + 1
  const rp = roundPack(m, `${name}_rp`, fmt, {
    sign: B.sign,
    exp: B.ex.zext(fmt.exp + 2).asSInt().addWrap(1),
    sig: B.sum,
    minExp: 2,
  }, { stages: rpStages, enable: opts.enable });
  const C = stageRegs(m, `${name}_c`, { nan: B.nan, inf: B.inf, sign: B.sign }, rpStages === 1, opts.enable);
  const result = mux(C.nan, nanPattern(fmt), mux(C.inf, infPattern(fmt, C.sign), rp.result));
  return { result: m.wire(`${name}_res`, result), latency: stages };
}

export function fpAdd(m: ModuleBuilder, name: string, fmt: FloatFormat, a: Expr, b: Expr, opts: StageOptions = {}): FloatOpResult {
  return addCore(m, name, fmt, a, b, opts);
}

/** a - b: a + (-b) (the sign of b flipped; a NaN b still gives the canonical NaN). */
export function fpSub(m: ModuleBuilder, name: string, fmt: FloatFormat, a: Expr, b: Expr, opts: StageOptions = {}): FloatOpResult {
  const nb = m.wire(`${name}_negb`, cat(b.bit(fmt.width - 1).not(), b.slice(fmt.width - 2, 0)));
  return addCore(m, name, fmt, a, nb, opts);
}
