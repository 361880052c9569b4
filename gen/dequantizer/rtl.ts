/** dequantizer RTL: x̂ = fl(fl(float(q) · scale) + mn) on P lanes per cycle (see README.md for ports and timing). */
import { Bool, ModuleBuilder, UInt, lit, moduleName, mux, vecOf, type Expr, type Module } from '../../hdl/index.ts';
import { skidBuffer, streamIn, streamOut } from '../../hdl/lib/index.ts';
import { fpFromUInt } from '../../hdl/lib/float/from-uint.ts';
import { fpMul } from '../../hdl/lib/float/mul.ts';
import { fpAdd } from '../../hdl/lib/float/add.ts';
import { formatOf, stageSplit, type DequantizerConfig } from './config.ts';

export function dequantizerRtl(cfg: DequantizerConfig): Module {
  const f = formatOf(cfg);
  const { lanes: P, bits: b, stages } = cfg;
  const split = stageSplit(stages);
  const pat = UInt(f.width);
  const m = new ModuleBuilder(moduleName(`kv_dequant_${cfg.format}`, { b, p: P, s: stages }), {
    params: { format: cfg.format, bits: b, lanes: P, stages },
    doc: `KIVI dequantization: x = fl(fl(q * scale) + min) in ${cfg.format}, ${P} lanes of ${b}-bit codes`,
  });
  const inp = streamIn(m, 'in', { codes: UInt(b).vec(P), scale: pat, min: pat, last: Bool });
  const out = streamOut(m, 'out', { values: pat.vec(P), last: Bool });
  const beat = skidBuffer(m, 'in_skid', inp);

  // The whole pipeline advances together unless a finished result is waiting for the consumer.
  const resValid = m.reg('res_valid', Bool, { reset: 0 });
  const advance = m.wire('advance', resValid.not().or(out.ready));
  beat.ready.set(advance);

  // valid / last / min travel beside the float operators' pipeline registers.
  const delay = (name: string, x: Expr, n: number, reset?: number): Expr => {
    let v = x;
    for (let k = 1; k <= n; k++) {
      const r = m.reg(`${name}_${k}`, x.type, reset === undefined ? {} : { reset });
      const prev = v;
      m.when(advance, () => r.set(prev));
      v = r;
    }
    return v;
  };

  // x̂ depends on the code only through q: with fewer possible codes than lanes (2^b < P) the unit
  // computes the 2^b values of the beat's table once and each lane selects its entry (a 2^b:1
  // mux behind the adders); otherwise one multiplier and one adder per lane.
  const shared = (1 << b) < P;
  const operands = shared ? Array.from({ length: 1 << b }, (_, j) => lit(UInt(b), j)) : beat.bits.codes.lanesOf();
  const mn = delay('pipe_min', beat.bits.min, split.mul + split.mid);
  const sums = operands.map((q, i) => {
    const tag = shared ? `t${i}` : `${i}`;
    const c = fpFromUInt(m, `code_f${tag}`, f, q); // exact: q < 2^8
    const p = fpMul(m, `mul${tag}`, f, c, beat.bits.scale, { stages: split.mul, enable: advance });
    const prod = delay(`prod${tag}`, p.result, split.mid); // the register between the operators
    const s = fpAdd(m, `add${tag}`, f, prod, mn, { stages: split.add, enable: advance });
    return s.result;
  });
  let results = sums;
  if (shared) {
    const table = sums.map((v, j) => m.wire(`table_${j}`, v));
    const codes = delay('pipe_codes', beat.bits.codes, stages).lanesOf();
    results = codes.map((q, i) => {
      let level: Expr[] = table;
      for (let k = 0; k < b; k++) level = Array.from({ length: level.length / 2 }, (_, j) => mux(q.bit(k), level[2 * j + 1], level[2 * j]));
      return m.wire(`lane_${i}`, level[0]);
    });
  }
  const valid = delay('pipe_valid', beat.valid, stages, 0);
  const last = delay('pipe_last', beat.bits.last, stages);

  const resValues = m.reg('res_values', pat.vec(P));
  const resLast = m.reg('res_last', Bool);
  m.when(advance, () => {
    resValid.set(valid);
    resLast.set(last);
    resValues.set(vecOf(results));
  });

  out.valid.set(resValid);
  out.bits.values.set(resValues);
  out.bits.last.set(resLast);
  return m.build();
}
