/**
 * earlyexit RTL (README.md): Nk key slots, MSB-first plane requests through a memory read port, plane
 * sums by AND + adder tree, the prune comparator against per-row thresholds, in-order key records and a
 * row summary with counters.
 * Per row: IDLE (query accepted) -> QPLUS (Q⁺ registered) -> THR (the B thresholds
 * ⌊(θ − (2^j − 1)·Q⁺) / 2^j⌋ registered) -> RUN (keys) -> SUM (row record).
 * Slot states: FREE -> NEED (its next plane wants requesting) -> WAIT (requested) -> NEED ... -> DONE
 * (result held until it is the next key to emit) -> FREE. Key t lives in slot t mod Nk.
 * Responses pass one register stage (the beat's plane sum) before the slot update (two with decideCut).
 */
import { earlyexitInvariants } from './invariants.ts';
import { Bool, ModuleBuilder, SInt, UInt, lit, log2Ceil, moduleName, mux, type Expr, type Module, type Var } from '../../hdl/index.ts';
import { fifo, reduceTree, streamIn, streamOut, sumOp, treeLevels } from '../../hdl/lib/index.ts';
import { EARLYEXIT_DEFAULT_TREE_CUT, dimsOf, treeCutsOf, type EarlyexitConfig } from './config.ts';
import { planeBeatSum } from './rtl-plane-sum.ts';
import { decisionStage } from './rtl-decide.ts';

const [FREE, NEED, WAIT, DONE] = [0, 1, 2, 3];
const [IDLE, QPLUS, THR, RUN, SUM] = [0, 1, 2, 3, 4];

/** Sign-extends or truncates a signed value to w bits (callers guarantee the value fits). */
function fit(e: Expr, w: number): Expr {
  return e.width > w ? e.trunc(w) : e.sext(w);
}

