/**
 * topk selection in the attention RTL (README.md §3, "Hardware"), around the shared key phases:
 * - GQW writes the group's q̃ and Q⁺[g, ch] into the `qg` memory (one entry per key group);
 * - phase 1 (the key scorer in `phase1` mode) writes each candidate's (g, P1, U1) into `p1`;
 * - SORT: the counting sort by bucket of U1 into `ord` (rtl-topk-sort.ts);
 * - P2: phase 2 with the running threshold (rtl-topk-scorer.ts) and the heap (rtl-topk-heap.ts);
 * - FIN: the heap's entries equal to the final T are counted (ties kept in index order);
 * - EMIT: the kept/score memory is walked in token order: kept = forced, or a completed candidate
 *   with S > T, or S = T among the first `ties` such tokens (all completed ones while fewer than k
 *   completed); the key record goes out, the memory gets the final kept flag and score, and the
 *   kept count and maximum M are formed for the value phase.
 */
import { Bool, SInt, UInt, cat, catList, lit, log2Ceil, mux, type Expr, type MemoryHandle, type ModuleBuilder, type Var } from '../../hdl/index.ts';
import type { AttentionConfig } from './config.ts';
import type { RtlDims } from './rtl-dims.ts';
import type { KeyRows } from './rtl-keyrows.ts';
import type { Scorer } from './rtl-scorer.ts';
import { p1Width, topkSort } from './rtl-topk-sort.ts';
import { topkHeap } from './rtl-topk-heap.ts';
import { topkScorer } from './rtl-topk-scorer.ts';

export interface TopkPathIn {
  qFire: Expr;
  /** the current key group */
  g: Expr;
  kr: KeyRows;
  gqw: Expr;
  sc: Scorer;
  recentFrom: Expr;
  n: Expr;
  sortStart: Expr;
  inSort: Expr;
  inP2: Expr;
  inFin: Expr;
  inEmit: Expr;
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
  emitDone: Expr;
}

