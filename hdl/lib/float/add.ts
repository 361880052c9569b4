/**
 * Float addition and subtraction on bit patterns, correctly rounded (RNE), subnormals kept.
 *
 *   fpAdd / fpSub(m, name, fmt, a, b, { stages?: 0..FP_ADD_MAX_STAGES (5), enable? }) -> { result: UInt(width), latency: stages }
 *
 * NaN in, or Inf - Inf: the canonical NaN. Inf +- finite: that Inf. Overflow: +-Inf. An exact zero
 * sum is +0 unless both addends are -0 ((-0) + (-0) = -0, x + (-x) = +0).
 *
 * Datapath: compare the magnitudes and take both exponent differences; swap so that |x| >= |y|;
 * align y right by the exponent difference into three extra bits (guard, round, sticky: the bits
 * shifted out are ORed through a mask, not shifted back); add or subtract the significands; then
 * the shared roundPack (leading-zero count, normalize, round, pack; no underflow path: a sum's
 * exponent never drops below that of its larger addend).
 *
 * Pipeline cut points, in datapath order, and the registers at each:
 *   s  `<name>_s_*`     after the magnitude compare, before the swap
 *   a  `<name>_a_*`     after alignment
 *   b  `<name>_b_*`     after the significand adder
 *   l  `<name>_rp_l_*`  after the leading-zero count (and `<name>_cl_*` for the special flags)
 *   p  `<name>_rp_p_*`  after normalization, before rounding (and `<name>_c_*`)
 * stages 1 uses b; 2: a, p; 3: s, b, p; 4: s, a, b, p; 5: all five (FP_ADD_CUTS).
 */
import { cat, lit, mux, type Expr } from '../../core/expr.ts';
import { UInt } from '../../core/types.ts';
import type { ModuleBuilder } from '../../core/module-builder.ts';
import type { FloatFormat } from './format.ts';
import { normStop, roundPack, stageRegs } from './normalize-round.ts';
import type { FloatOpOptions as StageOptions, FloatOpResult } from './op.ts';
import { floatFields, infPattern, nanPattern } from './unpack.ts';
import { opStages } from './presets.ts';

/** Largest `stages` fpAdd / fpSub accept. */
export const FP_ADD_MAX_STAGES = 5;

/** The cut points used for each `stages` value (see the file comment). */
export const FP_ADD_CUTS: readonly (readonly ('s' | 'a' | 'b' | 'l' | 'p')[])[] = [[], ['b'], ['a', 'p'], ['s', 'b', 'p'], ['s', 'a', 'b', 'p'], ['s', 'a', 'b', 'l', 'p']];

function addCore(m: ModuleBuilder, name: string, fmt: FloatFormat, a: Expr, b: Expr, opts: StageOptions): FloatOpResult {
  const stages = opStages('add', fmt, opts);
  const cuts = FP_ADD_CUTS[stages];
  if (!Number.isInteger(stages) || !cuts) throw new RangeError(`fpAdd '${name}': stages must be 0..${FP_ADD_MAX_STAGES}, got ${stages}`);
  const at = (c: 's' | 'a' | 'b' | 'l' | 'p') => cuts.includes(c);
  const fa = floatFields(fmt, a);
  const fb = floatFields(fmt, b);
  // specials; order by magnitude (x is the larger) with both exponent differences beside the compare
  const S = stageRegs(m, `${name}_s`, {
    a,
    b,
    nan: m.wire(`${name}_nan`, fa.isNaN.or(fb.isNaN).or(fa.isInf.and(fb.isInf).and(fa.sign.ne(fb.sign)))),
    inf: m.wire(`${name}_inf`, fa.isInf.or(fb.isInf)),
    swap: m.wire(`${name}_swap`, fa.mag.lt(fb.mag)),
    dab: fa.effExp.subWrap(fb.effExp),
    dba: fb.effExp.subWrap(fa.effExp),
  }, at('s'), opts.enable);
  const x = m.wire(`${name}_x`, mux(S.swap, S.b, S.a));
  const y = m.wire(`${name}_y`, mux(S.swap, S.a, S.b));
  const fx = floatFields(fmt, x);
  const fy = floatFields(fmt, y);
  // align y into man+4 bits (significand, guard, round, sticky); d >= w shifts everything out
  const w = fmt.man + 4;
  const d = m.wire(`${name}_d`, mux(S.swap, S.dba, S.dab));
  const yFull = cat(fy.significand, lit(UInt(3), 0));
  const yShr = yFull.shr(d);
  const lost = m.wire(`${name}_lost`, cat(...Array.from({ length: w }, (_, i) => yFull.bit(i).and(d.gt(i)))).orR());
  const A = stageRegs(m, `${name}_a`, {
    nan: S.nan,
    inf: S.inf,
    sx: fx.sign,
    zsign: fx.sign.and(fy.sign),
    sub: fx.sign.xor(fy.sign),
    ex: fx.effExp,
    xs: cat(fx.significand, lit(UInt(3), 0)),
    ys: yShr.or(lost.zext(w)),
  }, at('a'), opts.enable);
  // add / subtract (|x| >= |y|, so the difference is never negative)
  const sum = m.wire(`${name}_sum`, mux(A.sub, A.xs.sub(A.ys), A.xs.add(A.ys)));
  // sum's top bit (carry) has exponent ex + 1; the normalization's stop mask is computed beside the adder
  const expOf = (ex: Expr) => ex.zext(fmt.exp + 2).asSInt().addWrap(1);
  const stop = m.wire(`${name}_stop`, normStop(expOf(A.ex), sum.width));
  const B = stageRegs(m, `${name}_b`, { nan: A.nan, inf: A.inf, sx: A.sx, zsign: A.zsign, ex: A.ex, sum, stop }, at('b'), opts.enable);
  const sign = m.wire(`${name}_sign`, mux(B.sum.eq(0), B.zsign, B.sx));
  const rp = roundPack(m, `${name}_rp`, fmt, {
    sign,
    exp: expOf(B.ex),
    sig: B.sum,
    stop: B.stop,
    minExp: 2,
  }, { stages: at('p') ? 1 : 0, lzcCut: at('l'), enable: opts.enable });
  const L = stageRegs(m, `${name}_cl`, { nan: B.nan, inf: B.inf, sign }, at('l'), opts.enable);
  const C = stageRegs(m, `${name}_c`, L, at('p'), opts.enable);
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
