/**
 * Floating-point multiply on fp16 / bf16 bit patterns: correctly rounded to nearest-even,
 * subnormal inputs and outputs kept, overflow to ±Inf, NaN results = canonicalNaN(fmt),
 * 0 · Inf = NaN, zero and Inf results carry the XOR of the signs.
 *
 *   const { result, latency } = fpMul(m, 'mul', FP16, a, b, { stages: 2, enable: en });
 *
 * Datapath: unpack (unpack.ts: subnormals get exponent 1 and hidden bit 0) → the exact
 * (man+1)×(man+1)-bit product (operands are not normalised beforehand: the shared roundPack's
 * leading-zero count normalises the product, which covers subnormal operands) → normalize / round /
 * pack (normalize-round.ts) → special-case select. `stages` 0..FP_MUL_MAX_STAGES (4) registers
 * `<name>_p<k>_<field>` go to the cut points after unpack, after the product and, inside roundPack,
 * after the leading-zero count (`<name>_rp_l_*`) and after normalization (`<name>_rp_p_*`):
 * stages 1 uses the product cut; 2 product and normalization; 3 adds unpack; 4 all (FP_MUL_CUTS).
 * All load when `enable` is high. latency = stages.
 *
 * Also holds `Pipe`, the small pipeline-cut helper that div.ts uses too (not public API).
 */
import type { Expr } from '../../core/expr.ts';
import { lit } from '../../core/expr.ts';
import type { ModuleBuilder } from '../../core/module-builder.ts';
import { UInt } from '../../core/types.ts';
import type { FloatFormat } from './format.ts';
import { Pipe, roundAndSelect } from './pipe.ts';
import type { FloatOpOptions, FloatOpResult } from './op.ts';
import { floatFields } from './unpack.ts';
import { normStop } from './normalize-round.ts';

/** Largest `stages` value fpMul accepts. */
export const FP_MUL_MAX_STAGES = 4;

/** The cut points (see fpMul) used for each `stages` value. */
export const FP_MUL_CUTS: readonly (readonly number[])[] = [[], [2], [2, 4], [2, 3, 4], [1, 2, 3, 4]];

/** a · b on `fmt` bit patterns (UInt(fmt.width) each). */
export function fpMul(m: ModuleBuilder, name: string, fmt: FloatFormat, a: Expr, b: Expr, opts: FloatOpOptions = {}): FloatOpResult {
  for (const [n, e] of [['a', a], ['b', b]] as const) {
    if (e.width !== fmt.width || e.signed) throw new TypeError(`fpMul '${name}': operand ${n} must be UInt(${fmt.width}), got ${e.type}`);
  }
  const stages = opts.stages ?? 0;
  // cut points: 1 after unpack, 2 after the product, 3 after the leading-zero count, 4 after
  // normalization (rough delays: unpack | product | lzc | normalizing shift | round + select)
  const pipe = new Pipe(m, name, [2, Math.ceil(Math.log2(fmt.man + 1)) + 4, 4, 4, 5], stages, opts.enable, FP_MUL_CUTS);
  const fa = floatFields(fmt, a);
  const fb = floatFields(fmt, b);
  const xw = fmt.exp + 3;
  // biased exponent of the product's top bit (2^(2man+1)): ea + eb - bias + 1
  const x = fa.effExp.zext(xw).asSInt().add(fb.effExp.zext(xw).asSInt()).sub(fmt.bias - 1).trunc(xw);
  const nan = fa.isNaN.or(fb.isNaN).or(fa.isInf.and(fb.isZero)).or(fa.isZero.and(fb.isInf));
  const s1 = pipe.next({
    sign: m.wire(`${name}_sign`, fa.sign.xor(fb.sign)),
    x: m.wire(`${name}_exp_sum`, x),
    siga: m.wire(`${name}_siga`, fa.significand),
    sigb: m.wire(`${name}_sigb`, fb.significand),
    nan: m.wire(`${name}_nan`, nan),
    inf: m.wire(`${name}_inf`, fa.isInf.or(fb.isInf)),
    zero: m.wire(`${name}_zero`, fa.isZero.or(fb.isZero)),
  });
  const prod = m.wire(`${name}_prod`, s1.siga.mul(s1.sigb));
  // the normalization's stop mask depends on the exponent only: computed beside the product
  const stop = m.wire(`${name}_stop`, normStop(s1.x, prod.width));
  const s2 = pipe.next({ sign: s1.sign, x: s1.x, sig: prod, stop, nan: s1.nan, inf: s1.inf, zero: s1.zero });
  const result = roundAndSelect(m, name, fmt, pipe, { ...s2, sticky: lit(UInt(1), 0) }, { lzcCut: true });
  return { result, latency: stages };
}
