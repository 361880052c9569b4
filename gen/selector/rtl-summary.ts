/** The row summary register and the `sum` stream (README "Outputs"): one record per row. */
import { Bool, SInt, UInt, type Expr, type ModuleBuilder } from '../../hdl/index.ts';
import { streamOut } from '../../hdl/lib/index.ts';
import { selectorWidths, type SelectorConfig } from './config.ts';

export interface SummaryIn {
  /** a row's summary is pushed this cycle (only when `free`) */
  push: Expr;
  kept: Expr;
  pruned: Expr;
  max: Expr;
  overflow: Expr;
}

/** The summary register: `free` = a push is taken this cycle; `connect` gives it its inputs. */
export interface Summary {
  free: Expr;
  connect: (s: SummaryIn) => void;
}

/** Builds the summary register and the `sum` stream. */
export function summary(m: ModuleBuilder, cfg: SelectorConfig): Summary {
  const w = selectorWidths(cfg);
  const sum = streamOut(m, 'sum', { kept: UInt(w.LW), pruned: UInt(w.LW), max: SInt(w.W), overflow: Bool });
  const valid = m.reg('sum_valid_r', Bool, { reset: 0 });
  const kept = m.reg('sum_kept_r', UInt(w.LW));
  const pruned = m.reg('sum_pruned_r', UInt(w.LW));
  const max = m.reg('sum_max_r', SInt(w.W));
  const ovf = m.reg('sum_overflow_r', Bool);
  const free = m.wire('sum_free', valid.not().or(sum.ready));
  sum.valid.set(valid);
  sum.bits.kept.set(kept);
  sum.bits.pruned.set(pruned);
  sum.bits.max.set(max);
  sum.bits.overflow.set(ovf);
  return {
    free,
    connect(s) {
      m.when(s.push, () => {
        valid.set(1);
        kept.set(s.kept);
        pruned.set(s.pruned);
        max.set(s.max);
        ovf.set(s.overflow);
      }).elseWhen(sum.ready, () => valid.set(0));
    },
  };
}
