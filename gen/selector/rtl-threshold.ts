/**
 * Streaming threshold core (README "Threshold mode"; capK = 0 or capPolicy "first"): every row
 * beat of stage B is decided in the cycle it is taken, keep_i = lane valid && (n <= k || s_i > theta),
 * capped to the first capK survivors of the row, and goes to the gearbox at one beat per cycle.
 *
 * The row maximum is pipelined (timing): the beat's masked scores are reduced to at most two
 * partial maxima, registered, and folded into the row's running maximum one cycle later, so the
 * maximum of a row is ready in the cycle after its last beat is taken: the summary is built with
 * `lateMax` (rtl-summary.ts).
 */
import { Bool, SInt, UInt, bitsFor, lit, maxOf, mux, type Expr, type ModuleBuilder, type Var } from '../../hdl/index.ts';
import { maxOp, reduceTree, treeLevels } from '../../hdl/lib/index.ts';
import { selectorWidths, type SelectorConfig } from './config.ts';
import type { FrontBeat } from './rtl-front.ts';
import type { LaneBeat } from './rtl-gearbox.ts';
import type { SummaryIn } from './rtl-summary.ts';
import { fit, popcount, prefixCounts } from './rtl-fit.ts';
import { compactShiftBits, prefixCountsLog } from './rtl-compact.ts';

export function thresholdStreamCore(m: ModuleBuilder, cfg: SelectorConfig, fe: FrontBeat, sumFree: Expr): { lanes: LaneBeat; connect: (ready: Expr) => SummaryIn } {
  const P = cfg.lanes;
  const count = beatSurvivors(m, cfg, fe);
  const { keep } = count;
  // the decided beat waits in a lane register before the output network (timing: the threshold
  // compare and the compaction shifter are in different cycles); it takes a beat whenever it is
  // empty or its beat moves on
  const lValid = m.reg('th_lane_valid', Bool, { reset: 0 });
  const lEnd = m.reg('th_lane_end', Bool);
  const lIdx = fe.idx.map((x, i) => m.reg(`th_lane_idx_${i}`, x.type));
  const lScore = fe.scores.map((x, i) => m.reg(`th_lane_score_${i}`, x.type));
  const lKeep = keep.map((_, i) => m.reg(`th_lane_keep_${i}`, Bool));
  // the compaction's shift amounts (dropped lanes before each lane) are counted here and registered
  // with the beat (P <= P_out: the packer takes them)
  const DW = compactShiftBits(P);
  const dropped = DW > 0 && P <= cfg.outLanes ? prefixCountsLog(m, 'th_drop', keep.map((k) => k.not()), DW) : null;
  const lDropped = dropped ? dropped.map((d, i) => m.reg(`th_lane_drop_${i}`, d.type)) : null;
  const lanes: LaneBeat = { valid: lValid, idx: lIdx, score: lScore, keep: lKeep, end: lEnd, ...(lDropped ? { dropped: lDropped } : {}), ...(cfg.stages >= 2 ? { fillAhead: true } : {}) };
  return {
    lanes,
    connect(ready) {
      const lFree = m.wire('th_lane_free', lValid.not().or(ready));
      fe.ready.set(lFree.and(fe.last.not().or(sumFree)));
      m.when(lFree, () => lValid.set(fe.valid.and(fe.ready)));
      m.when(fe.valid.and(fe.ready), () => {
        lEnd.set(fe.last);
        for (let i = 0; i < P; i++) {
          lIdx[i].set(fe.idx[i]);
          lScore[i].set(fe.scores[i]);
          lKeep[i].set(keep[i]);
          if (dropped && lDropped) lDropped[i].set(dropped[i]);
        }
      });
      const take = m.wire('th_take', fe.valid.and(fe.ready));
      return rowSummary(m, cfg, fe, count, take, () => (cfg.stages >= 2 ? rowMaxLateFast : rowMaxLate)(m, cfg, fe, take));
    },
  };
}

interface SurvivorCount {
  /** keep_i: lane i survives (valid and above θ, or the row keeps all), capped to the first capK of the row */
  keep: Expr[];
  /** survivors in earlier beats of the row (a register) */
  seen: Var;
  /** seen + this beat's survivors */
  total: Expr;
}