export function topkPath(m: ModuleBuilder, d: RtlDims, cfg: AttentionConfig, i: TopkPathIn): TopkPath {
  const { D, C, G, R, NW, SW, SMA, WQ, QPW } = d;
  const maxGroups = Math.floor(Math.floor(cfg.maxKeys / R) * R / G);
  const qg = m.mem('qg_mem', UInt(D * WQ + C * QPW), Math.max(2, maxGroups));
  const GA = log2Ceil(Math.max(2, maxGroups));
  const qtLanes = i.kr.qt.lanesOf();
  m.when(i.gqw, () => qg.write(i.g.trunc(GA), catList([...[...i.kr.qpc].reverse(), ...[...qtLanes].reverse()].map((e) => e.asUInt()))));

  const p1 = m.mem('p1_mem', UInt(p1Width(d)), d.SMD);
  const ord = m.mem('ord_mem', UInt(NW + p1Width(d)), d.SMD);
  m.when(i.sc.p1Valid, () => p1.write(i.sc.p1Token.trunc(SMA), cat(i.g.trunc(NW), i.sc.p1Partial.asUInt(), i.sc.p1Bound.asUInt())));

  const sort = topkSort(m, d, { note: i.sc.p1Valid, noteU: i.sc.p1Bound, start: i.sortStart, clear: i.qFire, sink: cfg.sink, hi: i.recentFrom, p1, ord });
  const sortDone = m.wire('tk_sort_done', i.inSort.and(sort.done));

  const K = Math.min(cfg.k, cfg.maxKeys);
  const heapInsert = m.wire('tk_heap_insert', Bool);
  const heapScore = m.wire('tk_heap_score', SInt(SW));
  const finStart = m.wire('tk_fin_start', Bool);
  const heap = topkHeap(m, d, K, { insert: heapInsert, score: heapScore, scan: finStart, clear: i.qFire });
  const PW = NW + 1;
  const count = m.wire('tk_candidates', mux(i.recentFrom.gt(cfg.sink), i.recentFrom.zext(PW).subWrap(cfg.sink), lit(UInt(PW), 0)));
  const ts = topkScorer(m, d, cfg.keyLanes, {
    run: i.inP2,
    start: sortDone,
    count,
    lag: i.lag,
    ord,
    qg,
    root: heap.root,
    full: cfg.earlyExit ? heap.full : lit(Bool, 0),
    heapBusy: heap.busy,
    reqReady: i.inP2.and(i.req.ready),
    respValid: i.inP2.and(i.resp.valid),
    respData: i.resp.bits.data,
  });
  heapInsert.set(ts.insert);
  heapScore.set(ts.recScore);
  const p2Done = m.wire('tk_p2_done', i.inP2.and(ts.done));
  finStart.set(p2Done.and(heap.full));
  const finDone = m.wire('tk_fin_done', i.inFin.and(heap.busy.not()));

  // ---- EMIT: the key stream in token order, final kept flags, kept count and M ----------------
  const eNext = m.reg('em_next', UInt(NW), { reset: 0 });
  const eV = m.reg('em_valid', Bool, { reset: 0 });
  const eT = m.reg('em_token', UInt(NW));
  const tieUsed = m.reg('em_ties_used', UInt(heap.ties.width));
  const emitFire = m.wire('em_fire', eV.and(i.keyOut.ready));
  const rdEn = m.wire('em_read', i.inEmit.and(eNext.lt(i.n)).and(eV.not().or(emitFire)));
  const rec = i.scoreMem.read('em_rec', eNext.trunc(SMA), rdEn);
  m.when(rdEn, () => {
    eNext.set(eNext.addWrap(1));
    eT.set(eNext);
    eV.set(1);
  }).elseWhen(emitFire, () => eV.set(0));
  const completed = m.wire('em_completed', rec.bit(SW + 1));
  const forcedKept = m.wire('em_forced', rec.bit(SW));
  const score = m.wire('em_score', rec.slice(SW - 1, 0).asSInt());
  const tie = m.wire('em_tie', completed.and(heap.full).and(score.eq(heap.root)).and(tieUsed.lt(heap.ties)));
  const kept = m.wire('em_kept', forcedKept.or(completed.and(heap.full.not().or(score.gt(heap.root)).or(tie))));
  const outScore = m.wire('em_out_score', mux(kept, score, lit(SInt(SW), 0)));
  i.keyOut.valid.set(eV);
  i.keyOut.bits.index.set(eT);
  i.keyOut.bits.kept.set(kept);
  i.keyOut.bits.score.set(outScore);
  i.keyOut.bits.last.set(eT.addWrap(1).eq(i.n));
  m.when(emitFire, () => {
    m.when(tie.and(score.gt(heap.root).not()), () => tieUsed.set(tieUsed.addWrap(1)));
    m.when(kept, () => {
      i.keptCount.set(i.keptCount.addWrap(1));
      m.when(i.keptCount.eq(0).or(score.gt(i.maxScore)), () => i.maxScore.set(score));
    });
  });
  m.when(finDone, () => {
    eNext.set(0);
    eV.set(0);
    tieUsed.set(0);
  });
  const emitDone = m.wire('tk_emit_done', i.inEmit.and(eNext.eq(i.n)).and(eV.not()));

  // the kept/score memory: consumed candidates (P2: {completed, 0, S}) and the EMIT write-back
  const W2 = SW + 2;
  const candRec = cat(ts.recCompleted, lit(Bool, 0), ts.recScore.asUInt());
  const finalRec = cat(lit(Bool, 0), kept, outScore.asUInt());
  const memWrite = m.wire('tk_mem_write', ts.consume.or(emitFire));
  const memAddr = m.wire('tk_mem_addr', mux(emitFire, eT.trunc(SMA), ts.recToken.trunc(SMA)));
  const memData = m.wire('tk_mem_data', mux(emitFire, finalRec, candRec).trunc(W2));
  return { p2: { reqValid: ts.reqValid, reqAddr: ts.reqAddr, respReady: ts.respReady }, memWrite, memAddr, memData, sortDone, p2Done, finDone, emitDone };
}
