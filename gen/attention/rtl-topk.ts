/**
 * topk selection in the attention RTL (README.md §3, "Hardware"), around the shared key phases:
 * - GQW writes the group's q̃ and Q⁺[g, ch] into the `qg` memory (one entry per key group);
 * - phase 1 (the key scorer in `phase1` mode) writes each candidate's (g, P1, U1) into `p1`;
 * - the order by bucket of U1 as 64 linked lists (rtl-topk-sort.ts), built as soon as phase 1 has noted
 *   every candidate; SORT waits for it;
 * - P2: phase 2 with the running threshold (rtl-topk-scorer.ts) and the heap (rtl-topk-heap.ts);
 * - FIN: the heap's entries equal to the final T are counted (ties kept in index order);
 * - VAL: the value walker reads the kept/score memory in token order and decides kept = forced, or
 *   a completed candidate with S > T, or S = T among the first `ties` such tokens (every completed
 *   one while fewer than k completed); it is also the key stream. M (the maximum kept score) is
 *   formed before: over the forced records and the completed candidates (the best is kept).
 */
import { Bool, SInt, UInt, cat, catList, lit, log2Ceil, mux, type Expr, type MemoryHandle, type ModuleBuilder, type Var } from '../../hdl/index.ts';
import type { AttentionConfig } from './config.ts';
import type { RtlDims } from './rtl-dims.ts';
import type { KeyRows } from './rtl-keyrows.ts';
import type { Scorer } from './rtl-scorer.ts';
import { p1Width, topkSort } from './rtl-topk-sort.ts';
import { topkHeap } from './rtl-topk-heap.ts';
import { topkScorer } from './rtl-topk-scorer.ts';
import type { Walk } from './rtl-values.ts';

export interface TopkPathIn {
  qFire: Expr;
  /** the current key group */
  g: Expr;
  kr: KeyRows;
  gqw: Expr;
  sc: Scorer;
  recentFrom: Expr;
  n: Expr;
  inSort: Expr;
  inP2: Expr;
  inFin: Expr;
  inVal: Expr;
  /** the key records of KEYS/RESK (forced ones kept, with their scores) */
  rec: { fire: Expr; kept: Expr; score: Expr };
  req: { ready: Expr };
  resp: { valid: Expr; bits: { data: Expr } };
  respFire: Expr;
  scoreMem: MemoryHandle;
  maxScore: Var;
  keptCount: Var;
  keyOut: { valid: Var; ready: Expr; bits: { index: Var; kept: Var; score: Var; last: Var } };
  lag: number;
}

export interface TopkPath {
  p2: { reqValid: Expr; reqAddr: Expr; respReady: Expr };
  memWrite: Expr;
  memAddr: Expr;
  memData: Expr;
  sortDone: Expr;
  p2Done: Expr;
  finDone: Expr;
  /** the walk's kept flag of a kept/score record; hooks the walk to the key stream */
  keptOf: (rec: Expr) => Expr;
  attachWalk: (w: Walk) => void;
}

