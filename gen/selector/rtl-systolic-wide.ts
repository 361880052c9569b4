/**
 * Top-k systolic core for P > 1 (README "Micro-architectures", arch "systolic"; issue #19 item 1):
 * two candidates per cycle into a value-ordered array, and a second cell bank that sorts and drains
 * a finished row while the array fills with the next one.
 *
 * 1. Pick (stage B → C): the first two pending lanes of the beat (a lane is pending while it is valid
 *    and, once the array is full, above its last cell: the K-th best so far, a register). The pair is
 *    ordered (c1 first: the higher score, the lower index on a tie) and registered in C with the row's
 *    end marker on the beat's last pick.
 * 2. Value array (K cells, score descending, ties in index order): each cell compares both
 *    candidates with its own score only (g1 = c1 beats it, g2 = c2 beats it, strict >: an equal score
 *    never displaces an earlier index) and takes c1 (g1 and not g1 of its left neighbour), c2 (g2 of
 *    the left neighbour, not of the one before it), the cell two to its left (g2 of that cell), the cell
 *    to its left (g1 of it) or keeps its own: a 4-way source choice and two comparators per cell.
 * 3. Row end: the cycle after the end marker the array's row moves to the drain bank (if free) and the
 *    array restarts with the next row's first candidates (cells 0 and 1, the rest emptied), so a row
 *    end costs no input cycle. The drain bank runs K odd-even transposition phases on (empty, index)
 *    and its cells 0..P_out−1 are the `out` beat (shift by P_out per beat; empty cells hold zeros).
 *    The row maximum is the array's cell 0 at the move.
 *
 * Rate: two candidates per cycle: ascending rows (every score a candidate, the worst case) run at
 * 2 scores per cycle, random rows near P. The input waits only when a row ends while the drain bank
 * still holds the previous row (rows shorter than about 2·(K + ⌈K/P_out⌉ + 2) scores).
 */
import { Bool, SInt, UInt, bitsFor, catList, lit, mux, vecOf, type Expr, type ModuleBuilder } from '../../hdl/index.ts';
import { streamOut } from '../../hdl/lib/index.ts';
import { selectorWidths, type SelectorConfig } from './config.ts';
import type { FrontBeat } from './rtl-front.ts';
import type { Summary } from './rtl-summary.ts';
import type { SystolicOptions } from './rtl-systolic.ts';
import { popcount } from './rtl-fit.ts';

