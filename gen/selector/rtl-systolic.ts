/**
 * Top-k systolic core, used for P = 1 (rtl.ts builds rtl-systolic-wide.ts for P > 1; README, design.md §5 "Systolic beats
 * clever for streaming selection").
 *
 * Three parts, none of whose logic depth grows with K:
 *
 * 1. Candidate stage C (one register): each cycle the first pending lane of the stage-B beat moves to
 *    C. A lane is pending while it is valid and (P > 1), once the array is full, above the array's
 *    last cell (the K-th best so far; a register, no min tree). With P = 1 every valid score is
 *    broadcast (one that beats no cell changes nothing). Skipping a non-candidate is exact: the K-th
 *    best only grows. A beat without (further) candidates is taken at once; the row's final beat
 *    leaves an end marker in C with its last candidate (or alone).
 * 2. Value array: K cells sorted by score descending, equal scores in arrival (= index) order. The
 *    candidate in C is broadcast; each cell takes the candidate (gt_c and not gt_(c-1)), its left
 *    neighbour (gt_(c-1)) or keeps its own, where gt_c = cell c is empty or below the candidate
 *    (strict). gt_c is a register computed one cycle ahead (look-ahead): the score entering C is
 *    compared with every cell as it is now and with the candidate being inserted now (a register of
 *    the front end: with P = 1 the candidates are the stage-B beats in order), and gt_c takes the
 *    comparison with whatever cell c holds next (the candidate, its left neighbour or its own). So
 *    no comparator sits between a register and a cell's source choice. Equal scores never displace:
 *    the earlier (lower) index stays ahead, which is the golden tie rule. The last cell's entry falls
 *    off when a better one arrives.
 * 3. Index-order fix-up in the same cells: at the end marker the array stops taking candidates,
 *    runs K odd-even transposition phases on the key (empty, index) (each cell compares with one
 *    neighbour), two cycles each (the swaps are decided into registers, then applied), then
 *    shifts out P_out cells per beat to `out` (cells 0..P_out−1 are the beat's lanes). The next
 *    row's first candidate waits in C meanwhile.
 *
 * Rate: one candidate per cycle (P scores per cycle on rows whose late scores rarely beat the K-th
 * best, one per cycle on ascending rows), plus 2K + ⌈K/P_out⌉ + 2 cycles per row for the sort and drain.
 */
import { Bool, SInt, UInt, bitsFor, catList, lit, mux, vecOf, type Expr, type ModuleBuilder } from '../../hdl/index.ts';
import { streamOut } from '../../hdl/lib/index.ts';
import { selectorWidths, type SelectorConfig } from './config.ts';
import type { FrontBeat } from './rtl-front.ts';
import type { Summary } from './rtl-summary.ts';
import { popcount } from './rtl-fit.ts';

/** Test hook: a deliberately wrong tie rule (equal scores displace), for the mutation test. */
export interface SystolicOptions {
  tieMutation?: boolean;
}

