/**
 * topk phase 2 (README.md §3, "Hardware"): the candidates in the sorted order (the sort's walk of
 * its lists, positions p = 0 .. count − 1), each with its phase-1 partial P1 and bound U1, fetch their remaining
 * words (plane B − 2 down, chunks ascending) in Nk slots against the running threshold T_p = the
 * heap's root (when full) over the completed candidates at positions < p − Λ.
 *
 * Allocation of position a waits until exactly the positions < a − Λ have been consumed by the heap
 * (consumed c = a − Λ; the consumer takes position c only while c < a − Λ, or c = a − Λ in the cycle
 * a is allocated, which still sees the old T) and the heap's root is settled (no insert pending above
 * it); the slot keeps its T. A candidate with U1 < T stops
 * at allocation (no slot). A word's sum w uses q̃ of the key's group from the `qg` memory (read when
 * the response arrives, one stage); stage 2: P += 2^j·w, U −= 2^j·(Q⁺[g, ch] − w), stop when U < T.
 * Decided positions go to a reorder buffer (position mod RB) that the consumer drains in position
 * order (a stopped one at any time, a completed one when the heap is idle): a completed candidate's
 * score goes into the heap, and every candidate's record (completed
 * flag, exact score) is written to the kept/score memory.
 */
import { Bool, SInt, UInt, lit, log2Ceil, moduleName, mux, ModuleBuilder, type Expr, type MemoryHandle, type Module, type Var } from '../../hdl/index.ts';
import { planeBeatSum } from '../earlyexit/rtl-plane-sum.ts';
import { lowestSlot, pick, slotRequests } from './rtl-slot-requests.ts';
import type { RtlDims } from './rtl-dims.ts';

const [FREE, NEED, WAIT] = [0, 1, 2];

/** The plane sum Σ q̃·c_j of one word as its own module (the phase-1 scorer uses the same names). */
function planeSumModule(d: RtlDims): Module {
  const m = new ModuleBuilder(moduleName('kv_attention_plane_sum', { d: d.D, w: d.W, q: d.WQ }), { doc: 'Σ q̃·c_j over one key-plane word (earlyexit planeBeatSum)' });
  const q = m.input('q', UInt(d.D * d.WQ));
  const data = m.input('data', UInt(d.W));
  const beat = m.input('beat', UInt(Math.max(1, log2Ceil(d.C))));
  const lanes = Array.from({ length: d.D }, (_, k) => q.slice(k * d.WQ + d.WQ - 1, k * d.WQ).asSInt());
  const s = planeBeatSum(m, { D: d.D, W: d.W, C: d.C, Wq: d.WQ }, lanes, data, beat, 0);
  m.output('sum', SInt(d.PSW)).set(s.width > d.PSW ? s.trunc(d.PSW) : s.sext(d.PSW));
  return m.build();
}

export interface TopkScorerIn {
  run: Expr;
  /** enter phase 2 (one cycle) */
  start: Expr;
  count: Expr;
  lag: number;
  /** the sorted candidates (rtl-topk-sort.ts): `advance` loads the next {t, g, P1, U1} into `entry` */
  order: { advance: Var; entry: Expr };
  qg: MemoryHandle;
  /** the heap: threshold, full, busy, settled (root and full final); `insert` is driven here */
  root: Expr;
  full: Expr;
  heapBusy: Expr;
  heapSettled: Expr;
  reqReady: Expr;
  respValid: Expr;
  respData: Expr;
}

export interface TopkScorer {
  reqValid: Expr;
  reqAddr: Expr;
  respReady: Expr;
  /** a position is consumed: its record for the kept/score memory; insert its score into the heap */
  consume: Expr;
  recToken: Expr;
  recCompleted: Expr;
  recScore: Expr;
  insert: Expr;
  done: Expr;
}

function fit(e: Expr, w: number): Expr {
  return e.width > w ? e.trunc(w) : e.sext(w);
}

