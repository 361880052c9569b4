/** Random well-typed expression trees over random inputs, for checking the emitter against eval.ts. */
import { Bool, Expr, HType, ModuleBuilder, cat, lit, mux, rep, type Module } from '../../hdl/index.ts';
import { Rng } from '../../data/rng.ts';
import { fire, streamIn, streamOut, type Fields } from '../../hdl/lib/index.ts';

export interface ExprFuzzDesign {
  module: Module;
  inputs: { name: string; type: HType }[];
  outputs: { name: string; expr: Expr }[];
}

export function randomExprDesign(seed: number, nOut: number): ExprFuzzDesign {
  const rng = new Rng(seed);
  const m = new ModuleBuilder(`fuzz_expr_${seed}`);
  const inTypes: Fields = {};
  const nIn = rng.int(2, 5);
  for (let i = 0; i < nIn; i++) inTypes[`x${i}`] = new HType(rng.pick([1, 2, 3, 5, 8, 13, 16, 31, 33, 64, 70]), rng.chance(0.5));
  const ins = streamIn(m, 'in', inTypes);
  const leaves = Object.values(ins.bits);

  const sameSign = (a: Expr, b: Expr) => (a.signed === b.signed ? b : b.signed ? b.asUInt() : b.asSInt());
  const fit = (a: Expr, b: Expr) => {
    const s = sameSign(a, b);
    return s.width === a.width ? s : s.width < a.width ? s.extend(a.width) : s.trunc(a.width);
  };
  const cap = (e: Expr) => (e.width > 150 ? e.trunc(rng.int(1, 150)) : e);
  const unsignedBits = (e: Expr, w: number) => {
    const u = e.asUInt();
    return u.width >= w ? u.trunc(w) : u.zext(w);
  };

  const gen = (depth: number): Expr => {
    if (depth === 0 || rng.chance(0.2)) {
      if (rng.chance(0.8)) return rng.pick(leaves);
      const t = new HType(rng.int(1, 40), rng.chance(0.5));
      return lit(t, rng.bigint(t.min, t.max));
    }
    const a = gen(depth - 1);
    const b = () => gen(depth - 1);
    switch (rng.int(0, 21)) {
      case 0: return cap(a.add(sameSign(a, b())));
      case 1: return cap(a.sub(sameSign(a, b())));
      case 2: return cap(a.mul(sameSign(a, b())));
      case 3: return a.addWrap(sameSign(a, b()));
      case 4: return a.subWrap(sameSign(a, b()));
      case 5: return a.mulWrap(sameSign(a, b()));
      case 6: return rng.pick([(x: Expr) => a.and(x), (x: Expr) => a.or(x), (x: Expr) => a.xor(x)])(fit(a, b()));
      case 7: return a.not();
      case 8: {
        const x = sameSign(a, b());
        return rng.pick([a.eq(x), a.ne(x), a.lt(x), a.le(x), a.gt(x), a.ge(x)]);
      }
      case 9: return cap(a.shl(rng.int(0, 5)));
      case 10: return cap(a.shl(unsignedBits(b(), rng.int(1, 3))));
      case 11: return a.width > 1 ? a.shr(rng.int(0, a.width - 1)) : a;
      case 12: return a.shr(unsignedBits(b(), rng.int(1, 4)));
      case 13: {
        const lo = rng.int(0, a.width - 1);
        return a.slice(rng.int(lo, a.width - 1), lo);
      }
      case 14: return a.bit(unsignedBits(b(), Math.max(1, Math.ceil(Math.log2(a.width)))));
      case 15: return cap(cat(a, b(), ...(rng.chance(0.3) ? [b()] : [])));
      case 16: return cap(rep(a, rng.int(1, 3)));
      case 17: return cap(a.extend(a.width + rng.int(0, 9)));
      case 18: return a.trunc(rng.int(1, a.width));
      case 19: return rng.chance(0.5) ? a.asSInt() : a.asUInt();
      case 20: return mux(b().orR(), a, fit(a, b()));
      default: return a.signed ? cap(a.neg()) : rng.pick([a.andR(), a.orR(), a.xorR()]);
    }
  };

  const outputs: { name: string; expr: Expr }[] = [];
  const outTypes: Fields = {};
  for (let i = 0; i < nOut; i++) {
    const e = gen(rng.int(1, 4));
    outputs.push({ name: `y${i}`, expr: e });
    outTypes[`y${i}`] = e.type.withSign(e.signed);
  }
  const out = streamOut(m, 'out', outTypes);
  // One register stage with backpressure: take a new input when the result slot is free or leaving.
  const full = m.reg('full', Bool, { reset: 0 });
  ins.ready.set(full.not().or(out.ready));
  const take = fire(ins);
  m.when(take, () => full.set(1)).elseWhen(out.ready, () => full.set(0));
  out.valid.set(full);
  for (const o of outputs) {
    const r = m.reg(`r_${o.name}`, outTypes[o.name]);
    m.when(take, () => r.set(o.expr));
    out.bits[o.name].set(r);
  }
  return { module: m.build(), inputs: Object.entries(inTypes).map(([name, type]) => ({ name, type })), outputs };
}