/** `values[sel]` as a balanced mux tree on the bits of sel (sel past the end: some value, unused). */
function pick(values: readonly Expr[], sel: Expr): Expr {
  let level = [...values];
  for (let b = 0; level.length > 1; b++) {
    const next: Expr[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(i + 1 < level.length ? mux(sel.bit(b), level[i + 1], level[i]) : level[i]);
    level = next;
  }
  return level[0];
}

export function earlyexitRtl(cfg: EarlyexitConfig): Module {
  const d = dimsOf(cfg);
  const { D, Wq, B, C, SW, IW, NW, AW, PW, TW, WW } = d;
  const Nk = cfg.keyLanes;
  const SLW = log2Ceil(Nk);
  const JW = log2Ceil(B);
  const BW = log2Ceil(C);
  const PSW = Wq + treeLevels(D) + 1; // a whole plane sum (|S| ≤ D·2^(Wq−1))
  const THW = SW + 1; // thresholds (README: every bound lies inside ±2^(SW−2); θ is SW bits)
  // Cuts inside the D-input adder trees (the plane sum of a word, Q⁺ of a row): one per `treeCut`
  // adder levels (3 by default), so that no tree is a long chain of carry chains in one cycle. A tree
  // with k cuts has k + 1 register stages (reduceTree spreads them evenly; the last one is its output).
  const { qPlus: QTS, plane: PTS } = treeCutsOf(cfg);
  const cutTag: Record<string, number> = { ...(cfg.treeCut === EARLYEXIT_DEFAULT_TREE_CUT ? {} : { t: cfg.treeCut }), ...(cfg.decideCut ? { x: 1 } : {}) }; // off the defaults only
  const m = new ModuleBuilder(
    moduleName('kv_earlyexit', { d: D, q: Wq, b: B, s: cfg.keySigned, k: Nk, w: d.W, e: cfg.earlyExit, n: cfg.maxKeys, ...cutTag }),
    {
      params: { dims: D, queryBits: Wq, keyBits: B, keySigned: cfg.keySigned ? 1 : 0, keyLanes: Nk, dimsPerCycle: d.W, earlyExit: cfg.earlyExit ? 1 : 0, maxKeys: cfg.maxKeys },
      doc: 'bit-serial MSB-first q.k scores with early exit (prune when the score bound cannot exceed theta)',
    },
  );
  const query = streamIn(m, 'query', { q: SInt(Wq).vec(D), theta: SInt(SW), keys: UInt(NW) });
  const req = streamOut(m, 'mem_req', { addr: UInt(AW) });
  const resp = streamIn(m, 'mem_resp', { data: UInt(d.W) });
  const keyOut = streamOut(m, 'key', { index: UInt(IW), kept: Bool, score: SInt(SW), planes: UInt(PW), last: Bool });
  const rowOut = streamOut(m, 'row', { keys: UInt(NW), kept: UInt(NW), planes: UInt(TW), words: UInt(WW) });

  // ---- row registers and per-row constants ----------------------------------------------------
  const phase = m.reg('phase', UInt(3), { reset: IDLE });
  const qReg = m.reg('q_reg', SInt(Wq).vec(D));
  const theta = m.reg('theta', SInt(SW));
  const nKeys = m.reg('n_keys', UInt(NW));
  const qFire = m.wire('query_fire', query.valid.and(phase.eq(IDLE)));
  query.ready.set(phase.eq(IDLE));
  const qLanes = qReg.lanesOf();
  const qPos = qLanes.map((v, i) => m.wire(`q_pos_${i}`, mux(v.bit(Wq - 1), lit(SInt(Wq), 0), v)));
  const qPlusSum = reduceTree(m, 'q_plus_tree', qPos, sumOp, { stages: QTS === 0 ? 0 : QTS + 1 }).result;
  const qPlus = m.reg('q_plus', SInt(qPlusSum.width));
  const thr: Var[] = [];
  for (let j = 0; j < B; j++) {
    const bound = qPlus.shl(j).sub(qPlus); // (2^j − 1)·Q⁺
    const t = m.reg(`thr_${j}`, SInt(THW));
    m.when(phase.eq(THR), () => t.set(fit(j === 0 ? theta.sub(bound) : theta.sub(bound).shr(j), THW)));
    thr.push(t);
  }

  // ---- key slots ------------------------------------------------------------------------------
  const st = Array.from({ length: Nk }, (_, s) => m.reg(`slot${s}_state`, UInt(2), { reset: FREE }));
  const idx = Array.from({ length: Nk }, (_, s) => m.reg(`slot${s}_index`, UInt(IW)));
  const plane = Array.from({ length: Nk }, (_, s) => m.reg(`slot${s}_plane`, UInt(JW)));
  const part = Array.from({ length: Nk }, (_, s) => m.reg(`slot${s}_partial`, SInt(SW)));
  const addr = Array.from({ length: Nk }, (_, s) => m.reg(`slot${s}_addr`, UInt(AW)));
  const kept = Array.from({ length: Nk }, (_, s) => m.reg(`slot${s}_kept`, Bool));
  const nextSlot = (p: Expr): Expr => (Nk === 1 ? lit(UInt(SLW), 0) : mux(p.eq(Nk - 1), lit(UInt(SLW), 0), p.addWrap(1)));

  // Allocation: key nextKey into slot allocPtr (= nextKey mod Nk) when that slot is free.
  const nextKey = m.reg('next_key', UInt(NW), { reset: 0 });
  const nextAddr = m.reg('next_addr', UInt(AW + 1), { reset: 0 });
  const allocPtr = m.reg('alloc_ptr', UInt(SLW), { reset: 0 });
  const alloc = m.wire('alloc', phase.eq(RUN).and(nextKey.lt(nKeys)).and(pick(st, allocPtr).eq(FREE)));

  // Requests: one slot's plane at a time, its C words in beat order.
  const needBits = st.map((x) => x.eq(NEED));
  let found: Expr = lit(Bool, 0);
  let grant: Expr = lit(UInt(SLW), 0);
  for (let s = Nk - 1; s >= 0; s--) {
    grant = mux(needBits[s], lit(UInt(SLW), s), grant);
    found = found.or(needBits[s]);
  }
  const grantSlot = m.wire('grant_slot', grant);
  const grantValid = m.wire('grant_valid', found);
  const reqValid = m.reg('req_valid', Bool, { reset: 0 });
  const reqSlot = m.reg('req_slot', UInt(SLW));
  const reqAddr = m.reg('req_addr', UInt(AW));
  const reqBeat = m.reg('req_beat', UInt(BW));
  const reqLast = m.wire('req_last', C === 1 ? lit(Bool, 1) : reqBeat.eq(C - 1));
  const reqFire = m.wire('req_fire', reqValid.and(req.ready));
  const reqLoad = m.wire('req_load', reqValid.not().or(reqFire.and(reqLast)));
  req.valid.set(reqValid);
  req.bits.addr.set(reqAddr);
  m.when(reqLoad, () => {
    reqValid.set(grantValid);
    reqSlot.set(grantSlot);
    reqAddr.set(pick(addr, grantSlot));
    reqBeat.set(0);
  }).elseWhen(reqFire, () => {
    reqAddr.set(reqAddr.addWrap(1));
    reqBeat.set(reqBeat.addWrap(1));
  });

  // Tags of the outstanding words (slot, beat, first, last), in request order; at most Nk·C.
  const depth = 2 ** Math.max(1, Math.ceil(Math.log2(Nk * C)));
  const tagIn = { valid: reqFire, ready: m.wire('tag_in_ready', Bool), bits: { slot: reqSlot, beat: reqBeat, last: reqLast } };
  const tags = fifo(m, 'tags', { fields: { slot: UInt(SLW), beat: UInt(BW), last: Bool }, ...tagIn }, depth);
  resp.ready.set(tags.valid);
  const respFire = m.wire('resp_fire', resp.valid.and(tags.valid));
  tags.ready.set(respFire);

  // Stage 1: the beat's plane sum.
  // without cuts the tree is combinational and s1_sum registers it; with cuts its own output
  // register is stage 1's sum (PTS + 1 cycles after the response)
  const beatSum = planeBeatSum(m, d, qLanes, resp.bits.data, tags.bits.beat, PTS === 0 ? 0 : PTS + 1);
  const s1Valid = m.reg('s1_valid', Bool, { reset: 0 });
  const s1SumReg = PTS === 0 ? m.reg('s1_sum', SInt(PSW)) : undefined;
  const s1Sum = s1SumReg ?? m.wire('s1_sum', fit(beatSum, PSW));
  const s1Slot = m.reg('s1_slot', UInt(SLW));
  const s1First = C > 1 ? m.reg('s1_first', Bool) : undefined; // the plane's first beat (C > 1)
  const s1Last = m.reg('s1_last', Bool);
  // The slot's plane index, partial and threshold, picked here: a slot has one plane in flight, so
  // they cannot change before this plane's update in stage 2.
  const s1Plane = m.reg('s1_plane', UInt(JW));
  const s1Partial = m.reg('s1_partial', SInt(SW));
  // The prune test P_new <= thr_j, rearranged so that stage 2 compares the plane sum S alone
  // (its adder and the comparison are then not in series with P_new = 2P + S):
  //   other planes: 2P + S <= thr  <=>  S <= thr - 2P;
  //   MSB plane, unsigned keys: S <= thr;  signed keys: -S <= thr  <=>  !(S <= -thr - 1).
  const CMPW = THW + 2;
  const s1Cmp = m.reg('s1_cmp', SInt(CMPW));
  const s1CmpInv = m.reg('s1_cmp_inv', Bool);
  const tagPlane = m.wire('tag_plane', pick(plane, tags.bits.slot));
  const tagPartial = m.wire('tag_partial', pick(part, tags.bits.slot));
  /** The bound stage 2 compares S with, and whether to invert the result, for a plane and partial. */
  const cmpOf = (pl: Expr, partial: Expr, at: string, picked?: { thr: Expr; msb: Expr }): { cmp: Expr; inv: Expr } => {
    const t = picked?.thr ?? m.wire(`${at}_thr`, pick(thr, pl));
    const msb = picked?.msb ?? m.wire(`${at}_msb`, pl.eq(B - 1));
    const msbCmp = cfg.keySigned ? t.not() : t;
    return { cmp: mux(msb, fit(msbCmp, CMPW), fit(t.sub(partial.shl(1)), CMPW)), inv: cfg.keySigned ? msb : lit(Bool, 0) };
  };
  // The word's tag and slot state travel beside the plane tree's register stages (the slot's partial and
  // plane cannot change meanwhile: its plane is still in flight). With cuts, the bound is computed in the last
  // of those stages from their registers; with two or more, the threshold is picked in the second (early_thr).
  let pv: Expr = respFire;
  let pb: Record<string, Expr> = {
    slot: tags.bits.slot,
    first: tags.bits.beat.eq(0),
    last: tags.bits.last,
    plane: tagPlane,
    partial: tagPartial,
  };
  if (PTS === 0) Object.assign(pb, cmpOf(tagPlane, tagPartial, 'tag'));
  for (let t = 0; t < (PTS === 0 ? 0 : PTS + 1) - 1; t++) {
    if (t === 1) Object.assign(pb, { thr: m.wire('early_thr', pick(thr, pb.plane)), msb: m.wire('early_msb', pb.plane.eq(B - 1)) });
    const v = m.reg(`tree${t}_valid`, Bool, { reset: 0 });
    v.set(pv);
    const nb: Record<string, Expr> = {};
    for (const [k, e] of Object.entries(pb)) {
      if (k === 'first' && C === 1) continue;
      const r = m.reg(`tree${t}_${k}`, e.type);
      m.when(pv, () => r.set(e));
      nb[k] = r;
    }
    pv = v;
    pb = nb;
  }
  s1Valid.set(pv);
  m.when(pv, () => {
    s1SumReg?.set(fit(beatSum, PSW));
    s1Slot.set(pb.slot);
    s1First?.set(pb.first);
    s1Last.set(pb.last);
    s1Plane.set(pb.plane);
    s1Partial.set(pb.partial);
  });
  const late = PTS === 0 ? { cmp: pb.cmp, inv: pb.inv } : cmpOf(pb.plane, pb.partial, 'late', pb.thr && pb.msb ? { thr: pb.thr, msb: pb.msb } : undefined);
  m.when(pv, () => {
    s1Cmp.set(late.cmp);
    s1CmpInv.set(late.inv);
  });

  // Stage 2: the plane sum S (over C beats), P ← 2P + S (or ±S for the MSB plane), the prune test.
  // one beat per plane (C = 1): the beat's sum is the plane sum, no accumulator in the path
  const beatAcc = C > 1 ? m.reg('beat_acc', SInt(PSW)) : undefined;
  const planeSum = m.wire('plane_sum', !beatAcc || !s1First ? s1Sum : fit(mux(s1First, lit(SInt(PSW), 0), beatAcc).add(s1Sum), PSW));
  const jSel = s1Plane;
  const pSel = s1Partial;
  const msb = jSel.eq(B - 1);
  const msbValue = cfg.keySigned ? planeSum.neg() : planeSum;
  const pNew = m.wire('partial_next', mux(msb, fit(msbValue, SW), fit(pSel.shl(1).add(planeSum), SW)));
  const belowBound = m.wire('below_bound', planeSum.sext(CMPW).le(s1Cmp).xor(s1CmpInv)); // A_j + (2^j − 1)·Q⁺ ≤ θ
  const lastPlane = jSel.eq(0);
  const keyDone = m.wire('decide_stop', cfg.earlyExit ? belowBound.or(lastPlane) : lastPlane);
  const keyKept = m.wire('decide_keep', lastPlane.and(belowBound.not()));
  const planeDone = m.wire('plane_done', s1Valid.and(s1Last));
  if (beatAcc) m.when(s1Valid.and(s1Last.not()), () => beatAcc.set(planeSum));

  const up = decisionStage(m, cfg.decideCut, { done: planeDone, slot: s1Slot, stop: keyDone, keep: keyKept, partial: pNew }); // slot update; then the output
  const outPtr = m.reg('out_ptr', UInt(SLW), { reset: 0 });
  const emitted = m.reg('emitted', UInt(NW), { reset: 0 });
  const keyFire = m.wire('key_fire', keyOut.valid.and(keyOut.ready));
  keyOut.valid.set(pick(st, outPtr).eq(DONE));
  keyOut.bits.index.set(pick(idx, outPtr));
  keyOut.bits.kept.set(pick(kept, outPtr));
  keyOut.bits.score.set(pick(part, outPtr));
  keyOut.bits.planes.set(lit(UInt(PW), B).sub(pick(plane, outPtr).zext(Math.max(PW, JW))).trunc(PW));
  keyOut.bits.last.set(emitted.addWrap(1).eq(nKeys));

  for (let s = 0; s < Nk; s++) {
    m.when(alloc.and(allocPtr.eq(s)), () => {
      st[s].set(NEED);
      idx[s].set(nextKey.trunc(IW));
      plane[s].set(B - 1);
      addr[s].set(nextAddr.trunc(AW));
    });
    m.when(reqLoad.and(grantValid).and(grantSlot.eq(s)), () => st[s].set(WAIT));
    m.when(up.done.and(up.slot.eq(s)), () => {
      st[s].set(mux(up.stop, lit(UInt(2), DONE), lit(UInt(2), NEED)));
      kept[s].set(up.keep);
      part[s].set(mux(up.stop.and(up.keep.not()), lit(SInt(SW), 0), up.partial));
      m.when(up.stop.not(), () => {
        plane[s].set(plane[s].subWrap(1));
        addr[s].set(addr[s].addWrap(C % 2 ** AW)); // C = 2^AW only when n = B = 1 (a single plane: never stepped)
      });
    });
    m.when(keyFire.and(outPtr.eq(s)), () => st[s].set(FREE));
  }

  // ---- counters and the row FSM ---------------------------------------------------------------
  const cntKept = m.reg('count_kept', UInt(NW), { reset: 0 });
  const cntPlanes = m.reg('count_planes', UInt(TW), { reset: 0 });
  const cntWords = m.reg('count_words', UInt(WW), { reset: 0 });
  m.when(qFire, () => {
    qReg.set(query.bits.q);
    theta.set(query.bits.theta);
    nKeys.set(query.bits.keys);
    phase.set(QPLUS);
    nextKey.set(0);
    nextAddr.set(0);
    allocPtr.set(0);
    outPtr.set(0);
    emitted.set(0);
    cntKept.set(0);
    cntPlanes.set(0);
    cntWords.set(0);
  });
  if (QTS === 0) {
    m.when(phase.eq(QPLUS), () => {
      qPlus.set(qPlusSum);
      phase.set(THR);
    });
  } else {
    // the tree's output register holds Q⁺ of q_reg QTS + 1 cycles after QPLUS begins
    const qpWait = m.reg('q_plus_wait', UInt(log2Ceil(QTS + 2)), { reset: 0 });
    m.when(phase.eq(QPLUS), () => {
      m.when(qpWait.eq(QTS + 1), () => {
        qPlus.set(qPlusSum);
        phase.set(THR);
        qpWait.set(0);
      }).otherwise(() => qpWait.set(qpWait.addWrap(1)));
    });
  }
  m.when(phase.eq(THR), () => phase.set(RUN));
  m.when(phase.eq(RUN).and(emitted.eq(nKeys)), () => phase.set(SUM));
  m.when(rowOut.valid.and(rowOut.ready), () => phase.set(IDLE));
  m.when(alloc, () => {
    nextKey.set(nextKey.addWrap(1));
    nextAddr.set(nextAddr.addWrap(B * C));
    allocPtr.set(nextSlot(allocPtr));
  });
  m.when(keyFire, () => {
    outPtr.set(nextSlot(outPtr));
    emitted.set(emitted.addWrap(1));
    cntKept.set(cntKept.addWrap(pick(kept, outPtr).zext(NW)));
  });
  m.when(planeDone, () => cntPlanes.set(cntPlanes.addWrap(1)));
  m.when(reqFire, () => cntWords.set(cntWords.addWrap(1)));

  rowOut.valid.set(phase.eq(SUM));
  rowOut.bits.keys.set(nKeys);
  rowOut.bits.kept.set(cntKept);
  rowOut.bits.planes.set(cntPlanes);
  rowOut.bits.words.set(cntWords);
  earlyexitInvariants(m, { planeDone, stop: keyDone, plane: jSel, partial: pNew, qPlus, theta, reqValid, reqAddr, nKeys, wordsPerKey: B * C, earlyExit: cfg.earlyExit });
  return m.build();
}