export function topkScorer(m: ModuleBuilder, d: RtlDims, Nk: number, i: TopkScorerIn): TopkScorer {
  const { B, C, D, SW, NW, AW, WQ, QPW, PSW } = d;
  const UW = SW + 1;
  const SLW = log2Ceil(Nk);
  const JW = log2Ceil(B);
  const CW = log2Ceil(C);
  const PW = NW + 1;
  const st = Array.from({ length: Nk }, (_, s) => m.reg(`t2_slot${s}_state`, UInt(2), { reset: FREE }));
  const tok = Array.from({ length: Nk }, (_, s) => m.reg(`t2_slot${s}_token`, UInt(NW)));
  const pos = Array.from({ length: Nk }, (_, s) => m.reg(`t2_slot${s}_pos`, UInt(PW)));
  const grp = Array.from({ length: Nk }, (_, s) => m.reg(`t2_slot${s}_group`, UInt(NW)));
  const pl = Array.from({ length: Nk }, (_, s) => m.reg(`t2_slot${s}_plane`, UInt(JW)));
  const chk = Array.from({ length: Nk }, (_, s) => m.reg(`t2_slot${s}_chunk`, UInt(CW)));
  const part = Array.from({ length: Nk }, (_, s) => m.reg(`t2_slot${s}_partial`, SInt(SW)));
  const bnd = Array.from({ length: Nk }, (_, s) => m.reg(`t2_slot${s}_bound`, SInt(UW)));
  const thr = Array.from({ length: Nk }, (_, s) => m.reg(`t2_slot${s}_theta`, SInt(SW)));
  const thv = Array.from({ length: Nk }, (_, s) => m.reg(`t2_slot${s}_theta_valid`, Bool));
  const addr = Array.from({ length: Nk }, (_, s) => m.reg(`t2_slot${s}_addr`, UInt(AW)));

  // the reorder buffer by position
  const RBW = Math.max(1, log2Ceil(i.lag + 2));
  const RB = 2 ** RBW;
  const robV = Array.from({ length: RB }, (_, e) => m.reg(`t2_rob${e}_valid`, Bool, { reset: 0 }));
  const robC = Array.from({ length: RB }, (_, e) => m.reg(`t2_rob${e}_completed`, Bool));
  const robT = Array.from({ length: RB }, (_, e) => m.reg(`t2_rob${e}_token`, UInt(NW)));
  const robS = Array.from({ length: RB }, (_, e) => m.reg(`t2_rob${e}_score`, SInt(SW)));

  // ---- the sorted candidates: prefetch the next entry of the order ------------------------------
  const f = m.reg('t2_fetched', UInt(PW), { reset: 0 });
  const a = m.reg('t2_allocated', UInt(PW), { reset: 0 });
  const c = m.reg('t2_consumed', UInt(PW), { reset: 0 });
  const pfV = m.reg('t2_pf_valid', Bool, { reset: 0 });
  const alloc = m.wire('t2_alloc', Bool);
  const rdEn = m.wire('t2_ord_read', i.run.and(f.lt(i.count)).and(pfV.not().or(alloc)));
  i.order.advance.set(rdEn);
  const ent = i.order.entry;
  m.when(rdEn, () => f.set(f.addWrap(1)));
  m.when(rdEn, () => pfV.set(1)).elseWhen(alloc, () => pfV.set(0));
  // entry {t, g, P1, U1}
  const eU = ent.slice(UW - 1, 0).asSInt();
  const eP = ent.slice(UW + SW - 1, UW).asSInt();
  const eG = ent.slice(UW + SW + NW - 1, UW + SW);
  const eT = ent.slice(UW + SW + 2 * NW - 1, UW + SW + NW);

  const { found: freeFound, slot: freeSel } = lowestSlot(st, FREE, SLW);
  const freeSlot = m.wire('t2_free_slot', freeSel);
  const tBig = (e: Expr) => e.sext(UW);
  const allocStop = m.wire('t2_alloc_stop', i.full.and(eU.lt(tBig(i.root))));
  // position a may start once exactly the positions < a − Λ are consumed (c + Λ ≥ a)
  // gap = a − c (0 .. Λ + 1) as its own counter: the lag rules compare it with the constant Λ
  const GW = log2Ceil(i.lag + 2) + 1;
  const gap = m.reg('t2_gap', UInt(GW), { reset: 0 });
  const lagOk = m.wire('t2_lag_ok', gap.le(i.lag));
  alloc.set(i.run.and(pfV).and(lagOk).and(i.heapSettled).and(allocStop.or(freeFound)));
  const allocSlot = m.wire('t2_alloc_slot', alloc.and(allocStop.not()));

  // ---- requests ----------------------------------------------------------------------------------
  const { grantSlot, grantGo, reqValid, reqAddr, reqFire, tags, respFire } = slotRequests(m, 't2', { st, need: NEED, addr, chk, SLW, AW, CW, reqReady: i.reqReady, respValid: i.respValid });

  // ---- stage 0: the word, q̃ of the key's group read from qg ---------------------------------
  const s0v = m.reg('t2_s0_valid', Bool, { reset: 0 });
  const s0Data = m.reg('t2_s0_data', UInt(d.W));
  const s0Slot = m.reg('t2_s0_slot', UInt(SLW));
  const s0Chunk = m.reg('t2_s0_chunk', UInt(CW));
  const GA = i.qg.ir.addrWidth;
  const qgRec = i.qg.read('t2_qg', pick(grp, tags.bits.slot).trunc(GA), respFire);
  s0v.set(respFire);
  m.when(respFire, () => {
    s0Data.set(i.respData);
    s0Slot.set(tags.bits.slot);
    s0Chunk.set(tags.bits.chunk);
  });

  // ---- stage 1: w = Σ q̃·c_j, the slot's fields ---------------------------------------------------
  const ps = m.instance('t2_plane_sum', planeSumModule(d));
  ps.port('q').set(qgRec.slice(D * WQ - 1, 0));
  ps.port('data').set(s0Data);
  ps.port('beat').set(C === 1 ? lit(UInt(1), 0) : s0Chunk);
  const qpcs = Array.from({ length: C }, (_, ch) => qgRec.slice(D * WQ + ch * QPW + QPW - 1, D * WQ + ch * QPW).asSInt());
  const s1v = m.reg('t2_s1_valid', Bool, { reset: 0 });
  const s1Sum = m.reg('t2_s1_sum', SInt(PSW));
  const s1Slot = m.reg('t2_s1_slot', UInt(SLW));
  const s1Chunk = m.reg('t2_s1_chunk', UInt(CW));
  const s1Plane = m.reg('t2_s1_plane', UInt(JW));
  const s1Part = m.reg('t2_s1_partial', SInt(SW));
  const s1Bnd = m.reg('t2_s1_bound', SInt(UW));
  const s1Qp = m.reg('t2_s1_qplus', SInt(QPW));
  const s1T = m.reg('t2_s1_theta', SInt(SW));
  const s1Tv = m.reg('t2_s1_theta_valid', Bool);
  const s1Pos = m.reg('t2_s1_pos', UInt(PW));
  const s1Tok = m.reg('t2_s1_token', UInt(NW));
  s1v.set(s0v);
  m.when(s0v, () => {
    s1Sum.set(ps.port('sum'));
    s1Slot.set(s0Slot);
    s1Chunk.set(s0Chunk);
    s1Plane.set(pick(pl, s0Slot));
    s1Part.set(pick(part, s0Slot));
    s1Bnd.set(pick(bnd, s0Slot));
    s1Qp.set(pick(qpcs, s0Chunk));
    s1T.set(pick(thr, s0Slot));
    s1Tv.set(pick(thv, s0Slot));
    s1Pos.set(pick(pos, s0Slot));
    s1Tok.set(pick(tok, s0Slot));
  });

  // ---- stage 2: P += 2^j·w, U −= 2^j·(Q⁺[ch] − w), stop when U < T ------------------------------
  const XW = Math.max(QPW, PSW) + 1;
  const gain = m.wire('t2_gain', fit(s1Sum.shl(s1Plane), SW));
  const slack = m.wire('t2_slack', fit(s1Qp.sext(XW).sub(s1Sum.sext(XW)).shl(s1Plane), UW));
  const pNew = m.wire('t2_partial_next', s1Part.addWrap(gain));
  const uNew = m.wire('t2_bound_next', s1Bnd.subWrap(slack));
  const lastWord = m.wire('t2_last_word', s1Plane.eq(0).and(C === 1 ? lit(Bool, 1) : s1Chunk.eq(C - 1)));
  const stop = m.wire('t2_stop', s1Tv.and(uNew.lt(tBig(s1T))));
  const done = m.wire('t2_done', lastWord.or(stop));
  const s2Done = m.wire('t2_s2_done', s1v.and(done));

  // ---- consumption in position order ---------------------------------------------------------------
  const head = m.wire('t2_head', c.trunc(RBW));
  const hv = m.wire('t2_head_valid', pick(robV, head));
  const hc = m.wire('t2_head_completed', pick(robC, head));
  const allAlloc = m.wire('t2_all_allocated', a.eq(i.count));
  // c < a − Λ (position a − Λ waits until a is allocated: a uses the T before it), or all allocated
  const mayTake = m.wire('t2_may_consume', gap.gt(i.lag).or(allAlloc));
  // a stopped candidate does not touch the heap; a completed one is inserted (the heap must be idle)
  const consume = m.wire('t2_consume', i.run.and(hv).and(mayTake).and(hc.not().or(i.heapBusy.not())));
  for (let e = 0; e < RB; e++) {
    m.when(consume.and(head.eq(e)), () => robV[e].set(0));
    m.when(alloc.and(allocStop).and(a.trunc(RBW).eq(e)), () => {
      robV[e].set(1);
      robC[e].set(0);
      robT[e].set(eT);
    });
    m.when(s2Done.and(s1Pos.trunc(RBW).eq(e)), () => {
      robV[e].set(1);
      robC[e].set(stop.not());
      robT[e].set(s1Tok);
      robS[e].set(pNew);
    });
  }
  m.when(consume, () => c.set(c.addWrap(1)));
  gap.set(gap.addWrap(alloc.zext(GW)).subWrap(consume.zext(GW)));

  for (let s = 0; s < Nk; s++) {
    m.when(allocSlot.and(freeSlot.eq(s)), () => {
      st[s].set(NEED);
      tok[s].set(eT);
      pos[s].set(a);
      grp[s].set(eG);
      pl[s].set(B - 2);
      chk[s].set(0);
      part[s].set(eP);
      bnd[s].set(eU);
      thr[s].set(i.root);
      thv[s].set(i.full);
      addr[s].set(eT.zext(AW).mulWrap(lit(UInt(AW), B * C)).addWrap(C));
    });
    m.when(grantGo.and(grantSlot.eq(s)), () => st[s].set(WAIT));
    m.when(s1v.and(s1Slot.eq(s)), () => {
      st[s].set(mux(done, lit(UInt(2), FREE), lit(UInt(2), NEED)));
      part[s].set(pNew);
      bnd[s].set(uNew);
      addr[s].set(addr[s].addWrap(1));
      if (C === 1) pl[s].set(pl[s].subWrap(1));
      else {
        m.when(chk[s].eq(C - 1), () => {
          chk[s].set(0);
          pl[s].set(pl[s].subWrap(1));
        }).otherwise(() => chk[s].set(chk[s].addWrap(1)));
      }
    });
  }
  m.when(alloc, () => a.set(a.addWrap(1)));
  m.when(i.start, () => {
    f.set(0);
    a.set(0);
    c.set(0);
    gap.set(0);
    pfV.set(0);
  });
  return {
    reqValid,
    reqAddr,
    respReady: tags.valid,
    consume,
    recToken: m.wire('t2_rec_token', pick(robT, head)),
    recCompleted: hc,
    recScore: m.wire('t2_rec_score', pick(robS, head)),
    insert: m.wire('t2_insert', consume.and(hc)),
    done: m.wire('t2_finished', c.eq(i.count).and(i.heapBusy.not())),
  };
}
