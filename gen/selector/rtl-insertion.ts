/**
 * Top-k insertion core (README "Micro-architectures", arch "insertion"): a k-entry array that holds
 * the best k scores seen so far in index order. A lane of the stage-B beat is a candidate while it is
 * valid and, once the array is full, above the array's minimum; candidates are inserted one per
 * cycle in lane order (a beat without candidates takes one cycle, so rows whose late scores rarely
 * beat the current k-th best approach P scores per cycle). Insertion: while fewer than k are held
 * the score is appended; otherwise the array's minimum (ties: the highest index, i.e. the right-most
 * of equal minima) is evicted when the new score is strictly greater (equal scores keep the lower
 * index), the entries after it shift left and the new score is appended. Skipping a non-candidate
 * is exact: the minimum only grows, so it could never be inserted later in the row. At the row's
 * end the array is drained P entries per beat into the gearbox; the next row waits for the drain.
 */
import { Bool, SInt, UInt, bitsFor, catList, lit, log2Ceil, mux, type Expr, type ModuleBuilder } from '../../hdl/index.ts';
import { selectorWidths, type SelectorConfig } from './config.ts';
import type { FrontBeat } from './rtl-front.ts';
import type { LaneBeat } from './rtl-gearbox.ts';
import type { SummaryIn } from './rtl-summary.ts';
import { fit } from './rtl-fit.ts';