/** The survivors of the front end's beat and the row's running survivor count. */
function beatSurvivors(m: ModuleBuilder, cfg: SelectorConfig, fe: FrontBeat): SurvivorCount {
  const w = selectorWidths(cfg);
  const PW = bitsFor(cfg.lanes);
  const surv = fe.scores.map((s, i) => m.wire(`th_surv_${i}`, fe.laneValid[i].and(fe.keepAll.or(s.sext(w.TW).gt(fe.theta)))));
  const seen = m.reg('th_seen', UInt(w.LW), { reset: 0 });
  const beatSurv = m.wire('th_beat_surv', popcount(surv, PW));
  const total = m.wire('th_total', fit(seen.zext(w.LW + 1).addWrap(fit(beatSurv, w.LW + 1)), w.LW)); // beatSurv <= N (valid lanes): fit, P may exceed 2N
  if (cfg.capK === 0) return { keep: surv, seen, total };
  const pre = prefixCounts(surv, PW);
  return { keep: surv.map((s, i) => m.wire(`th_keep_${i}`, s.and(seen.add(pre[i]).lt(cfg.capK)))), seen, total };
}

/**
 * The summary record's inputs (pushed with the row's last taken beat): kept = the row's survivors
 * capped to capK, pruned, the row maximum from `rowMax` and the overflow flag. Advances the running
 * survivor count on `take` (reset at the row's last beat).
 */
function rowSummary(m: ModuleBuilder, cfg: SelectorConfig, fe: FrontBeat, count: SurvivorCount, take: Expr, rowMax: () => Expr): SummaryIn {
  const w = selectorWidths(cfg);
  const { seen, total } = count;
  m.when(take, () => seen.set(mux(fe.last, lit(UInt(w.LW), 0), total)));
  const max = rowMax();
  const over = cfg.capK > 0 ? total.gt(cfg.capK) : lit(Bool, 0);
  const kept = cfg.capK > 0 ? mux(over, lit(UInt(w.LW), cfg.capK), total) : total;
  return {
    push: take.and(fe.last),
    kept: m.wire('th_kept', kept),
    pruned: m.wire('th_pruned', fe.len.subWrap(kept)),
    max,
    overflow: m.wire('th_overflow', over),
  };
}

/**
 * The row maximum one cycle late: stage B reduces the masked lanes to ⌈P/2^(L−1)⌉ ≤ 2 partial
 * maxima (L = ⌈log2 P⌉ tree levels; P = 1: the score itself), registered on `take`; the next cycle
 * folds them into the running maximum. The returned expression is the maximum of the row whose last
 * beat was taken in the previous cycle (valid in that cycle only).
 */
function rowMaxLate(m: ModuleBuilder, cfg: SelectorConfig, fe: FrontBeat, take: Expr): Expr {
  const W = cfg.scoreBits;
  const P = cfg.lanes;
  const MIN = lit(SInt(W), -(2 ** (W - 1)));
  const chunk = 1 << Math.max(0, treeLevels(P) - 1);
  const masked = fe.scores.map((s, i) => (P === 1 ? s : m.wire(`th_masked_${i}`, mux(fe.laneValid[i], s, MIN))));
  const parts: Expr[] = [];
  for (let g = 0; g * chunk < P; g++) {
    const part = reduceTree(m, `th_beat_max_${g}`, masked.slice(g * chunk, (g + 1) * chunk), maxOp).result;
    const r = m.reg(`th_max_part_${g}`, SInt(W));
    m.when(take, () => r.set(part));
    parts.push(r);
  }
  const partsValid = m.reg('th_max_valid', Bool, { reset: 0 });
  const partsLast = m.reg('th_max_last', Bool, { reset: 0 });
  partsValid.set(take);
  partsLast.set(take.and(fe.last));
  const acc = m.reg('th_row_max', SInt(W), { reset: -(2 ** (W - 1)) }); // earlier beats of the row
  const now = m.wire('th_row_max_now', maxOf(acc, parts.reduce((a, b) => maxOf(a, b))));
  m.when(partsValid, () => acc.set(mux(partsLast, MIN, now)));
  return now;
}

/**
 * The streaming threshold core with `stages` 0 (`pipeline: "area"`; the design before issue 19):
 * no lane register (the decided beat goes straight into the output network, so the θ compare and
 * the compaction shifter are in one cycle) and the row maximum of the front end (`fe.rowMax`, the
 * beat's whole maximum tree and the fold in the decide cycle): fewer registers, deeper logic. The
 * summary is built without `lateMax`.
 */
