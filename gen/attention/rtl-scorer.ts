/**
 * The bit-serial key scorer with per-word early exit (README.md §3, "Hardware"): Nk key slots over
 * the tokens of one key group, one memory word (W dims of one plane) per request. A slot holds the
 * key's partial P and bound U (start c_g and U0 = c_g + (2^B − 1)·Q⁺[g]); a word adds 2^j·w to P
 * and subtracts 2^j·(Q⁺[g, ch] − w) from U, w = Σ q̃·c_j over the word (earlyexit's plane-beat sum).
 * A candidate (threshold mode with early exit) stops when U ≤ θ: before its first word or after
 * any word. After its last word U = S; kept = forced, selection none, or S > θ.
 *
 * Slot states FREE -> NEED -> WAIT -> NEED ... -> FREE: a key takes any free slot and frees it
 * when decided; its record goes to a reorder buffer of RB = 2^⌈log2 2Nk⌉ entries (token mod RB)
 * that the key stream drains in token order, so a long key does not hold the slots of the short
 * keys after it. A key stopped before its first word takes no slot. Allocation runs while fewer
 * than RB tokens are allocated but not emitted; its facts about the next token are registered one
 * cycle ahead (no comparator between the token counter and the slots' next state). Responses: tag FIFO (slot, chunk) -> stage 1 (the
 * word's sum, registered with the slot's token, j, P, U) -> stage 2 (update, decision).
 */
import { Bool, SInt, UInt, lit, log2Ceil, mux, type Expr, type ModuleBuilder, type Var } from '../../hdl/index.ts';
import { planeBeatSum } from '../earlyexit/rtl-plane-sum.ts';
import type { RtlDims } from './rtl-dims.ts';
import { lowestSlot, pick, slotRequests } from './rtl-slot-requests.ts';

const [FREE, NEED, WAIT] = [0, 1, 2];

export interface ScorerIn {
  /** allocation runs (phase KEYS) up to token `end` (exclusive) */
  run: Expr;
  end: Expr;
  /** forced token bounds: t < sink or t ≥ recentFrom are always kept */
  recentFrom: Expr;
  /** prune (threshold selection with early exit) */
  prune: boolean;
  keepAll: boolean;
  /** topk phase 1: a candidate stops after the words of plane B − 1 (its P1, U1 go out as `p1*`) */
  phase1: boolean;
  qt: Var;
  qpc: Var[];
  cg: Expr;
  /** U0 − θ' (SW + 2 bits; θ' = θ when `prune` or threshold keeps matter, else 0): bounds are relative to θ' */
  u0: Expr;
  /** the memory request port is this unit's (phase KEYS) and accepts */
  reqReady: Expr;
  respValid: Expr;
  respData: Expr;
  /** the key stream takes the record offered */
  keyReady: Expr;
  /** row start: token and address counters to 0 */
  clear: Expr;
}

export interface Scorer {
  reqValid: Expr;
  reqAddr: Expr;
  respReady: Expr;
  keyValid: Expr;
  keyIndex: Expr;
  keyKept: Expr;
  keyScore: Expr;
  /** tokens emitted so far (the next token to emit) */
  emitted: Var;
  /** topk phase 1: a candidate's P1 and U1 (token p1Token), one cycle */
  p1Valid: Expr;
  p1Token: Expr;
  p1Partial: Expr;
  p1Bound: Expr;
}


function fit(e: Expr, w: number): Expr {
  return e.width > w ? e.trunc(w) : e.sext(w);
}