export function systolicCore(m: ModuleBuilder, cfg: SelectorConfig, fe: FrontBeat, sum: Summary, opts: SystolicOptions = {}): void {
  const w = selectorWidths(cfg);
  const P = cfg.lanes;
  const K = cfg.k;

  // ---- value array (declared first: the candidate filter reads its last cell)
  // empty cells hold zeros when an `out` beat can have unused lanes (P_out > 1): reset and drain fill
  const zeroEmpty = cfg.outLanes > 1;
  const aV = Array.from({ length: K }, (_, c) => m.reg(`sys_val_${c}`, SInt(w.W), zeroEmpty ? { reset: 0 } : {}));
  const aI = Array.from({ length: K }, (_, c) => m.reg(`sys_idx_${c}`, UInt(w.IW), zeroEmpty ? { reset: 0 } : {}));
  const aOk = Array.from({ length: K }, (_, c) => m.reg(`sys_ok_${c}`, Bool, { reset: 0 }));

  // ---- stage C: one candidate (or the row's end marker)
  const cValid = m.reg('sys_c_valid', Bool, { reset: 0 });
  const cCand = m.reg('sys_c_cand', Bool);
  const cS = m.reg('sys_c_score', SInt(w.W));
  const cI = m.reg('sys_c_idx', UInt(w.IW));
  const cEnd = m.reg('sys_c_end', Bool);
  const cLen = m.reg('sys_c_len', UInt(w.LW));
  const fill = m.wire('sys_fill', Bool); // the array takes candidates (not sorting or draining)
  const cGo = m.wire('sys_c_go', cValid.and(fill));
  const cAdv = m.wire('sys_c_adv', cValid.not().or(cGo));

  // the array is full (its last cell holds an entry) for the row of the stage-B beat: not while C
  // holds the row's end marker or the array sorts or drains (the next row meets an empty array)
  const full = P > 1 ? m.wire('sys_full', aOk[K - 1].and(fill).and(cValid.and(cEnd).not())) : lit(Bool, 0);
  const done = P > 1 ? m.reg('sys_done', UInt(P), { reset: 0 }) : null; // lanes of the stage-B beat already moved to C
  // P = 1: no filter (each valid score is broadcast; one that beats no cell changes nothing)
  const pending = fe.scores.map((sc, i) => m.wire(`sys_pending_${i}`, P === 1 ? fe.laneValid[0] : fe.laneValid[i].and(full.not().or(sc.gt(aV[K - 1]))).and(done ? done.bit(i).not() : lit(Bool, 1))));
  const sel: Expr[] = [];
  let before: Expr = lit(Bool, 0);
  for (let i = 0; i < P; i++) {
    sel.push(P === 1 ? pending[0] : m.wire(`sys_sel_${i}`, pending[i].and(before.not())));
    before = before.or(pending[i]);
  }
  const anyPending = P === 1 ? pending[0] : m.wire('sys_any_pending', before);
  let v: Expr = fe.scores[0];
  let ix: Expr = fe.idx[0];
  for (let i = 1; i < P; i++) {
    v = mux(sel[i], fe.scores[i], v);
    ix = mux(sel[i], fe.idx[i], ix);
  }
  const rest = P === 1 ? lit(Bool, 0) : pending.reduce<Expr>((acc, p, i) => acc.or(p.and(sel[i].not())), lit(Bool, 0));
  const beatDone = P === 1 ? lit(Bool, 1) : m.wire('sys_beat_done', rest.not());
  fe.ready.set(cAdv.and(beatDone));
  if (done) {
    const selMask = m.wire('sys_sel_mask', catList([...sel].reverse()));
    m.when(fe.valid.and(cAdv), () => done.set(mux(beatDone, lit(UInt(P), 0), done.or(selMask))));
  }
  const newV = m.wire('sys_new_val', v);
  const newI = m.wire('sys_new_idx', ix);
  m.when(cAdv, () => {
    cValid.set(fe.valid);
    cCand.set(anyPending);
    cS.set(newV);
    cI.set(newI);
    cEnd.set(fe.last.and(beatDone));
    cLen.set(fe.len);
  });

  // ---- the array: FILL (insert C's candidate) → SORT (K odd-even transposition phases by index,
  // empty cells last) → DRAIN (cells 0..P-1 leave as one lane beat, the array shifts by P)
  const busy = m.reg('sys_busy', Bool, { reset: 0 }); // SORT or DRAIN
  const SPW = bitsFor(2 * K);
  const sortLeft = m.reg('sys_sort_left', UInt(SPW), { reset: 0 }); // SORT phases still to run
  const sorting = m.wire('sys_sorting', sortLeft.ne(0));
  const rowLen = m.reg('sys_row_len', UInt(w.LW));
  const rowMax = m.reg('sys_row_max', SInt(w.W));
  fill.set(busy.not());

  const ins = m.wire('sys_insert', cGo.and(cCand));
  // gt_c = C's candidate beats cell c (empty, or strictly below it): a register, computed a cycle
  // ahead for the candidate entering C against the array as this cycle's insert leaves it (timing:
  // no comparator between C and the cells; README "systolic"). All ones after reset and after a
  // drain (the array is empty).
  const beats = (x: Expr, a: Expr) => (opts.tieMutation ? x.ge(a) : x.gt(a));
  const gt = aV.map((_, c) => m.reg(`sys_gt_${c}`, Bool, { reset: 1 }));
  const takeAt = gt.map((g, c) => m.wire(`sys_take_${c}`, c === 0 ? ins.and(g) : ins.and(g).and(gt[c - 1].not())));
  const shiftAt = gt.map((_, c) => (c === 0 ? lit(Bool, 0) : m.wire(`sys_shift_${c}`, ins.and(gt[c - 1]))));
  // the next candidate against the one inserted now: with P = 1 the candidates are the stage-B beats
  // in order and C holds the score B held before, so the front end's registered compare is it
  if (!fe.beatsPrevious) throw new Error('systolicCore: the front end must be built with beatsPrevious');
  const nextBeatsC = m.wire('sys_next_beats_c', fe.beatsPrevious);
  const nextBeatsOld = aV.map((a, c) => m.wire(`sys_next_beats_${c}`, aOk[c].not().or(beats(newV, a))));
  const nextGt = gt.map((_, c) => m.wire(`sys_next_gt_${c}`, mux(takeAt[c], nextBeatsC, c === 0 ? nextBeatsOld[0] : mux(shiftAt[c], nextBeatsOld[c - 1], nextBeatsOld[c]))));
  // SORT: K odd-even transposition phases of two cycles each: the first decides the swaps (the
  // index comparators, into registers), the second moves the cells (timing: no comparator in front
  // of the cells' source choice). sortLeft counts 2K..1; even counts decide.
  const decide = m.wire('sys_sort_decide', sorting.and(sortLeft.bit(0).not()));
  const odd = sortLeft.bit(1); // phase parity: pairs (c, c+1) with c ≡ 1 (mod 2) when set
  const swap: Expr[] = [];
  for (let c = 0; c + 1 < K; c++) {
    // out of order on the key (empty, index): the right cell holds an entry and the left one is
    // empty or has a higher index (written so that an empty cell's index is never looked at)
    const outOfOrder = aOk[c + 1].and(aOk[c].not().or(aI[c].gt(aI[c + 1])));
    const r = m.reg(`sys_swap_${c}`, Bool, { reset: 0 });
    r.set(decide.and(c % 2 === 1 ? odd : odd.not()).and(outOfOrder));
    swap.push(r);
  }
  const flush = m.wire('sys_flush', cGo.and(cEnd));
  m.when(flush, () => {
    busy.set(1);
    sortLeft.set(lit(UInt(SPW), 2 * K)); // K = 1: one empty phase (the row maximum is taken meanwhile)
    rowLen.set(cLen);
  });
  // the row maximum is cell 0 once the row's last candidate is in (one cycle after the flush,
  // before the first sort phase moves it): no comparator of its own
  const capMax = m.reg('sys_cap_max', Bool, { reset: 0 });
  capMax.set(flush);
  m.when(capMax, () => rowMax.set(aV[0]));
  m.when(sorting, () => sortLeft.set(sortLeft.subWrap(1)));

  // ---- DRAIN straight to `out` (no gearbox: after the sort the entries are dense and in index
  // order, so cells 0..Q-1 are the beat). Empty cells hold zeros (reset, drain fill), so unused
  // lanes read 0 with no masking. The row's `sum` record is pushed as the drain starts (a
  // registered `out_valid` that never waits for `sum_ready`).
  const Q = cfg.outLanes;
  const out = streamOut(m, 'out', { idx: UInt(w.IW).vec(Q), score: SInt(w.W).vec(Q), count: UInt(w.CW), last: Bool });
  const drain = m.reg('sys_drain', Bool, { reset: 0 });
  const startDrain = m.wire('sys_start_drain', busy.and(sorting.not()).and(drain.not()).and(sum.free));
  m.when(startDrain, () => drain.set(1));
  const okQ = Array.from({ length: Q }, (_, j) => (j < K ? aOk[j] : lit(Bool, 0)));
  const end = m.wire('sys_drain_end', Q < K ? aOk[Q].not() : lit(Bool, 1));
  const fire = m.wire('sys_drain_fire', drain.and(out.ready));
  out.valid.set(drain);
  out.bits.idx.set(vecOf(Array.from({ length: Q }, (_, j) => (j < K ? aI[j] : lit(UInt(w.IW), 0)))));
  out.bits.score.set(vecOf(Array.from({ length: Q }, (_, j) => (j < K ? aV[j] : lit(SInt(w.W), 0)))));
  out.bits.count.set(m.wire('sys_out_count', popcount(okQ, w.CW)));
  out.bits.last.set(end);
  for (let c = 0; c < K; c++) {
    // one cell: its own entry, the candidate, its left or right neighbour (insert shift, sort swap)
    // or cell c + Q (drain); the sources are mutually exclusive (a priority chain of `when`s)
    const take = takeAt[c];
    const from = (j: number) => () => {
      aV[c].set(aV[j]);
      aI[c].set(aI[j]);
      aOk[c].set(aOk[j]);
    };
    const empty = () => {
      if (zeroEmpty) {
        aV[c].set(lit(SInt(w.W), 0));
        aI[c].set(lit(UInt(w.IW), 0));
      }
      aOk[c].set(0);
    };
    let chain = m.when(take, () => {
      aV[c].set(cS);
      aI[c].set(cI);
      aOk[c].set(1);
    });
    if (c > 0) chain = chain.elseWhen(m.wire(`sys_from_left_${c}`, shiftAt[c].or(swap[c - 1])), from(c - 1));
    if (Q === 1) {
      // the drain shift is the right neighbour
      if (c + 1 < K) chain.elseWhen(m.wire(`sys_from_right_${c}`, swap[c].or(fire)), from(c + 1));
      else chain.elseWhen(fire, empty);
    } else {
      if (c + 1 < K) chain = chain.elseWhen(m.wire(`sys_from_right_${c}`, swap[c]), from(c + 1));
      chain.elseWhen(fire, c + Q < K ? from(c + Q) : empty);
    }
  }
  m.when(fire.and(end), () => {
    busy.set(0);
    drain.set(0);
  });
  // the look-ahead compare: all ones when the drain empties the array, else for the candidate
  // entering C (C always advances while the array fills; while it sorts or drains the value is
  // not used and is replaced at the drain's end)
  for (let c = 0; c < K; c++) m.when(fire.and(end), () => gt[c].set(1)).elseWhen(cAdv, () => gt[c].set(nextGt[c]));
  const kept = m.wire('sys_kept', mux(rowLen.le(K), rowLen, lit(UInt(w.LW), K)));
  sum.connect({ push: startDrain, kept, pruned: m.wire('sys_pruned', rowLen.subWrap(kept)), max: rowMax, overflow: lit(Bool, 0) });

}