export function thresholdCombCore(m: ModuleBuilder, cfg: SelectorConfig, fe: FrontBeat, sumFree: Expr): { lanes: LaneBeat; connect: (ready: Expr) => SummaryIn } {
  const count = beatSurvivors(m, cfg, fe);
  const { keep } = count;
  const beatOk = fe.last.not().or(sumFree);
  const lanes: LaneBeat = { valid: m.wire('th_beat_valid', fe.valid.and(beatOk)), idx: fe.idx, score: fe.scores, keep, end: fe.last };
  return {
    lanes,
    connect(ready) {
      fe.ready.set(ready.and(beatOk));
      const take = m.wire('th_take', fe.valid.and(fe.ready));
      return rowSummary(m, cfg, fe, count, take, () => fe.rowMax);
    },
  };
}

/**
 * rowMaxLate for `stages` 2 (`pipeline: "fast"`): the same partial maxima, registered on `take`, and
 * the same timing (the row maximum in the cycle after the row's last beat), but with shallower logic
 * on both sides of the register: stage B's trees carry a valid bit beside each score instead of
 * masking invalid lanes to the minimum first, and the fold compares the running maximum with each
 * partial and the partials with each other in parallel (three comparators side by side, then one
 * selection) instead of max(acc, max(p0, p1)) in series.
 */
function rowMaxLateFast(m: ModuleBuilder, cfg: SelectorConfig, fe: FrontBeat, take: Expr): Expr {
  const W = cfg.scoreBits;
  const P = cfg.lanes;
  const MIN = lit(SInt(W), -(2 ** (W - 1)));
  const chunk = 1 << Math.max(0, treeLevels(P) - 1);
  type VS = { v: Expr; s: Expr };
  // b wins when it is valid and a is not, or both are and b > a (ties keep a: the value is the same)
  const best = (a: VS, b: VS): VS => {
    const pickB = b.v.and(a.v.not().or(b.s.gt(a.s)));
    return { v: a.v.or(b.v), s: mux(pickB, b.s, a.s) };
  };
  const parts: VS[] = [];
  for (let g = 0; g * chunk < P; g++) {
    let row: VS[] = fe.scores.slice(g * chunk, (g + 1) * chunk).map((s, j) => ({ v: fe.laneValid[g * chunk + j], s }));
    for (let level = 1; row.length > 1; level++) {
      const next: VS[] = [];
      for (let i = 0; i < row.length; i += 2) next.push(i + 1 < row.length ? best(row[i], row[i + 1]) : row[i]);
      row = next.map((x, i) => ({ v: m.wire(`th_beat_max_${g}_l${level}_${i}_v`, x.v), s: m.wire(`th_beat_max_${g}_l${level}_${i}`, x.s) }));
    }
    const rv = m.reg(`th_max_part_${g}_v`, Bool);
    const rs = m.reg(`th_max_part_${g}`, SInt(W));
    m.when(take, () => {
      rv.set(row[0].v);
      rs.set(row[0].s);
    });
    parts.push({ v: rv, s: rs });
  }
  const partsValid = m.reg('th_max_valid', Bool, { reset: 0 });
  const partsLast = m.reg('th_max_last', Bool, { reset: 0 });
  partsValid.set(take);
  partsLast.set(take.and(fe.last));
  const acc = m.reg('th_row_max', SInt(W), { reset: -(2 ** (W - 1)) }); // earlier beats of the row
  // a partial beats acc when valid and greater; with two partials the larger valid one is taken
  const beats = parts.map((p, g) => m.wire(`th_max_beats_${g}`, p.v.and(p.s.gt(acc))));
  let now: Expr;
  if (parts.length === 1) now = mux(beats[0], parts[0].s, acc);
  else {
    const second = m.wire('th_max_second', parts[1].v.and(parts[0].v.not().or(parts[1].s.gt(parts[0].s))));
    now = mux(beats[0].or(beats[1]), mux(second, parts[1].s, parts[0].s), acc);
  }
  const nowW = m.wire('th_row_max_now', now);
  m.when(partsValid, () => acc.set(mux(partsLast, MIN, nowW)));
  return nowW;
}
