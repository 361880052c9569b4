/**
 * The row summary register and the `sum` stream (README "Outputs"): one record per row.
 *
 * `lateMax` (the streaming threshold core, whose row maximum is pipelined): the row's `max` is
 * valid in the cycle after its push, so a push first lands in a pending stage (kept, pruned,
 * overflow) and moves to the `sum` register with the maximum one cycle later or whenever `sum`
 * frees (the maximum is kept in the pending stage meanwhile). One push per cycle is still taken
 * while `sum` is ready.
 */
import { Bool, SInt, UInt, mux, type Expr, type ModuleBuilder } from '../../hdl/index.ts';
import { streamOut } from '../../hdl/lib/index.ts';
import { selectorWidths, type SelectorConfig } from './config.ts';

export interface SummaryIn {
  /** a row's summary is pushed this cycle (only when `free`) */
  push: Expr;
  kept: Expr;
  pruned: Expr;
  /** the row maximum: in the push cycle, or (`lateMax`) in the cycle after it */
  max: Expr;
  overflow: Expr;
}

/** The summary register: `free` = a push is taken this cycle; `connect` gives it its inputs. */
export interface Summary {
  free: Expr;
  connect: (s: SummaryIn) => void;
}

/** Builds the summary register and the `sum` stream. */
export function summary(m: ModuleBuilder, cfg: SelectorConfig, opts: { lateMax?: boolean } = {}): Summary {
  const w = selectorWidths(cfg);
  const sum = streamOut(m, 'sum', { kept: UInt(w.LW), pruned: UInt(w.LW), max: SInt(w.W), overflow: Bool });
  const valid = m.reg('sum_valid_r', Bool, { reset: 0 });
  const kept = m.reg('sum_kept_r', UInt(w.LW));
  const pruned = m.reg('sum_pruned_r', UInt(w.LW));
  const max = m.reg('sum_max_r', SInt(w.W));
  const ovf = m.reg('sum_overflow_r', Bool);
  const outFree = m.wire('sum_free', valid.not().or(sum.ready));
  sum.valid.set(valid);
  sum.bits.kept.set(kept);
  sum.bits.pruned.set(pruned);
  sum.bits.max.set(max);
  sum.bits.overflow.set(ovf);
  if (!opts.lateMax) {
    return {
      free: outFree,
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
  // pending stage: the pushed record waits here for its maximum (one cycle) or for `sum` to free
  const pValid = m.reg('sum_pend_valid', Bool, { reset: 0 });
  const pKept = m.reg('sum_pend_kept', UInt(w.LW));
  const pPruned = m.reg('sum_pend_pruned', UInt(w.LW));
  const pOvf = m.reg('sum_pend_overflow', Bool);
  const pMax = m.reg('sum_pend_max', SInt(w.W));
  const pMaxOk = m.reg('sum_pend_max_ok', Bool, { reset: 0 }); // pMax holds the row's maximum
  const move = m.wire('sum_pend_move', pValid.and(outFree));
  return {
    free: m.wire('sum_push_free', pValid.not().or(outFree)),
    connect(s) {
      const maxNow = m.wire('sum_pend_max_now', mux(pMaxOk, pMax, s.max));
      m.when(move, () => {
        valid.set(1);
        kept.set(pKept);
        pruned.set(pPruned);
        max.set(maxNow);
        ovf.set(pOvf);
      }).elseWhen(sum.ready, () => valid.set(0));
      // a push is taken only when the pending stage is empty or moves on (free)
      m.when(s.push, () => {
        pValid.set(1);
        pKept.set(s.kept);
        pPruned.set(s.pruned);
        pOvf.set(s.overflow);
        pMaxOk.set(0);
      }).elseWhen(move, () => pValid.set(0))
        .elseWhen(pValid.and(pMaxOk.not()), () => {
          pMax.set(s.max);
          pMaxOk.set(1);
        });
    },
  };
}