export function topkPath(m: ModuleBuilder, d: RtlDims, cfg: AttentionConfig, i: TopkPathIn): TopkPath {
  const { D, C, G, R, NW, SW, SMA, WQ, QPW } = d;
  const maxGroups = Math.floor(Math.floor(cfg.maxKeys / R) * R / G);
  const qg = m.mem('qg_mem', UInt(D * WQ + C * QPW), Math.max(2, maxGroups));
  const GA = log2Ceil(Math.max(2, maxGroups));
  const qtLanes = i.kr.qt.lanesOf();
  m.when(i.gqw, () => qg.write(i.g.trunc(GA), catList([...[...i.kr.qpc].reverse(), ...[...qtLanes].reverse()].map((e) => e.asUInt()))));

  const p1 = m.mem('p1_mem', UInt(p1Width(d)), d.SMD);
  m.when(i.sc.p1Valid, () => p1.write(i.sc.p1Token.trunc(SMA), cat(i.g.trunc(NW), i.sc.p1Partial.asUInt(), i.sc.p1Bound.asUInt())));

  const PW = NW + 1;
  // a register (recentFrom is set once per row, before GQ0/RESK0): no subtractor or comparator
  // between recentFrom and the scorer's allocation and consumption
  const count = m.reg('tk_candidates', UInt(PW), { reset: 0 });
  count.set(mux(i.recentFrom.gt(cfg.sink), i.recentFrom.zext(PW).subWrap(cfg.sink), lit(UInt(PW), 0)));
  // the sort starts by itself once phase 1 has noted every candidate (beside the recent window's keys)
  const sort = topkSort(m, d, { note: i.sc.p1Valid, noteU: i.sc.p1Bound, clear: i.qFire, sink: cfg.sink, hi: i.recentFrom, count, p1 });
  const sortDone = m.wire('tk_sort_done', i.inSort.and(sort.done));

  const K = Math.min(cfg.k, cfg.maxKeys);
  const heapInsert = m.wire('tk_heap_insert', Bool);
  const heapScore = m.wire('tk_heap_score', SInt(SW));
  const finStart = m.wire('tk_fin_start', Bool);
  const heap = topkHeap(m, d, K, { insert: heapInsert, score: heapScore, scan: finStart, clear: i.qFire });
  const ts = topkScorer(m, d, cfg.keyLanes, {
    run: i.inP2,
    start: sortDone,
    count,
    lag: i.lag,
    order: sort,
    qg,
    root: heap.root,
    full: cfg.earlyExit ? heap.full : lit(Bool, 0),
    heapBusy: heap.busy,
    heapSettled: heap.settled,
    reqReady: i.inP2.and(i.req.ready),
    respValid: i.inP2.and(i.resp.valid),
    respData: i.resp.bits.data,
  });
  heapInsert.set(ts.insert);
  heapScore.set(ts.recScore);
  const p2Done = m.wire('tk_p2_done', i.inP2.and(ts.done));
  finStart.set(p2Done.and(heap.full));
  const finDone = m.wire('tk_fin_done', i.inFin.and(heap.busy.not()));

  // ---- M over the kept set: forced records of phase 1 and completed candidates (the best completed
  // candidate is always kept, k ≥ 1) --------------------------------------------------------------
  const mAny = m.reg('tk_max_any', Bool, { reset: 0 });
  const noteMax = (en: Expr, score: Expr) =>
    m.when(en, () => {
      mAny.set(1);
      m.when(mAny.not().or(score.gt(i.maxScore)), () => i.maxScore.set(score));
    });
  noteMax(i.rec.fire.and(i.rec.kept), i.rec.score);
  noteMax(ts.consume.and(ts.recCompleted), ts.recScore);
  m.when(i.qFire, () => mAny.set(0));

  // ---- the value phase's walk decides kept and is the key stream ---------------------------------
  const tieUsed = m.reg('tk_ties_used', UInt(heap.ties.width));
  const full = heap.full;
  const keptOf = (rec: Expr): Expr => {
    const completed = m.wire('tk_walk_completed', rec.bit(SW + 1));
    const score = m.wire('tk_walk_score', rec.slice(SW - 1, 0).asSInt());
    const tie = m.wire('tk_walk_tie', completed.and(full).and(score.eq(heap.root)).and(tieUsed.lt(heap.ties)));
    tieWire.set(tie);
    return rec.bit(SW).or(completed.and(full.not().or(score.gt(heap.root)).or(tie)));
  };
  const tieWire = m.wire('tk_tie', Bool);
  const attachWalk = (w: Walk) => {
    i.keyOut.valid.set(i.inVal.and(w.valid));
    i.keyOut.bits.index.set(w.token);
    i.keyOut.bits.kept.set(w.kept);
    i.keyOut.bits.score.set(mux(w.kept, w.score, lit(SInt(SW), 0)));
    i.keyOut.bits.last.set(w.token.addWrap(1).eq(i.n));
    m.when(w.fire.and(tieWire), () => tieUsed.set(tieUsed.addWrap(1)));
    m.when(w.fire.and(w.kept), () => i.keptCount.set(i.keptCount.addWrap(1)));
  };
  m.when(finDone, () => tieUsed.set(0));

  // the kept/score memory: consumed candidates (P2: {completed, 0, S})
  const memWrite = m.wire('tk_mem_write', ts.consume);
  const memAddr = m.wire('tk_mem_addr', ts.recToken.trunc(SMA));
  const memData = m.wire('tk_mem_data', cat(ts.recCompleted, lit(Bool, 0), ts.recScore.asUInt()));
  return { p2: { reqValid: ts.reqValid, reqAddr: ts.reqAddr, respReady: ts.respReady }, memWrite, memAddr, memData, sortDone, p2Done, finDone, keptOf, attachWalk };
}