export function keyScorer(m: ModuleBuilder, d: RtlDims, sink: number, Nk: number, i: ScorerIn): Scorer {
  const { B, C, SW, NW, AW, PSW } = d;
  const UW = SW + 2; // a bound relative to θ'
  const SLW = log2Ceil(Nk);
  const JW = log2Ceil(B);
  const CW = log2Ceil(C);
  const st = Array.from({ length: Nk }, (_, s) => m.reg(`slot${s}_state`, UInt(2), { reset: FREE }));
  const tok = Array.from({ length: Nk }, (_, s) => m.reg(`slot${s}_token`, UInt(NW)));
  const pl = Array.from({ length: Nk }, (_, s) => m.reg(`slot${s}_plane`, UInt(JW)));
  const chk = Array.from({ length: Nk }, (_, s) => m.reg(`slot${s}_chunk`, UInt(CW)));
  const part = Array.from({ length: Nk }, (_, s) => m.reg(`slot${s}_partial`, SInt(SW)));
  const bnd = Array.from({ length: Nk }, (_, s) => m.reg(`slot${s}_bound`, SInt(UW)));
  const addr = Array.from({ length: Nk }, (_, s) => m.reg(`slot${s}_addr`, UInt(AW)));
  const forced = Array.from({ length: Nk }, (_, s) => m.reg(`slot${s}_forced`, Bool));

  // the reorder buffer: record of token t at t mod RB
  const RBW = Math.max(1, log2Ceil(2 * Nk));
  const RB = 2 ** RBW;
  const robV = Array.from({ length: RB }, (_, e) => m.reg(`rob${e}_valid`, Bool, { reset: 0 }));
  const robKept = Array.from({ length: RB }, (_, e) => m.reg(`rob${e}_kept`, Bool));
  const robScore = Array.from({ length: RB }, (_, e) => m.reg(`rob${e}_score`, SInt(SW)));
  const emitted = m.reg('sc_emitted', UInt(NW), { reset: 0 });

  const nextTok = m.reg('sc_next_token', UInt(NW), { reset: 0 });
  const nextTok1 = m.reg('sc_next_token_inc', UInt(NW), { reset: 1 }); // nextTok + 1
  const nextAddr = m.reg('sc_next_addr', UInt(AW), { reset: 0 });
  const { found: freeFound, slot: freeSel } = lowestSlot(st, FREE, SLW);
  const freeSlot = m.wire('sc_free_slot', freeSel);
  // The allocation's facts about the next token (in range, forced, stopped before its first word)
  // are registered one cycle ahead, for nextTok + 1 when a token is allocated, else for nextTok:
  // no comparator lies between the token counter and the allocation. They are formed from `end`,
  // `recentFrom` and `u0` of the cycle before, so allocation starts one cycle after `run` rises
  // (`end` and `u0` change only while `run` is low).
  const facts = (t: Expr) => {
    const forcedT = (sink > 0 ? t.lt(sink) : lit(Bool, 0)).or(t.ge(i.recentFrom));
    return { inRange: t.lt(i.end), forced: forcedT, stop: i.prune ? forcedT.not().and(i.u0.le(0)) : lit(Bool, 0) };
  };
  const [now, after] = [facts(nextTok), facts(nextTok1)];
  const runSeen = m.reg('sc_run_seen', Bool, { reset: 0 });
  const nextInRange = m.reg('sc_next_in_range', Bool, { reset: 0 });
  const allocForced = m.reg('sc_alloc_forced', Bool, { reset: 0 });
  const allocStop = m.reg('sc_alloc_stop', Bool, { reset: 0 });
  // tokens allocated and not yet emitted (nextTok − emitted, 0..RB)
  const inFlight = m.reg('sc_in_flight', UInt(RBW + 1), { reset: 0 });
  const window = m.wire('sc_window', inFlight.bit(RBW).not());
  const alloc = m.wire('sc_alloc', i.run.and(runSeen).and(nextInRange).and(window).and(allocStop.or(freeFound)));
  const allocSlot = m.wire('sc_alloc_slot', alloc.and(allocStop.not()));
  runSeen.set(i.run);
  nextInRange.set(mux(alloc, after.inRange, now.inRange));
  allocForced.set(mux(alloc, after.forced, now.forced));
  allocStop.set(mux(alloc, after.stop, now.stop));

  // requests: the lowest NEED slot, one word per grant
  const { grantSlot, grantGo, reqValid, reqAddr, reqFire, tags, respFire } = slotRequests(m, 'sc', { st, need: NEED, addr, chk, SLW, AW, CW, reqReady: i.reqReady, respValid: i.respValid });

  // stage 1: the word's sum Σ q̃·c_j over its chunk, the slot's plane, partial and bound
  const wsum = planeBeatSum(m, { D: d.D, W: d.W, C, Wq: d.WQ }, i.qt.lanesOf(), i.respData, tags.bits.chunk, 0);
  const s1v = m.reg('sc_s1_valid', Bool, { reset: 0 });
  const s1Sum = m.reg('sc_s1_sum', SInt(PSW));
  const s1Slot = m.reg('sc_s1_slot', UInt(SLW));
  const s1Tok = m.reg('sc_s1_token', UInt(NW));
  const s1Chunk = m.reg('sc_s1_chunk', UInt(CW));
  const s1Plane = m.reg('sc_s1_plane', UInt(JW));
  const s1Part = m.reg('sc_s1_partial', SInt(SW));
  // 2^j·Q⁺[g, ch] − (U − θ'), formed beside the word's sum: stage 2 then compares 2^j·w with it
  const W1 = UW + 1;
  const s1Need = m.reg('sc_s1_need', SInt(W1));
  const s1Forced = m.reg('sc_s1_forced', Bool);
  s1v.set(respFire);
  m.when(respFire, () => {
    s1Sum.set(fit(wsum, PSW));
    s1Slot.set(tags.bits.slot);
    s1Tok.set(pick(tok, tags.bits.slot));
    s1Chunk.set(tags.bits.chunk);
    s1Plane.set(pick(pl, tags.bits.slot));
    s1Part.set(pick(part, tags.bits.slot));
    s1Need.set(fit(fit(pick(i.qpc, tags.bits.chunk), W1).shl(pick(pl, tags.bits.slot)), W1).subWrap(fit(pick(bnd, tags.bits.slot), W1)));
    s1Forced.set(pick(forced, tags.bits.slot));
  });

  // stage 2: P += 2^j·w, U −= 2^j·(Q⁺[ch] − w), the decision
  // U' = U − 2^j·(Q⁺ − w) = 2^j·w − need; the key stays above θ' iff 2^j·w > need
  const gainW = m.wire('sc_gain', fit(s1Sum.shl(s1Plane), W1));
  const pNew = m.wire('sc_partial_next', s1Part.addWrap(fit(gainW, SW)));
  const uNew = m.wire('sc_bound_next', fit(gainW.subWrap(s1Need), UW));
  const lastWord = m.wire('sc_last_word', s1Plane.eq(0).and(C === 1 ? lit(Bool, 1) : s1Chunk.eq(C - 1)));
  const above = m.wire('sc_above', gainW.gt(s1Need)); // U − θ' > 0 after the word
  const p1End = i.phase1 ? s1Forced.not().and(s1Plane.eq(B - 1)).and(C === 1 ? lit(Bool, 1) : s1Chunk.eq(C - 1)) : lit(Bool, 0);
  const stop = m.wire('sc_stop', i.prune ? s1Forced.not().and(above.not()) : p1End);
  const done = m.wire('sc_done', lastWord.or(stop));
  const keep = m.wire('sc_keep', lastWord.and(i.keepAll ? lit(Bool, 1) : s1Forced.or(above)));

  // emission in token order from the reorder buffer
  const head = m.wire('sc_head', emitted.trunc(RBW).zext(RBW));
  const keyValid = m.wire('sc_key_valid', pick(robV, head));
  const keyFire = m.wire('sc_key_fire', keyValid.and(i.keyReady));
  const stopAt = m.wire('sc_stop_entry', nextTok.trunc(RBW).zext(RBW));
  const doneAt = m.wire('sc_done_entry', s1Tok.trunc(RBW).zext(RBW));
  const s2Done = m.wire('sc_s2_done', s1v.and(done));
  // the decided key's record enters the reorder buffer one cycle later (a register: the decision
  // and the entry decode in separate cycles); its entry cannot be reused before it is emitted
  const wv = m.reg('sc_rob_write', Bool, { reset: 0 });
  const wAt = m.reg('sc_rob_write_entry', UInt(RBW));
  const wKeep = m.reg('sc_rob_write_kept', Bool);
  const wScore = m.reg('sc_rob_write_score', SInt(SW));
  wv.set(s2Done);
  m.when(s2Done, () => {
    wAt.set(doneAt);
    wKeep.set(keep);
    wScore.set(mux(keep, pNew, lit(SInt(SW), 0)));
  });
  for (let e = 0; e < RB; e++) {
    m.when(keyFire.and(head.eq(e)), () => robV[e].set(0));
    m.when(alloc.and(allocStop).and(stopAt.eq(e)), () => {
      robV[e].set(1);
      robKept[e].set(0);
      robScore[e].set(0);
    });
    m.when(wv.and(wAt.eq(e)), () => {
      robV[e].set(1);
      robKept[e].set(wKeep);
      robScore[e].set(wScore);
    });
  }

  for (let s = 0; s < Nk; s++) {
    m.when(allocSlot.and(freeSlot.eq(s)), () => {
      st[s].set(NEED);
      tok[s].set(nextTok);
      pl[s].set(B - 1);
      chk[s].set(0);
      part[s].set(fit(i.cg, SW));
      bnd[s].set(fit(i.u0, UW));
      addr[s].set(nextAddr);
      forced[s].set(allocForced);
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
  m.when(alloc, () => {
    nextTok.set(nextTok1);
    nextTok1.set(nextTok1.addWrap(1));
    nextAddr.set(nextAddr.addWrap(B * C));
  });
  m.when(keyFire, () => emitted.set(emitted.addWrap(1)));
  inFlight.set(inFlight.addWrap(alloc.zext(RBW + 1)).subWrap(keyFire.zext(RBW + 1)));
  m.when(i.clear, () => {
    nextTok.set(0);
    nextTok1.set(1);
    nextAddr.set(0);
    emitted.set(0);
    inFlight.set(0);
  });
  return {
    reqValid,
    reqAddr,
    respReady: tags.valid,
    keyValid,
    keyIndex: emitted,
    keyKept: m.wire('sc_key_kept', pick(robKept, head)),
    keyScore: m.wire('sc_key_score', pick(robScore, head)),
    emitted,
    p1Valid: m.wire('sc_p1_valid', s1v.and(p1End)),
    p1Token: s1Tok,
    p1Partial: pNew,
    p1Bound: fit(uNew, SW + 1), // topk: θ' = 0, U1 itself
  };
}
