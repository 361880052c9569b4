/**
 * Floating-point multiply on fp16 / bf16 bit patterns: correctly rounded to nearest-even,
 * subnormal inputs and outputs kept, overflow to ±Inf, NaN results = canonicalNaN(fmt),
 * 0 · Inf = NaN, zero and Inf results carry the XOR of the signs.
 *
 *   const { result, latency } = fpMul(m, 'mul', FP16, a, b, { stages: 2, enable: en });
 *
 * Datapath: unpack (unpack.ts: subnormals get exponent 1 and hidden bit 0) and the leading-zero
 * count of each (man+1)-bit significand → both significands normalized to [1, 2) (a subnormal
 * operand's exponent drops by its count) → the exact product of the normalized significands, in
 * [1, 4): its leading one is one of its top two bits, so the normalization is a 1-bit left shift
 * (no leading-zero count of the product); beside the product, from the exponent alone, the
 * underflow right-shift amount and the mask of the bits it drops (sticky) → normalize (1-bit left,
 * none, or the right shift into the subnormal range) → round to nearest even / pack
 * (normalize-round.ts roundNormalized) → special-case select.
 *
 * `stages` 0..FP_MUL_MAX_STAGES (4) registers `<name>_p<k>_<field>` go to the cut points after
 * unpack and the operand counts (1), after the operand normalization (2), after the product (3)
 * and after the product normalization (4): stages 1 uses cut 3; 2 cuts 2 and 4; 3 cuts 2, 3, 4;
 * 4 all (FP_MUL_CUTS). All load when `enable` is high. latency = stages.
 */
import { cat, lit, mux, type Expr } from '../../core/expr.ts';
import type { ModuleBuilder } from '../../core/module-builder.ts';
import { SInt, UInt, bitsFor } from '../../core/types.ts';
import type { FloatFormat } from './format.ts';
import { Pipe } from './pipe.ts';
import type { FloatOpOptions, FloatOpResult } from './op.ts';
import { infPattern, nanPattern, zeroPattern, floatFields } from './unpack.ts';
import { leadingZeros } from './normalize-round.ts';
import { opStages } from './presets.ts';

/** Largest `stages` value fpMul accepts. */
export const FP_MUL_MAX_STAGES = 4;

/** The cut points (see fpMul) used for each `stages` value. */
export const FP_MUL_CUTS: readonly (readonly number[])[] = [[], [3], [2, 4], [2, 3, 4], [1, 2, 3, 4]];

