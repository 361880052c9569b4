/**
 * Temporal helpers for formal properties (`m.assert` / `m.assume` / `m.cover`): `past`, `stable`,
 * `rose`, `fell`, `pastValid`. The registers they create are formal-only (`m.formalReg`): they exist
 * only inside `` `ifdef FORMAL `` and never in the synthesised design. Their names start with `fv_`.
 *
 * History starts after reset: `pastValid(m)` is low in the first cycle after a reset cycle (and in
 * reset), high afterwards. `stable`, `rose` and `fell` are written so that they do not fire without
 * history (`stable` is true, `rose`/`fell` false in that first cycle); `past(x, n)` is the raw value
 * n cycles ago, meaningful only when `pastValid(m, n)` holds.
 */
import { Bool } from '../core/types.ts';
import { Expr, Var } from '../core/expr.ts';
import type { ModuleBuilder } from '../core/module-builder.ts';

interface History {
  valid: Var[];
  past: Map<Expr, Var[]>;
  bySignal: Map<string, Var[]>;
  count: number;
}
const histories = new WeakMap<ModuleBuilder, History>();

function historyOf(m: ModuleBuilder): History {
  let h = histories.get(m);
  if (!h) histories.set(m, (h = { valid: [], past: new Map(), bySignal: new Map(), count: 0 }));
  return h;
}

/** High when the previous `n` cycles were out of reset (so `past(x, k)` for k ≤ n is defined). */
export function pastValid(m: ModuleBuilder, n = 1): Expr {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`pastValid: n must be an integer >= 1, got ${n}`);
  const h = historyOf(m);
  while (h.valid.length < n) {
    const k = h.valid.length + 1;
    const r = m.formalReg(k === 1 ? 'fv_past_valid' : `fv_past_valid_${k}`, Bool, { reset: 0 });
    r.set(k === 1 ? 1 : h.valid[k - 2]);
    h.valid.push(r);
  }
  return h.valid[n - 1];
}

/** The value `x` had `n` cycles ago (a chain of formal-only registers, shared between calls). */
export function past(m: ModuleBuilder, x: Expr, n = 1): Expr {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`past: n must be an integer >= 1, got ${n}`);
  const h = historyOf(m);
  const key = x.node.op === 'ref' ? x.node.sig.name : null;
  let chain = key ? h.bySignal.get(key) : h.past.get(x);
  if (!chain) {
    chain = [];
    if (key) h.bySignal.set(key, chain);
    else h.past.set(x, chain);
  }
  const base = key ?? `e${h.count++}`;
  while (chain.length < n) {
    const k = chain.length + 1;
    const r = m.formalReg(`fv_${base}_past${k}`, x.type);
    r.set(k === 1 ? x : chain[k - 2]);
    chain.push(r);
  }
  return chain[n - 1];
}

/** `x` equals its value in the previous cycle (true in the first cycle after reset). */
export function stable(m: ModuleBuilder, x: Expr): Expr {
  return pastValid(m).not().or(x.eq(past(m, x)));
}

/** `x` (1 bit) went from 0 to 1 on this cycle. */
export function rose(m: ModuleBuilder, x: Expr): Expr {
  return pastValid(m).and(past(m, x).not()).and(x);
}

/** `x` (1 bit) went from 1 to 0 on this cycle. */
export function fell(m: ModuleBuilder, x: Expr): Expr {
  return pastValid(m).and(past(m, x)).and(x.not());
}

/** `a` implies `b` (both 1 bit). */
export function implies(a: Expr, b: Expr): Expr {
  return a.not().or(b);
}
