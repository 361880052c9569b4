/**
 * Floating-point divide on fp16 / bf16 bit patterns: correctly rounded to nearest-even, subnormal
 * inputs and outputs kept, overflow to ±Inf, NaN results = canonicalNaN(fmt). Specials (IEEE 754):
 * NaN in → NaN; 0/0 = inf/inf = NaN; x/0 = ±Inf and inf/x = ±Inf; x/inf = ±0, 0/x = ±0; the
 * sign is the XOR of the operands' signs.
 *
 *   const { result, latency } = fpDiv(m, 'div', FP16, a, b, { stages: 4, enable: en });
 *
 * Datapath: unpack (unpack.ts) → leading-zero count of both significands (subnormal operands) →
 * normalise both to [1, 2) and form the biased exponent ea - eb + bias → radix-2 restoring digit
 * recurrence: man+3 quotient bits Q = floor(ma · 2^(man+2) / mb) (q = ma/mb ∈ (1/2, 2), so
 * there are always man+1 result bits, a guard bit and one more), one bit per iteration (named
 * wires `<name>_r<i>` remainder, `<name>_q<i>` quotient so far); the final remainder ≠ 0 is the
 * sticky bit → the shared normalize / round / pack (normalize-round.ts) → special-case select.
 *
 * Pipelining: `stages` 0..fpDivMaxStages(fmt) (fp16 16, bf16 13) registers `<name>_p<k>_<field>`
 * go to the cut points — after the leading-zero count, after the normalisation, after each
 * recurrence iteration, inside roundPack — chosen to balance a rough delay estimate (so with few
 * stages each stage holds several quotient bits; stages = max gives one bit per stage). All load
 * when `enable` is high. latency = stages. stages = 0 is a fully unrolled combinational array.
 */
import type { Expr } from '../../core/expr.ts';
import { cat, lit, mux } from '../../core/expr.ts';
import type { ModuleBuilder } from '../../core/module-builder.ts';
import { UInt } from '../../core/types.ts';
import type { FloatFormat } from './format.ts';
import { Pipe, roundAndSelect, type Bundle } from './pipe.ts';
import type { FloatOpOptions, FloatOpResult } from './op.ts';
import { leadingZeros } from './normalize-round.ts';
import { floatFields } from './unpack.ts';
import { opStages } from './presets.ts';

/** Rough delays: lzc | normalise | man+3 iterations | roundPack normalise | round + select. */
function divCosts(fmt: FloatFormat): number[] {
  return [4, 4, ...Array.from({ length: fmt.man + 3 }, () => 3), 7, 5];
}

/** Largest `stages` value fpDiv accepts for a format (fp16: 16, bf16: 13). */
export function fpDivMaxStages(fmt: FloatFormat): number {
  return divCosts(fmt).length - 1;
}

/** a / b on `fmt` bit patterns (UInt(fmt.width) each). */
export function fpDiv(m: ModuleBuilder, name: string, fmt: FloatFormat, a: Expr, b: Expr, opts: FloatOpOptions = {}): FloatOpResult {
  for (const [n, e] of [['a', a], ['b', b]] as const) {
    if (e.width !== fmt.width || e.signed) throw new TypeError(`fpDiv '${name}': operand ${n} must be UInt(${fmt.width}), got ${e.type}`);
  }
  const stages = opStages('div', fmt, opts);
  const pipe = new Pipe(m, name, divCosts(fmt), stages, opts.enable);
  const p = fmt.man + 1; // significand bits
  const fa = floatFields(fmt, a);
  const fb = floatFields(fmt, b);
  const nan = fa.isNaN.or(fb.isNaN).or(fa.isZero.and(fb.isZero)).or(fa.isInf.and(fb.isInf));
  const s1 = pipe.next({
    sign: m.wire(`${name}_sign`, fa.sign.xor(fb.sign)),
    siga: m.wire(`${name}_siga`, fa.significand),
    sigb: m.wire(`${name}_sigb`, fb.significand),
    ea: m.wire(`${name}_ea`, fa.effExp),
    eb: m.wire(`${name}_eb`, fb.effExp),
    lza: m.wire(`${name}_lza`, leadingZeros(fa.significand)),
    lzb: m.wire(`${name}_lzb`, leadingZeros(fb.significand)),
    nan: m.wire(`${name}_nan`, nan),
    inf: m.wire(`${name}_inf`, fa.isInf.or(fb.isZero)),
    zero: m.wire(`${name}_zero`, fa.isZero.or(fb.isInf)),
  });
  // normalise to [1, 2): the significands' top bits set (for nonzero operands)
  const xw = fmt.exp + 3;
  const sx = (e: Expr) => e.zext(xw).asSInt();
  const x = sx(s1.ea).sub(sx(s1.lza)).sub(sx(s1.eb).sub(sx(s1.lzb))).add(fmt.bias).trunc(xw);
  const s2 = pipe.next({
    sign: s1.sign,
    x: m.wire(`${name}_exp_diff`, x),
    r: m.wire(`${name}_r0`, s1.siga.shl(s1.lza).trunc(p).zext(p + 1)), // remainder, p+1 bits (< 2·divisor)
    d: m.wire(`${name}_divisor`, s1.sigb.shl(s1.lzb).trunc(p)),
    nan: s1.nan,
    inf: s1.inf,
    zero: s1.zero,
  });
  // restoring recurrence: bit i has weight 2^-i (i = 0..man+2)
  let st: Bundle = s2;
  const nBits = fmt.man + 3;
  for (let i = 0; i < nBits; i++) {
    const diff = st.r.sub(st.d.zext(p + 1)); // p+2 bits; top bit set when r < d
    const qb = diff.bit(p + 1).not();
    const rem = m.wire(`${name}_rem${i}`, mux(qb, diff.trunc(p), st.r.trunc(p))); // < d
    const q = m.wire(`${name}_q${i}`, i === 0 ? qb : cat(st.q, qb));
    const { r: _r, q: _q, d, ...keep } = st;
    void _r; void _q;
    if (i < nBits - 1) st = pipe.next({ ...keep, d, r: m.wire(`${name}_r${i + 1}`, cat(rem, lit(UInt(1), 0))), q });
    else st = pipe.next({ ...keep, q, sticky: m.wire(`${name}_rem_nz`, rem.orR()) });
  }
  const result = roundAndSelect(m, name, fmt, pipe, { sign: st.sign, x: st.x, sig: st.q, sticky: st.sticky, nan: st.nan, inf: st.inf, zero: st.zero });
  return { result, latency: stages };
}