/** a · b on `fmt` bit patterns (UInt(fmt.width) each). */
export function fpMul(m: ModuleBuilder, name: string, fmt: FloatFormat, a: Expr, b: Expr, opts: FloatOpOptions = {}): FloatOpResult {
  for (const [n, e] of [['a', a], ['b', b]] as const) {
    if (e.width !== fmt.width || e.signed) throw new TypeError(`fpMul '${name}': operand ${n} must be UInt(${fmt.width}), got ${e.type}`);
  }
  const stages = opStages('mul', fmt, opts);
  // rough delays: unpack + lzc | operand shift | product | normalize | round + select (FP_MUL_CUTS fixes the placement)
  const pipe = new Pipe(m, name, [4, 3, Math.ceil(Math.log2(fmt.man + 1)) + 4, 4, 5], stages, opts.enable, FP_MUL_CUTS);
  const p = fmt.man + 1; // significand bits
  const w = 2 * p; // product bits
  const fa = floatFields(fmt, a);
  const fb = floatFields(fmt, b);
  const xw = fmt.exp + 3;
  const sx = (e: Expr) => e.zext(xw).asSInt();
  // biased exponent of the product's top bit (2^(2man+1)) before normalizing the operands: ea + eb - bias + 1
  const x = sx(fa.effExp).add(sx(fb.effExp)).sub(fmt.bias - 1).trunc(xw);
  const nan = fa.isNaN.or(fb.isNaN).or(fa.isInf.and(fb.isZero)).or(fa.isZero.and(fb.isInf));
  const s1 = pipe.next({
    sign: m.wire(`${name}_sign`, fa.sign.xor(fb.sign)),
    x: m.wire(`${name}_exp_sum`, x),
    siga: m.wire(`${name}_siga`, fa.significand),
    sigb: m.wire(`${name}_sigb`, fb.significand),
    lza: m.wire(`${name}_lza`, leadingZeros(fa.significand)),
    lzb: m.wire(`${name}_lzb`, leadingZeros(fb.significand)),
    nan: m.wire(`${name}_nan`, nan),
    inf: m.wire(`${name}_inf`, fa.isInf.or(fb.isInf)),
    zero: m.wire(`${name}_zero`, fa.isZero.or(fb.isZero)),
  });
  // significands normalized to [1, 2) (a zero operand stays 0: the special select covers it)
  const s2 = pipe.next({
    sign: s1.sign,
    x: m.wire(`${name}_exp_norm`, s1.x.sub(sx(s1.lza)).sub(sx(s1.lzb)).trunc(xw)),
    na: m.wire(`${name}_na`, s1.siga.shl(s1.lza).trunc(p)),
    nb: m.wire(`${name}_nb`, s1.sigb.shl(s1.lzb).trunc(p)),
    nan: s1.nan,
    inf: s1.inf,
    zero: s1.zero,
  });
  // the product of normalized significands lies in [2^(w-2), 2^w): bit w-1 or w-2 leads. Beside it,
  // from the exponent alone: x <= 0 shifts right by min(1 - x, w) into the subnormal range (mask:
  // the bits that shift drops); x >= 2 allows the 1-bit left shift; exponent - 1 after either shift.
  const prod = m.wire(`${name}_prod`, s2.na.mul(s2.nb));
  const ew = Math.max(xw, bitsFor(w) + 1, fmt.exp + 1) + 2;
  const xe = s2.x.sext(ew);
  const rw = bitsFor(w);
  const negX1 = lit(SInt(ew), 1).subWrap(xe); // 1 - x
  const emax = (1 << fmt.exp) - 1; // the Inf exponent field
  const s3 = pipe.next({
    sign: s2.sign,
    prod,
    right: m.wire(`${name}_right`, xe.le(0)),
    ramt: m.wire(`${name}_ramt`, mux(negX1.lt(w), negX1.trunc(rw).asUInt(), lit(UInt(rw), w))),
    lost: m.wire(`${name}_lost_mask`, cat(...Array.from({ length: w }, (_, k) => xe.le(-(w - 1 - k))))), // bit i: x <= -i
    left: m.wire(`${name}_left_ok`, xe.ge(2)),
    e1: m.wire(`${name}_field1`, xe.trunc(fmt.exp).asUInt()),
    e0: m.wire(`${name}_field0`, xe.subWrap(1).trunc(fmt.exp).asUInt()),
    big1: m.wire(`${name}_big1`, xe.ge(emax)),
    big0: m.wire(`${name}_big0`, xe.ge(emax + 1)),
    nan: s2.nan,
    inf: s2.inf,
    zero: s2.zero,
  });
  // normalize: right shift into the subnormal range (x <= 0), 1-bit left shift (leading one at
  // w-2, x >= 2) or none. The exponent field before rounding: 0 on the right path, else x with the
  // leading one at w-1 and x - 1 with it at w-2 (shifted, or x = 1: a subnormal); `big`: that field
  // is already the Inf field (overflow whatever the rounding does)
  const top = s3.prod.bit(w - 1);
  const shl1 = s3.left.and(top.not());
  const s4 = pipe.next({
    sign: s3.sign,
    norm: m.wire(`${name}_norm`, mux(s3.right, s3.prod.shr(s3.ramt), mux(shl1, s3.prod.shl(1).slice(w - 1, 0), s3.prod))),
    field: m.wire(`${name}_field`, mux(s3.right, lit(UInt(fmt.exp), 0), mux(top, s3.e1, s3.e0))),
    big: m.wire(`${name}_big`, s3.right.not().and(mux(top, s3.big1, s3.big0))),
    sticky: m.wire(`${name}_sticky`, s3.prod.and(s3.lost).orR()),
    nan: s3.nan,
    inf: s3.inf,
    zero: s3.zero,
  });
  // round to nearest even: keep the man fraction bits below the leading one, guard below them,
  // the rest and sticky are the sticky bit; {field, fraction} + up carries into the exponent field
  // (up to the Inf pattern: overflow by rounding needs no separate test)
  const frac = s4.norm.slice(w - 2, w - 1 - fmt.man);
  const guard = s4.norm.bit(w - 2 - fmt.man);
  const rest = s4.norm.slice(w - 3 - fmt.man, 0).orR().or(s4.sticky);
  const up = m.wire(`${name}_up`, guard.and(rest.or(frac.bit(0))));
  const t = m.wire(`${name}_t`, cat(s4.field, frac).addWrap(up.zext(fmt.width - 1)));
  const result = m.wire(`${name}_result`, mux(s4.nan, nanPattern(fmt), mux(s4.inf.or(s4.big), infPattern(fmt, s4.sign), mux(s4.zero, zeroPattern(fmt, s4.sign), cat(s4.sign, t)))));
  return { result, latency: stages };
}
