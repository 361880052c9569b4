/** A wrapping counter 0..max with enable and synchronous clear. */
import { UInt, bitsFor } from '../core/types.ts';
import { mux, type Expr, type Var } from '../core/expr.ts';
import type { ModuleBuilder } from '../core/module-builder.ts';

export interface CounterOptions {
  /** Largest value; the counter wraps to 0 after it. */
  max: number;
  /** Count when high (default: every cycle). */
  enable?: Expr;
  /** Return to 0 when high (has priority over enable). */
  clear?: Expr;
}

export interface Counter {
  value: Var;
  /** High on a counting cycle at `max` (the cycle it wraps to 0). */
  wrap: Expr;
}

export function counter(m: ModuleBuilder, name: string, opts: CounterOptions): Counter {
  if (!Number.isInteger(opts.max) || opts.max < 1) throw new RangeError(`counter '${name}': max must be an integer >= 1, got ${opts.max}`);
  const value = m.reg(name, UInt(bitsFor(opts.max)), { reset: 0 });
  const atMax = value.eq(opts.max);
  const wrap = m.wire(`${name}_wrap`, opts.enable ? opts.enable.and(atMax) : atMax);
  const next = opts.max === 2 ** value.width - 1 ? value.addWrap(1) : mux(atMax, 0, value.addWrap(1));
  const count = () => value.set(next);
  if (opts.clear) {
    const w = m.when(opts.clear, () => value.set(0));
    if (opts.enable) w.elseWhen(opts.enable, count);
    else w.otherwise(count);
  } else if (opts.enable) {
    m.when(opts.enable, count);
  } else {
    count();
  }
  return { value, wrap };
}