/** One-hot select of `vals` by `sel` (an OR tree of masked values). */
function oneHot(m: ModuleBuilder, name: string, sel: Expr[], vals: Expr[], w: number): Expr {
  let level: Expr[] = vals.map((v, i) => mux(sel[i], v.asUInt(), lit(UInt(w), 0)));
  for (let s = 0; level.length > 1; s++) {
    const next: Expr[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(i + 1 < level.length ? m.wire(`${name}_s${s}_${i / 2}`, level[i].or(level[i + 1])) : level[i]);
    level = next;
  }
  return level[0];
}

export function systolicWideCore(m: ModuleBuilder, cfg: SelectorConfig, fe: FrontBeat, sum: Summary, opts: SystolicOptions = {}): void {
  const w = selectorWidths(cfg);
  const P = cfg.lanes;
  const K = cfg.k;
  const Q = cfg.outLanes;
  const zs = lit(SInt(w.W), 0);
  const zi = lit(UInt(w.IW), 0);

  // ---- value array (empty cells hold zeros: reset and restart), drain bank
  const aV = Array.from({ length: K }, (_, c) => m.reg(`sys_val_${c}`, SInt(w.W), { reset: 0 }));
  const aI = Array.from({ length: K }, (_, c) => m.reg(`sys_idx_${c}`, UInt(w.IW), { reset: 0 }));
  const aOk = Array.from({ length: K }, (_, c) => m.reg(`sys_ok_${c}`, Bool, { reset: 0 }));
  const dV = Array.from({ length: K }, (_, c) => m.reg(`sys_dval_${c}`, SInt(w.W), { reset: 0 }));
  const dI = Array.from({ length: K }, (_, c) => m.reg(`sys_didx_${c}`, UInt(w.IW), { reset: 0 }));
  const dOk = Array.from({ length: K }, (_, c) => m.reg(`sys_dok_${c}`, Bool, { reset: 0 }));

  // ---- stage C: up to two ordered candidates (c1 first) and the row's end marker
  const cValid = m.reg('sys_c_valid', Bool, { reset: 0 });
  const c1On = m.reg('sys_c1_on', Bool);
  const c1S = m.reg('sys_c1_score', SInt(w.W));
  const c1I = m.reg('sys_c1_idx', UInt(w.IW));
  const c2On = m.reg('sys_c2_on', Bool);
  const c2S = m.reg('sys_c2_score', SInt(w.W));
  const c2I = m.reg('sys_c2_idx', UInt(w.IW));
  const cEnd = m.reg('sys_c_end', Bool);
  const cLen = m.reg('sys_c_len', UInt(w.LW));

  // restart: the array holds a finished row that moves to the drain bank (when it is free)
  const restart = m.reg('sys_restart', Bool, { reset: 0 });
  const aLen = m.reg('sys_a_len', UInt(w.LW));
  const dBusy = m.reg('sys_d_busy', Bool, { reset: 0 });
  const hold = m.wire('sys_hold', restart.and(dBusy));
  const move = m.wire('sys_move', restart.and(dBusy.not()));
  const cGo = m.wire('sys_c_go', cValid.and(hold.not()));
  const cAdv = m.wire('sys_c_adv', cValid.not().or(cGo));

  // ---- pick: the array is full for the stage-B beat's row only while it holds that row
  const full = m.wire('sys_full', aOk[K - 1].and(restart.not()).and(cValid.and(cEnd).not()));
  const done = m.reg('sys_done', UInt(P), { reset: 0 });
  const pending = fe.scores.map((sc, i) => m.wire(`sys_pending_${i}`, fe.laneValid[i].and(full.not().or(sc.gt(aV[K - 1]))).and(done.bit(i).not())));
  const sel1: Expr[] = [];
  const sel2: Expr[] = [];
  let before1: Expr = lit(Bool, 0); // some pending lane below i
  let before2: Expr = lit(Bool, 0); // two pending lanes below i
  let rest: Expr = lit(Bool, 0); // a third pending lane
  for (let i = 0; i < P; i++) {
    sel1.push(m.wire(`sys_sel1_${i}`, pending[i].and(before1.not())));
    sel2.push(m.wire(`sys_sel2_${i}`, pending[i].and(before1).and(before2.not())));
    rest = rest.or(pending[i].and(before2));
    before2 = m.wire(`sys_before2_${i}`, before2.or(before1.and(pending[i])));
    before1 = m.wire(`sys_before1_${i}`, before1.or(pending[i]));
  }
  const any1 = before1;
  const any2 = m.wire('sys_any2', sel2.reduce<Expr>((a, s) => a.or(s), lit(Bool, 0)));
  const beatDone = m.wire('sys_beat_done', rest.not());
  fe.ready.set(cAdv.and(beatDone));
  const selMask = m.wire('sys_sel_mask', catList(sel1.map((s, i) => s.or(sel2[i])).reverse()));
  m.when(fe.valid.and(cAdv), () => done.set(mux(beatDone, lit(UInt(P), 0), done.or(selMask))));
  const aS = m.wire('sys_pick_a_score', oneHot(m, 'sys_pick_as', sel1, fe.scores, w.W).asSInt());
  const aX = m.wire('sys_pick_a_idx', oneHot(m, 'sys_pick_ai', sel1, fe.idx, w.IW));
  const bS = m.wire('sys_pick_b_score', oneHot(m, 'sys_pick_bs', sel2, fe.scores, w.W).asSInt());
  const bX = m.wire('sys_pick_b_idx', oneHot(m, 'sys_pick_bi', sel2, fe.idx, w.IW));
  // b (the higher index) goes first only when strictly greater
  const bFirst = m.wire('sys_pick_b_first', any2.and(bS.gt(aS)));
  m.when(cAdv, () => {
    cValid.set(fe.valid);
    c1On.set(any1);
    c1S.set(mux(bFirst, bS, aS));
    c1I.set(mux(bFirst, bX, aX));
    c2On.set(any2);
    c2S.set(mux(bFirst, aS, bS));
    c2I.set(mux(bFirst, aX, bX));
    cEnd.set(fe.last.and(beatDone));
    cLen.set(fe.len);
  });

  // ---- array update: restart (cells 0, 1 take the candidates, the rest empty) or insert
  const ins = m.wire('sys_insert', cGo.and(c1On).and(move.not()));
  const beats = (s: Expr, a: Expr) => (opts.tieMutation ? s.ge(a) : s.gt(a));
  const g1 = aV.map((a, c) => m.wire(`sys_g1_${c}`, aOk[c].not().or(beats(c1S, a))));
  const g2 = aV.map((a, c) => m.wire(`sys_g2_${c}`, c2On.and(aOk[c].not().or(beats(c2S, a)))));
  const rGo = m.wire('sys_restart_go', move.and(cGo));
  for (let c = 0; c < K; c++) {
    const set = (v: Expr, i: Expr, ok: Expr | number) => () => {
      aV[c].set(v);
      aI[c].set(i);
      aOk[c].set(ok);
    };
    const from = (j: number) => set(aV[j], aI[j], aOk[j]);
    const chain = m.when(move, () => {
      if (c === 0) m.when(rGo.and(c1On), set(c1S, c1I, 1)).otherwise(set(zs, zi, 0));
      else if (c === 1) m.when(rGo.and(c2On), set(c2S, c2I, 1)).otherwise(set(zs, zi, 0));
      else set(zs, zi, 0)();
    });
    let ch = chain.elseWhen(m.wire(`sys_take1_${c}`, ins.and(g1[c]).and(c > 0 ? g1[c - 1].not() : lit(Bool, 1))), set(c1S, c1I, 1));
    if (c >= 1) ch = ch.elseWhen(m.wire(`sys_take2_${c}`, ins.and(g2[c - 1]).and(c >= 2 ? g2[c - 2].not() : lit(Bool, 1))), set(c2S, c2I, 1));
    if (c >= 2) ch = ch.elseWhen(m.wire(`sys_from2_${c}`, ins.and(g2[c - 2])), from(c - 2));
    if (c >= 1) ch.elseWhen(m.wire(`sys_from1_${c}`, ins.and(g1[c - 1])), from(c - 1));
  }
  m.when(cGo.and(cEnd), () => aLen.set(cLen));
  restart.set(hold.or(cGo.and(cEnd)));

  // ---- drain bank: copy at `move`, K odd-even phases on (empty, index), then the `out` beats
  const SPW = bitsFor(K);
  const sortLeft = m.reg('sys_sort_left', UInt(SPW), { reset: 0 });
  const sorting = m.wire('sys_sorting', sortLeft.ne(0));
  const dLen = m.reg('sys_row_len', UInt(w.LW));
  const dMax = m.reg('sys_row_max', SInt(w.W));
  const drain = m.reg('sys_drain', Bool, { reset: 0 });
  m.when(move, () => {
    dBusy.set(1);
    sortLeft.set(lit(UInt(SPW), K > 1 ? K : 0));
    dLen.set(aLen);
    dMax.set(aV[0]);
  }).elseWhen(sorting, () => sortLeft.set(sortLeft.subWrap(1)));
  const odd = sortLeft.bit(0);
  const swap: Expr[] = [];
  for (let c = 0; c + 1 < K; c++) {
    const outOfOrder = dOk[c + 1].and(dOk[c].not().or(dI[c].gt(dI[c + 1])));
    swap.push(m.wire(`sys_swap_${c}`, sorting.and(c % 2 === 1 ? odd : odd.not()).and(outOfOrder)));
  }
  const startDrain = m.wire('sys_start_drain', dBusy.and(sorting.not()).and(drain.not()).and(sum.free));
  m.when(startDrain, () => drain.set(1));
  const out = streamOut(m, 'out', { idx: UInt(w.IW).vec(Q), score: SInt(w.W).vec(Q), count: UInt(w.CW), last: Bool });
  const okQ = Array.from({ length: Q }, (_, j) => (j < K ? dOk[j] : lit(Bool, 0)));
  const end = m.wire('sys_drain_end', Q < K ? dOk[Q].not() : lit(Bool, 1));
  const fire = m.wire('sys_drain_fire', drain.and(out.ready));
  out.valid.set(drain);
  out.bits.idx.set(vecOf(Array.from({ length: Q }, (_, j) => (j < K ? dI[j] : zi))));
  out.bits.score.set(vecOf(Array.from({ length: Q }, (_, j) => (j < K ? dV[j] : zs))));
  out.bits.count.set(m.wire('sys_out_count', popcount(okQ, w.CW)));
  out.bits.last.set(end);
  for (let c = 0; c < K; c++) {
    const from = (j: number) => () => {
      dV[c].set(dV[j]);
      dI[c].set(dI[j]);
      dOk[c].set(dOk[j]);
    };
    let chain = m.when(move, () => {
      dV[c].set(aV[c]);
      dI[c].set(aI[c]);
      dOk[c].set(aOk[c]);
    });
    if (c > 0) chain = chain.elseWhen(swap[c - 1], from(c - 1));
    if (c + 1 < K) chain = chain.elseWhen(swap[c], from(c + 1));
    chain.elseWhen(fire, c + Q < K ? from(c + Q) : () => {
      dV[c].set(zs);
      dI[c].set(zi);
      dOk[c].set(0);
    });
  }
  m.when(fire.and(end), () => {
    dBusy.set(0);
    drain.set(0);
  });
  const kept = m.wire('sys_kept', mux(dLen.le(K), dLen, lit(UInt(w.LW), K)));
  sum.connect({ push: startDrain, kept, pruned: m.wire('sys_pruned', dLen.subWrap(kept)), max: dMax, overflow: lit(Bool, 0) });
}
