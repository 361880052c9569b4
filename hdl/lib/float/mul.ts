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
 * pack (normalize-round.ts) → special-case select. `stages` 0..FP_MUL_MAX_STAGES (3) registers
 * `<name>_p<k>_<field>` go to the cut points after unpack, after the product and inside roundPack
 * (between normalization and rounding), chosen to balance a rough delay estimate; all load when
 * `enable` is high. latency = stages.
 *
 * Also holds `Pipe`, the small pipeline-cut helper that div.ts uses too (not public API).
 */
import type { Expr } from '../../core/expr.ts';
import { lit, mux } from '../../core/expr.ts';
import type { ModuleBuilder } from '../../core/module-builder.ts';
import { UInt } from '../../core/types.ts';
import type { FloatFormat } from './format.ts';
import { roundPack } from './normalize-round.ts';
import { floatFields, infPattern, nanPattern, zeroPattern } from './unpack.ts';

export interface FloatOpOptions {
  /** Pipeline registers (0 = combinational); the maximum depends on the operator and format. */
  stages?: number;
  /** The pipeline registers load when this is high (default: every cycle). */
  enable?: Expr;
}

export interface FloatOpResult {
  /** The result bit pattern, UInt(fmt.width). */
  result: Expr;
  /** Clock cycles from operands to result (= stages). */
  latency: number;
}

/** @internal A bundle of named values travelling down a pipeline together. */
export type Bundle = Record<string, Expr>;

/**
 * @internal Pipeline cut points. `costs[i]` is a rough delay of the logic between cut i and cut
 * i+1 (costs.length = cuts + 1); the `stages` registers go to the cuts that best balance the
 * segments (the user's output register closes the last one).
 */
export class Pipe {
  private cut = 0;
  private readonly at: Map<number, number>;
  constructor(
    private readonly m: ModuleBuilder,
    private readonly name: string,
    costs: readonly number[],
    readonly stages: number,
    readonly enable?: Expr,
  ) {
    const cuts = costs.length - 1;
    if (!Number.isInteger(stages) || stages < 0 || stages > cuts) {
      throw new RangeError(`'${name}': stages must be 0..${cuts}, got ${stages}`);
    }
    this.at = new Map(placeCuts(costs, stages).map((c, k) => [c, k]));
  }

  /** Whether the next cut point holds a register. */
  nextIsRegistered(): boolean {
    return this.at.has(this.cut + 1);
  }

  /** The name prefix of the next cut's registers. */
  nextName(): string {
    return `${this.name}_p${this.at.get(this.cut + 1) ?? 'x'}`;
  }

  /** Passes a cut point: registers every non-constant value of `b` if a stage sits here. */
  next<T extends Bundle>(b: T): T {
    const prefix = this.nextName();
    this.cut++;
    if (!this.at.has(this.cut)) return b;
    const out: Bundle = {};
    for (const [key, v] of Object.entries(b)) {
      if (v.node.op === 'lit') {
        out[key] = v;
        continue;
      }
      const r = this.m.reg(`${prefix}_${key}`, v.type);
      if (this.enable) this.m.when(this.enable, () => r.set(v));
      else r.set(v);
      out[key] = r;
    }
    return out as T;
  }
}

/** @internal Cut indices (1-based, increasing) for `stages` registers balancing the segment costs. */
export function placeCuts(costs: readonly number[], stages: number): number[] {
  const cuts = costs.length - 1;
  const cum: number[] = [];
  let s = 0;
  for (let i = 0; i < cuts; i++) cum.push((s += costs[i]));
  const total = s + costs[cuts];
  const out: number[] = [];
  let prev = 0;
  for (let k = 1; k <= stages; k++) {
    const target = (k * total) / (stages + 1);
    let best = prev + 1;
    for (let c = prev + 1; c <= cuts - (stages - k); c++) {
      if (Math.abs(cum[c - 1] - target) < Math.abs(cum[best - 1] - target)) best = c;
    }
    out.push(best);
    prev = best;
  }
  return out;
}

/**
 * @internal The final stage shared by mul and div: roundPack (with its optional internal register
 * as the pipe's next cut) and the special-case select (NaN > Inf > zero > rounded).
 */
export function roundAndSelect(
  m: ModuleBuilder,
  name: string,
  fmt: FloatFormat,
  pipe: Pipe,
  v: { sign: Expr; x: Expr; sig: Expr; sticky?: Expr; nan: Expr; inf: Expr; zero: Expr },
): Expr {
  const regd = pipe.nextIsRegistered();
  const rp = roundPack(m, `${name}_rp`, fmt, { sign: v.sign, exp: v.x, sig: v.sig, sticky: v.sticky }, { stages: regd ? 1 : 0, enable: pipe.enable });
  const f = pipe.next({ sign: v.sign, nan: v.nan, inf: v.inf, zero: v.zero });
  return m.wire(`${name}_result`, mux(f.nan, nanPattern(fmt), mux(f.inf, infPattern(fmt, f.sign), mux(f.zero, zeroPattern(fmt, f.sign), rp.result))));
}

/** Largest `stages` value fpMul accepts. */
export const FP_MUL_MAX_STAGES = 3;

/** a · b on `fmt` bit patterns (UInt(fmt.width) each). */
export function fpMul(m: ModuleBuilder, name: string, fmt: FloatFormat, a: Expr, b: Expr, opts: FloatOpOptions = {}): FloatOpResult {
  for (const [n, e] of [['a', a], ['b', b]] as const) {
    if (e.width !== fmt.width || e.signed) throw new TypeError(`fpMul '${name}': operand ${n} must be UInt(${fmt.width}), got ${e.type}`);
  }
  const stages = opts.stages ?? 0;
  // rough delays: unpack | product | normalize (lzc + shift) | round + select
  const pipe = new Pipe(m, name, [2, Math.ceil(Math.log2(fmt.man + 1)) + 4, 8, 5], stages, opts.enable);
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
  const s2 = pipe.next({ sign: s1.sign, x: s1.x, sig: prod, nan: s1.nan, inf: s1.inf, zero: s1.zero });
  const result = roundAndSelect(m, name, fmt, pipe, { ...s2, sticky: lit(UInt(1), 0) });
  return { result, latency: stages };
}
