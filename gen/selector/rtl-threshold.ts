/**
 * Streaming threshold core (README "Threshold mode"; capK = 0 or capPolicy "first"): every row
 * beat of stage B is decided in the cycle it is taken, keep_i = lane valid && (n <= k || s_i > theta),
 * capped to the first capK survivors of the row, and goes to the gearbox at one beat per cycle.
 */
import { Bool, UInt, bitsFor, lit, mux, type Expr, type ModuleBuilder } from '../../hdl/index.ts';
import { selectorWidths, type SelectorConfig } from './config.ts';
import type { FrontBeat } from './rtl-front.ts';
import type { LaneBeat } from './rtl-gearbox.ts';
import type { SummaryIn } from './rtl-summary.ts';
import { fit, popcount, prefixCounts } from './rtl-fit.ts';

export function thresholdStreamCore(m: ModuleBuilder, cfg: SelectorConfig, fe: FrontBeat, sumFree: Expr): { lanes: LaneBeat; connect: (ready: Expr) => SummaryIn } {
  const w = selectorWidths(cfg);
  const P = cfg.lanes;
  const PW = bitsFor(P);
  const surv = fe.scores.map((s, i) => m.wire(`th_surv_${i}`, fe.laneValid[i].and(fe.keepAll.or(s.sext(w.TW).gt(fe.theta)))));
  const seen = m.reg('th_seen', UInt(w.LW), { reset: 0 }); // survivors in earlier beats of the row
  const beatSurv = m.wire('th_beat_surv', popcount(surv, PW));
  const total = m.wire('th_total', fit(seen.zext(w.LW + 1).addWrap(fit(beatSurv, w.LW + 1)), w.LW)); // beatSurv <= N (valid lanes): fit, P may exceed 2N
  let keep: Expr[] = surv;
  if (cfg.capK > 0) {
    const pre = prefixCounts(surv, PW);
    keep = surv.map((s, i) => m.wire(`th_keep_${i}`, s.and(seen.add(pre[i]).lt(cfg.capK))));
  }
  const lanes: LaneBeat = { valid: fe.valid.and(fe.last.not().or(sumFree)), idx: fe.idx, score: fe.scores, keep, end: fe.last };
  return {
    lanes,
    connect(ready) {
      fe.ready.set(ready.and(fe.last.not().or(sumFree)));
      const take = m.wire('th_take', fe.valid.and(fe.ready));
      m.when(take, () => seen.set(mux(fe.last, lit(UInt(w.LW), 0), total)));
      const over = cfg.capK > 0 ? total.gt(cfg.capK) : lit(Bool, 0);
      const kept = cfg.capK > 0 ? mux(over, lit(UInt(w.LW), cfg.capK), total) : total;
      return {
        push: take.and(fe.last),
        kept: m.wire('th_kept', kept),
        pruned: m.wire('th_pruned', fe.len.subWrap(kept)),
        max: fe.rowMax,
        overflow: m.wire('th_overflow', over),
      };
    },
  };
}
