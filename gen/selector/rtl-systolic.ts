/**
 * Top-k systolic core (README "Micro-architectures", arch "systolic"; design.md §5 "Systolic beats
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
 *    candidate in C is broadcast; each cell compares it with its own score only
 *    (gt_c = cell empty or candidate > score, strict) and takes the candidate (gt_c and not
 *    gt_(c-1)), its left neighbour (gt_c and gt_(c-1)) or keeps its own. Equal scores never displace:
 *    the earlier (lower) index stays ahead, which is the golden tie rule. The last cell's entry falls
 *    off when a better one arrives.
 * 3. Index-order fix-up in the same cells: at the end marker the array stops taking candidates,
 *    runs K odd-even transposition phases on the key (empty, index) (each cell compares with one
 *    neighbour), then shifts out P cells per beat into the gearbox (cells 0..P−1 are the beat's
 *    lanes). The next row's first candidate waits in C meanwhile.
 *
 * Rate: one candidate per cycle (P scores per cycle on rows whose late scores rarely beat the K-th
 * best, one per cycle on ascending rows), plus K + ⌈K/P⌉ + 1 cycles per row for the sort and drain.
 */
import { Bool, SInt, UInt, bitsFor, catList, lit, mux, type Expr, type ModuleBuilder } from '../../hdl/index.ts';
import { selectorWidths, type SelectorConfig } from './config.ts';
import type { FrontBeat } from './rtl-front.ts';
import type { LaneBeat } from './rtl-gearbox.ts';
import type { SummaryIn } from './rtl-summary.ts';

/** Test hook: a deliberately wrong tie rule (equal scores displace), for the mutation test. */
export interface SystolicOptions {
  tieMutation?: boolean;
}

export function systolicCore(m: ModuleBuilder, cfg: SelectorConfig, fe: FrontBeat, sumFree: Expr, opts: SystolicOptions = {}): { lanes: LaneBeat; connect: (ready: Expr) => SummaryIn } {
  const w = selectorWidths(cfg);
  const P = cfg.lanes;
  const K = cfg.k;

  // ---- value array (declared first: the candidate filter reads its last cell)
  const aV = Array.from({ length: K }, (_, c) => m.reg(`sys_val_${c}`, SInt(w.W)));
  const aI = Array.from({ length: K }, (_, c) => m.reg(`sys_idx_${c}`, UInt(w.IW)));
  const aOk = Array.from({ length: K }, (_, c) => m.reg(`sys_ok_${c}`, Bool, { reset: 0 }));

  // ---- stage C: one candidate (or the row's end marker)
  const cValid = m.reg('sys_c_valid', Bool, { reset: 0 });
  const cCand = m.reg('sys_c_cand', Bool);
  const cS = m.reg('sys_c_score', SInt(w.W));
  const cI = m.reg('sys_c_idx', UInt(w.IW));
  const cEnd = m.reg('sys_c_end', Bool);
  const cLen = m.reg('sys_c_len', UInt(w.LW));
  const cMax = m.reg('sys_c_max', SInt(w.W));
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
    cMax.set(fe.rowMax);
  });

  // ---- the array: FILL (insert C's candidate) → SORT (K odd-even transposition phases by index,
  // empty cells last) → DRAIN (cells 0..P-1 leave as one lane beat, the array shifts by P)
  const busy = m.reg('sys_busy', Bool, { reset: 0 }); // SORT or DRAIN
  const SPW = bitsFor(K);
  const sortLeft = m.reg('sys_sort_left', UInt(SPW), { reset: 0 }); // SORT phases still to run
  const sorting = m.wire('sys_sorting', sortLeft.ne(0));
  const draining = m.wire('sys_draining', busy.and(sorting.not()));
  const rowLen = m.reg('sys_row_len', UInt(w.LW));
  const rowMax = m.reg('sys_row_max', SInt(w.W));
  fill.set(busy.not());

  const ins = m.wire('sys_insert', cGo.and(cCand));
  const gt = aV.map((a, c) => m.wire(`sys_gt_${c}`, aOk[c].not().or(opts.tieMutation ? cS.ge(a) : cS.gt(a))));
  const odd = sortLeft.bit(0); // phase parity: pairs (c, c+1) with c ≡ sortLeft (mod 2)
  const swap: Expr[] = [];
  for (let c = 0; c + 1 < K; c++) {
    // out of order on the key (empty, index): the right cell holds an entry and the left one is
    // empty or has a higher index (written so that an empty cell's index is never looked at)
    const outOfOrder = aOk[c + 1].and(aOk[c].not().or(aI[c].gt(aI[c + 1])));
    swap.push(m.wire(`sys_swap_${c}`, sorting.and(c % 2 === 1 ? odd : odd.not()).and(outOfOrder)));
  }
  const flush = m.wire('sys_flush', cGo.and(cEnd));
  m.when(flush, () => {
    busy.set(1);
    sortLeft.set(lit(UInt(SPW), K > 1 ? K : 0));
    rowLen.set(cLen);
    rowMax.set(cMax);
  });
  m.when(sorting, () => sortLeft.set(sortLeft.subWrap(1)));

  const idx: Expr[] = [];
  const score: Expr[] = [];
  const keep: Expr[] = [];
  for (let i = 0; i < P; i++) {
    score.push(i < K ? aV[i] : lit(SInt(w.W), 0));
    idx.push(i < K ? aI[i] : lit(UInt(w.IW), 0));
    keep.push(i < K ? aOk[i] : lit(Bool, 0));
  }
  const end = m.wire('sys_drain_end', P < K ? aOk[P].not() : lit(Bool, 1));
  const lanes: LaneBeat = { valid: m.wire('sys_drain_valid', draining.and(end.not().or(sumFree))), idx, score, keep, end };
  return {
    lanes,
    connect(ready) {
      const fire = m.wire('sys_drain_fire', lanes.valid.and(ready));
      for (let c = 0; c < K; c++) {
        // one cell: its own entry, the candidate, its left or right neighbour, or (drain, P > 1) cell
        // c + P; the sources are mutually exclusive (a priority chain of `when`s measured smaller on
        // xc7 than an explicitly encoded 4:1 multiplexer: 1102 vs 1580 LUTs at P = 1, K = 16)
        const take = m.wire(`sys_take_${c}`, c === 0 ? ins.and(gt[0]) : ins.and(gt[c]).and(gt[c - 1].not()));
        const from = (j: number) => () => {
          aV[c].set(aV[j]);
          aI[c].set(aI[j]);
          aOk[c].set(aOk[j]);
        };
        let chain = m.when(take, () => {
          aV[c].set(cS);
          aI[c].set(cI);
          aOk[c].set(1);
        });
        if (c > 0) chain = chain.elseWhen(m.wire(`sys_from_left_${c}`, ins.and(gt[c - 1]).or(swap[c - 1])), from(c - 1));
        if (c + 1 < K) chain = chain.elseWhen(m.wire(`sys_from_right_${c}`, P === 1 ? swap[c].or(fire) : swap[c]), from(c + 1));
        else if (P === 1) chain = chain.elseWhen(fire, () => aOk[c].set(0));
        if (P > 1) chain.elseWhen(fire, c + P < K ? from(c + P) : () => aOk[c].set(0));
      }
      m.when(fire.and(end), () => busy.set(0));
      const kept = m.wire('sys_kept', mux(rowLen.le(K), rowLen, lit(UInt(w.LW), K)));
      return { push: fire.and(end), kept, pruned: m.wire('sys_pruned', rowLen.subWrap(kept)), max: rowMax, overflow: lit(Bool, 0) };
    },
  };
}