export function insertionCore(m: ModuleBuilder, cfg: SelectorConfig, fe: FrontBeat, sumFree: Expr): { lanes: LaneBeat; connect: (ready: Expr) => SummaryIn } {
  const w = selectorWidths(cfg);
  const P = cfg.lanes;
  const K = cfg.k;
  const KW = bitsFor(K);
  const PosW = log2Ceil(Math.max(2, K));
  const arrV = Array.from({ length: K }, (_, e) => m.reg(`ins_val_${e}`, SInt(w.W)));
  const arrI = Array.from({ length: K }, (_, e) => m.reg(`ins_idx_${e}`, UInt(w.IW)));
  const cnt = m.reg('ins_count', UInt(KW), { reset: 0 });
  const draining = m.reg('ins_draining', Bool, { reset: 0 });
  const rowLen = m.reg('ins_row_len', UInt(w.LW));
  const rowMax = m.reg('ins_row_max', SInt(w.W));
  const done = m.reg('ins_done', UInt(P), { reset: 0 }); // lanes of the stage-B beat already handled

  // arg-min over the array: the smallest value, the right-most among equal ones
  let level: { v: Expr; p: Expr }[] = arrV.map((a, e) => ({ v: a as Expr, p: lit(UInt(PosW), e) }));
  let lv = 0;
  while (level.length > 1) {
    const next: { v: Expr; p: Expr }[] = [];
    for (let i = 0; i < level.length; i += 2) {
      if (i + 1 === level.length) {
        next.push(level[i]);
        continue;
      }
      const [a, b] = [level[i], level[i + 1]];
      const takeB = m.wire(`ins_min_l${lv}_${i / 2}_right`, b.v.le(a.v));
      next.push({ v: m.wire(`ins_min_l${lv}_${i / 2}_val`, mux(takeB, b.v, a.v)), p: m.wire(`ins_min_l${lv}_${i / 2}_pos`, mux(takeB, b.p, a.p)) });
    }
    level = next;
    lv++;
  }
  const minV = m.wire('ins_min_val', level[0].v);
  const minP = m.wire('ins_min_pos', level[0].p);
  const full = m.wire('ins_full', cnt.eq(K));

  // ---- RUN: candidates of the stage-B beat (valid, and above the array's minimum once it is full),
  // handled one per cycle in lane order; a beat without (further) candidates is taken at once
  const running = m.wire('ins_running', fe.valid.and(draining.not()));
  const pending = fe.scores.map((sc, i) => m.wire(`ins_pending_${i}`, fe.laneValid[i].and(full.not().or(sc.gt(minV))).and(done.bit(i).not())));
  const sel: Expr[] = [];
  let before: Expr = lit(Bool, 0);
  for (let i = 0; i < P; i++) {
    sel.push(m.wire(`ins_sel_${i}`, pending[i].and(before.not())));
    before = before.or(pending[i]);
  }
  const anyPending = m.wire('ins_any_pending', before);
  let v: Expr = fe.scores[0];
  let ix: Expr = fe.idx[0];
  for (let i = 1; i < P; i++) {
    v = mux(sel[i], fe.scores[i], v);
    ix = mux(sel[i], fe.idx[i], ix);
  }
  const newV = m.wire('ins_new_val', v);
  const newI = m.wire('ins_new_idx', ix);
  const rest = pending.reduce<Expr>((acc, p, i) => acc.or(p.and(sel[i].not())), lit(Bool, 0));
  const beatDone = m.wire('ins_beat_done', rest.not());
  fe.ready.set(running.and(beatDone));
  const step = m.wire('ins_step', running.and(anyPending));
  const selMask = m.wire('ins_sel_mask', sel.length === 1 ? sel[0] : catList([...sel].reverse()));
  m.when(running, () => done.set(mux(beatDone, lit(UInt(P), 0), done.or(selMask))));
  const evict = m.wire('ins_evict', step.and(full).and(newV.gt(minV)));

  m.when(step.and(full.not()), () => {
    for (let e = 0; e < K; e++) {
      m.when(cnt.eq(e), () => {
        arrV[e].set(newV);
        arrI[e].set(newI);
      });
    }
    cnt.set(cnt.addWrap(1));
  });
  m.when(evict, () => {
    for (let e = 0; e + 1 < K; e++) {
      m.when(minP.le(e), () => {
        arrV[e].set(arrV[e + 1]);
        arrI[e].set(arrI[e + 1]);
      });
    }
    arrV[K - 1].set(newV);
    arrI[K - 1].set(newI);
  });
  m.when(running.and(beatDone).and(fe.last), () => {
    draining.set(1);
    rowLen.set(fe.len);
    rowMax.set(fe.rowMax);
  });

  // ---- DRAIN: beat dp carries entries dp*P .. dp*P+P-1
  const D = Math.ceil(K / P);
  const DW = log2Ceil(Math.max(2, D));
  const XW = bitsFor(D * P + P);
  const dp = m.reg('ins_drain_beat', UInt(DW), { reset: 0 });
  const dBase = m.wire('ins_drain_base', fit(dp, XW).mulWrap(lit(UInt(XW), P)));
  const idx: Expr[] = [];
  const score: Expr[] = [];
  const keep: Expr[] = [];
  for (let i = 0; i < P; i++) {
    let sv: Expr = lit(SInt(w.W), 0);
    let si: Expr = lit(UInt(w.IW), 0);
    for (let b = 0; b < D; b++) {
      const e = b * P + i;
      if (e >= K) continue;
      sv = mux(dp.eq(b), arrV[e], sv);
      si = mux(dp.eq(b), arrI[e], si);
    }
    score.push(m.wire(`ins_out_val_${i}`, sv));
    idx.push(m.wire(`ins_out_idx_${i}`, si));
    keep.push(m.wire(`ins_out_keep_${i}`, dBase.addWrap(lit(UInt(XW), i)).lt(fit(cnt, XW))));
  }
  const end = m.wire('ins_drain_end', dBase.addWrap(lit(UInt(XW), P)).ge(fit(cnt, XW)));
  const lanes: LaneBeat = { valid: draining.and(end.not().or(sumFree)), idx, score, keep, end };
  return {
    lanes,
    connect(ready) {
      const fire = m.wire('ins_drain_fire', lanes.valid.and(ready));
      m.when(fire, () => dp.set(mux(end, lit(UInt(DW), 0), dp.addWrap(1))));
      m.when(fire.and(end), () => {
        draining.set(0);
        cnt.set(lit(UInt(KW), 0));
      });
      const kept = m.wire('ins_kept', fit(cnt, w.LW));
      return { push: fire.and(end), kept, pruned: m.wire('ins_pruned', rowLen.subWrap(kept)), max: rowMax, overflow: lit(Bool, 0) };
    },
  };
}
