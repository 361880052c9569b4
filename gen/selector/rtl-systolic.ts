/**
 * Top-k systolic core, used for P = 1 (rtl.ts builds rtl-systolic-wide.ts for P > 1; README, design.md §5 "Systolic beats
 * clever for streaming selection").
 *
 * The scores of a row arrive in index order, so the index order of the entries kept so far is their
 * arrival order. The core therefore keeps its entries in **arrival order** and tracks their score
 * order with a small rank per entry; no index is ever compared and no sort runs before the drain.
 *
 * 1. Candidate stage C (one register): each stage-B beat (one score) moves to C; the row's final
 *    beat carries the end marker.
 * 2. K + 1 cells in arrival (= index) order, with holes: cell c holds an entry (ok_c), its score,
 *    index and rank_c = the number of entries that beat it (score descending, the lower index on a
 *    tie: 0 = the row's best so far). A cell's only source is its right neighbour (its data bits
 *    need no multiplexer: t_c, "cell c moves", is the flip-flops' enable); cell K takes C's
 *    candidate x. While fewer than K entries exist they are dense at the right and all cells move
 *    when a candidate goes in. With K entries (of K + 1 cells) there is exactly one hole, and the
 *    cells from it on move every cycle: th_c = "the hole is at or left of c" is a register, set
 *    a cycle ahead from the worst entry's cell (a flag per cell that moves with its entry: the
 *    worst leaves when x is taken) or to cell K (x is not taken).
 * 3. The rank bookkeeping. b_c = "x beats the entry of cell c" (strictly greater: x has the larger
 *    index, so an equal score never beats) is a register computed one cycle ahead (look-ahead: the
 *    score entering C against what each cell holds next, and against x itself through the front
 *    end's registered compare of consecutive beats), so no comparator sits in front of the cells.
 *    x is taken while fewer than K entries exist, or when it beats one of them (then it beats the
 *    worst: the entries x beats are the worst ones). Then every entry x beats drops one rank
 *    (rank + b_c), x's rank is the number of entries it does not beat (a population count), and
 *    when K entries exist the worst (rank K − 1) becomes a hole. x beats every entry: it is the
 *    row's maximum so far (one register, no comparator of its own).
 * 4. DRAIN at the end marker: the cells are in index order already; cell 0 is the `out` lane when it
 *    holds an entry (P_out = 1: straight to `out`; P_out > 1: through the accumulator packer,
 *    rtl-pack.ts); all cells move one left per beat and when cell 0 is the hole (which passes
 *    without a beat). The row's `sum` record is pushed as the drain starts.
 *
 * Rate: one score per cycle, plus K + 2 cycles per row (the summary push and the drain of K + 1
 * cells); the next row's first score waits in C meanwhile.
 */
import { Bool, SInt, UInt, bitsFor, lit, log2Ceil, mux, vecOf, type Expr, type ModuleBuilder } from '../../hdl/index.ts';
import { streamOut } from '../../hdl/lib/index.ts';
import { selectorWidths, type SelectorConfig } from './config.ts';
import type { FrontBeat } from './rtl-front.ts';
import type { Summary } from './rtl-summary.ts';
import { fit } from './rtl-fit.ts';
import { packOut } from './rtl-pack.ts';

/** Test hook: a deliberately wrong tie rule (equal scores displace), for the mutation test. */
export interface SystolicOptions {
  tieMutation?: boolean;
}

/** Number of set bits among `bits` as a `w`-bit value (wrapping), summed as a balanced tree. */
function countTree(m: ModuleBuilder, name: string, bits: readonly Expr[], w: number): Expr {
  let level: Expr[] = bits.map((b) => b.zext(w));
  for (let d = 0; level.length > 1; d++) {
    const next: Expr[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(i + 1 < level.length ? m.wire(`${name}_${d}_${i / 2}`, level[i].addWrap(level[i + 1])) : level[i]);
    level = next;
  }
  return level[0] ?? lit(UInt(w), 0);
}

/** prefix[c] = bits[0] | … | bits[c], a Sklansky parallel prefix (⌈log2 n⌉ levels of 2-input ORs). */
function prefixOr(m: ModuleBuilder, name: string, bits: readonly Expr[]): Expr[] {
  let p = [...bits];
  for (let span = 1, d = 0; span < p.length; span *= 2, d++) {
    // each element in the upper half of a 2·span block takes the last element of the lower half
    p = p.map((x, c) => ((c & span) !== 0 ? x.or(p[(c & ~(span - 1)) - 1]) : x));
    if (2 * span < p.length) p = p.map((x, c) => ((c & span) !== 0 ? m.wire(`${name}_${d}_${c}`, x) : x));
  }
  return p.map((x, c) => m.wire(`${name}_${c}`, x));
}

export function systolicCore(m: ModuleBuilder, cfg: SelectorConfig, fe: FrontBeat, sum: Summary, opts: SystolicOptions = {}): void {
  if (cfg.lanes !== 1) throw new Error('systolicCore: P = 1 only (rtl-systolic-wide.ts builds P > 1)');
  if (!fe.beatsPrevious) throw new Error('systolicCore: the front end must be built with beatsPrevious');
  const w = selectorWidths(cfg);
  const K = cfg.k;
  const RW = log2Ceil(K); // rank 0..K-1
  const NW = bitsFor(K); // entries 0..K

  // ---- cells 0..K (cell K takes the candidate)
  const aV = Array.from({ length: K + 1 }, (_, c) => m.reg(`sys_val_${c}`, SInt(w.W)));
  const aI = Array.from({ length: K + 1 }, (_, c) => m.reg(`sys_idx_${c}`, UInt(w.IW)));
  const aOk = Array.from({ length: K + 1 }, (_, c) => m.reg(`sys_ok_${c}`, Bool, { reset: 0 }));
  const aR = Array.from({ length: K + 1 }, (_, c) => m.reg(`sys_rank_${c}`, UInt(RW)));
  // b_c: the candidate in C beats cell c's entry (look-ahead register; 0 unless C's candidate is
  // inserted this cycle, so it is 0 while the array drains)
  const b = Array.from({ length: K + 1 }, (_, c) => m.reg(`sys_beat_${c}`, Bool, { reset: 0 }));

  // ---- stage C: one candidate (with the row's end marker on the row's final beat)
  const cValid = m.reg('sys_c_valid', Bool, { reset: 0 });
  const cS = m.reg('sys_c_score', SInt(w.W));
  const cI = m.reg('sys_c_idx', UInt(w.IW));
  const cEnd = m.reg('sys_c_end', Bool);
  const cLen = m.reg('sys_c_len', UInt(w.LW));
  const busy = m.reg('sys_busy', Bool, { reset: 0 }); // the row's end marker was taken: summary push and drain
  const fill = m.wire('sys_fill', busy.not());
  const cGo = m.wire('sys_c_go', cValid.and(fill)); // C's candidate is inserted (or dropped) now
  const cAdv = m.wire('sys_c_adv', cValid.not().or(cGo));
  fe.ready.set(cAdv);
  const newV = m.wire('sys_new_val', fe.scores[0]);
  m.when(cAdv, () => {
    cValid.set(fe.valid);
    cS.set(newV);
    cI.set(fe.idx[0]);
    cEnd.set(fe.last);
    cLen.set(fe.len);
  });
  const flush = m.wire('sys_flush', cGo.and(cEnd));

  // ---- row state: entries (0..K), full (K entries), summary fields
  const count = m.reg('sys_count', UInt(NW), { reset: 0 });
  const full = m.reg('sys_full', Bool, { reset: 0 });
  const drain = m.reg('sys_drain', Bool, { reset: 0 });
  const rowLen = m.reg('sys_row_len', UInt(w.LW));
  const rowMax = m.reg('sys_row_max', SInt(w.W));
  const lastOne = m.wire('sys_last_one', count.eq(1)); // the entry leaving now is the row's last

  // ---- the drain's lane: cell 0
  const Q = cfg.outLanes;
  const headValid = m.wire('sys_out_valid', drain.and(aOk[0]));
  let ready: Expr;
  if (Q === 1) {
    const out = streamOut(m, 'out', { idx: UInt(w.IW).vec(1), score: SInt(w.W).vec(1), count: UInt(w.CW), last: Bool });
    out.valid.set(headValid);
    out.bits.idx.set(vecOf([aI[0]]));
    out.bits.score.set(vecOf([aV[0]]));
    out.bits.count.set(lit(UInt(w.CW), 1));
    out.bits.last.set(lastOne);
    ready = out.ready;
  } else {
    ready = packOut(m, cfg, { valid: headValid, idx: [aI[0]], score: [aV[0]], keep: [lit(Bool, 1)], end: lastOne });
  }
  const fire = m.wire('sys_drain_fire', headValid.and(ready));

  // ---- rank bookkeeping for the candidate x in C
  const beats = (x: Expr, a: Expr) => (opts.tieMutation ? x.ge(a) : x.gt(a));
  const hit = aOk.map((ok, c) => m.wire(`sys_hit_${c}`, ok.and(b[c]))); // entries x beats
  const anyHit = m.wire('sys_any_hit', hit.reduce<Expr>((a, x) => a.or(x), lit(Bool, 0)));
  const accept = m.wire('sys_accept', cGo.and(full.not().or(anyHit)));
  const worstNow = aR.map((r) => r.eq(K - 1));
  const kill = aOk.map((ok, c) => m.wire(`sys_kill_${c}`, full.and(b[c]).and(ok).and(worstNow[c]))); // the worst, evicted by x
  const rankX = m.wire('sys_rank_x', countTree(m, 'sys_rank_cnt', aOk.map((ok, c) => ok.and(b[c].not())), RW));
  const isMax = m.wire('sys_is_max', cGo.and(aOk.reduce<Expr>((a, ok, c) => a.and(ok.not().or(b[c])), lit(Bool, 1))));
  m.when(isMax, () => rowMax.set(cS));

  // ---- moves: t_c = cell c takes its right neighbour's entry. FILL: the entries are dense at the
  // right while fewer than K exist (all move when a candidate goes in); with K entries there is
  // exactly one hole and the cells from it on move every cycle (th_c = "the hole is at or left of
  // c", a register). DRAIN: all move when cell 0 leaves on `out` or is the hole.
  const th = Array.from({ length: K }, (_, c) => m.reg(`sys_hole_left_${c}`, Bool));
  const drainMove = m.wire('sys_drain_move', drain.and(aOk[0].not().or(ready)));
  const t = th.map((h, c) => m.wire(`sys_move_${c}`, mux(fill, mux(full, h, cGo), drainMove)));
  const loadK = m.wire('sys_load_entry', t[K - 1].or(aOk[K].not())); // cell K takes C (its entry moved on, or it is the hole)

  // ---- the cells: the right neighbour's entry when t_c, else their own; cell K takes x
  const stays = aOk.map((ok, c) => m.wire(`sys_stays_${c}`, ok.and(kill[c].not())));
  const ranked = aR.map((r, c) => m.wire(`sys_rank_next_${c}`, r.addWrap(b[c].zext(RW))));
  for (let c = 0; c < K; c++) {
    m.when(t[c], () => {
      aV[c].set(aV[c + 1]);
      aI[c].set(aI[c + 1]);
    });
    aOk[c].set(mux(t[c], stays[c + 1], stays[c]));
    aR[c].set(mux(t[c], ranked[c + 1], ranked[c]));
  }
  // (cell K holds only while no candidate goes in: then every b_c is 0 and its rank stays)
  m.when(loadK, () => {
    aV[K].set(cS);
    aI[K].set(cI);
    aOk[K].set(accept);
    aR[K].set(rankX);
  });

  // ---- where the hole goes (K entries): the worst's cell (w_c, a register following its entry)
  // after this cycle's moves when x is taken (x beats the worst, which leaves), else cell K
  // (x is not taken); cell 0 when the K-th entry comes in (the entries are cells 1..K)
  const worst = Array.from({ length: K + 1 }, (_, c) => m.reg(`sys_worst_${c}`, Bool, { reset: 0 }));
  // the entry of cell c is the worst after this cycle's rank update (K entries)
  const worstNext = aOk.map((ok, c) => m.wire(`sys_worst_next_${c}`, ok.and(K >= 2 ? mux(b[c], aR[c].eq(K - 2), worstNow[c]) : b[c].not())));
  // x is the worst: it beats no entry but the worst (which leaves). Only needed once K entries
  // exist (before, every entry's flag is recomputed from its rank in the next cycle)
  const xWorst = m.wire('sys_x_worst', accept.and(aOk.reduce<Expr>((a, ok, c) => a.or(ok.and(b[c]).and(worstNow[c].not())), lit(Bool, 0)).not()));
  for (let c = 0; c < K; c++) worst[c].set(mux(t[c], worstNext[c + 1], worstNext[c]));
  worst[K].set(mux(loadK, xWorst, worstNext[K]));
  const worstLeft = prefixOr(m, 'sys_worst_left', worst); // the worst is at or left of c
  const becomesFull = m.wire('sys_becomes_full', cGo.and(full.not()).and(count.eq(K - 1)));
  for (let c = 0; c < K; c++) {
    m.when(becomesFull, () => th[c].set(1))
      .elseWhen(fill.and(full), () => th[c].set(accept.and(mux(th[c], worstLeft[c + 1], worstLeft[c]))));
  }

  // ---- the look-ahead compare for the score entering C (loaded only when it is inserted next
  // cycle: the array fills and it is not behind the row's end marker), against what each cell
  // holds next (cell K: x, whose compare with the entering score the front end registered)
  const load = m.wire('sys_load', fe.valid.and(fill).and(flush.not()));
  const cmp = aV.map((a, c) => m.wire(`sys_next_beats_${c}`, beats(newV, a)));
  for (let c = 0; c < K; c++) b[c].set(load.and(mux(t[c], cmp[c + 1], cmp[c])));
  b[K].set(load.and(mux(loadK, fe.beatsPrevious, cmp[K])));

  // ---- row control: count, full, FILL → (end marker) → summary push → DRAIN
  m.when(fire, () => count.set(count.subWrap(1))).elseWhen(cGo.and(full.not()), () => count.set(count.addWrap(1)));
  m.when(flush, () => full.set(0)).elseWhen(becomesFull, () => full.set(1));
  m.when(flush, () => {
    busy.set(1);
    rowLen.set(cLen);
  });
  const startDrain = m.wire('sys_start_drain', busy.and(drain.not()).and(sum.free));
  m.when(startDrain, () => drain.set(1));
  m.when(fire.and(lastOne), () => {
    busy.set(0);
    drain.set(0);
  });
  const kept = m.wire('sys_kept', fit(count, w.LW));
  sum.connect({ push: startDrain, kept, pruned: m.wire('sys_pruned', rowLen.subWrap(kept)), max: rowMax, overflow: lit(Bool, 0) });
}
