/**
 * attention RTL top (README.md "Hardware"): the row sequencer, the region bases, the one memory
 * read port shared by the phases, the key stream (with the kept/score memory and the running
 * maximum), the divider and the output and row streams.
 *
 * Per row: IDLE (query accepted) -> DIVN (⌊n/R⌋, bit-serial) -> BASES -> per key group g:
 * GQ0 -> GQ (scale and min rows: q̃, Q⁺, c_g) -> GQW (U0) -> KEYS (the group's tokens, Nk slots)
 * -> then RESK0 -> RESK (residual keys) -> VAL (weights, values, accumulators) -> SUM (row
 * record) -> IDLE; the D divisions (out stream) run beside the next row until its VAL phase.
 */
import { Bool, ModuleBuilder, SInt, UInt, lit, log2Ceil, moduleName, mux, type Expr, type Module } from '../../hdl/index.ts';
import { streamIn, streamOut } from '../../hdl/lib/index.ts';
import { fpIntQuotient } from '../../hdl/lib/float/int-quotient.ts';
import { pipelineNameParts, type AttentionConfig } from './config.ts';
import { rtlDims } from './rtl-dims.ts';
import { KIND_MIN, KIND_RESID, KIND_SCALE, keyRows } from './rtl-keyrows.ts';
import { keyScorer } from './rtl-scorer.ts';
import { valuePath, type Walk } from './rtl-values.ts';
import { valueScaleExp } from './fixed.ts';
import { topkPath } from './rtl-topk.ts';
import { attentionInvariants } from './invariants.ts';

/** The row sequencer's phases (the `phase` register's values; bench/attention-rtl-phases.ts names them). */
export const PH = { IDLE: 0, DIVN: 1, BASES: 2, GQ0: 3, GQ: 4, GQW: 5, KEYS: 6, RESK0: 7, RESK: 8, VAL: 9, SUM: 10, SORT: 11, P2: 12, FIN: 13 };

/** Test hook (mutation test only): 'lag' runs topk's running threshold with Λ − 1 instead of Λ. */
export interface AttentionRtlOptions {
  topkMutation?: 'lag';
}

function cmul(x: Expr, c: number, w: number): Expr {
  if (c === 0) return lit(UInt(w), 0);
  const p = x.mul(lit(UInt(Math.max(1, Math.ceil(Math.log2(c + 1)))), c));
  return p.width >= w ? p.trunc(w) : p.zext(w);
}

export function attentionRtl(cfg: AttentionConfig, opts: AttentionRtlOptions = {}): Module {
  const d = rtlDims(cfg);
  const topk = cfg.selection === 'topk';
  const { D, W, B, C, G, R, H16, SW, NW, AW, THW } = d;
  const m = new ModuleBuilder(
    moduleName(`kv_attention_${cfg.format}`, { d: D, w: W, b: B, v: d.bv, g: G, r: R, n: cfg.maxKeys, s: cfg.selection, e: cfg.earlyExit, k: cfg.keyLanes, q: d.WQ, f: d.F, sk: cfg.sink, ...(d.nuq ? { nuq: cfg.valueTrimMax } : {}), ...pipelineNameParts(d.pipe) }),
    {
      params: { dims: D, dimsPerCycle: W, keyBits: B, valueBits: d.bv, groupSize: G, residual: R, maxKeys: cfg.maxKeys, keyLanes: cfg.keyLanes, queryBits: d.WQ, scoreFrac: d.F, sink: cfg.sink, ...(d.nuq ? { valueTrimMax: cfg.valueTrimMax } : {}) },
      doc: 'decode attention over a KIVI cache image: bit-serial key scores with early exit, exp2 softmax, dequantized values, one rounding per output',
    },
  );
  const query = streamIn(m, 'query', { q: UInt(16).vec(D), theta: SInt(THW), n: UInt(NW) });
  const req = streamOut(m, 'mem_req', { addr: UInt(AW) });
  const resp = streamIn(m, 'mem_resp', { data: UInt(W) });
  const keyOut = streamOut(m, 'key', { index: UInt(NW), kept: Bool, score: SInt(SW), last: Bool });
  const out = streamOut(m, 'out', { value: UInt(16), last: Bool });
  const rowOut = streamOut(m, 'row', { kept: UInt(NW), words: UInt(AW) });

  const phase = m.reg('phase', UInt(4), { reset: PH.IDLE });
  const at = (p: number): Expr => phase.eq(p);
  const qReg = m.reg('q_reg', UInt(16).vec(D));
  const theta = m.reg('theta', SInt(THW));
  const n = m.reg('n', UInt(NW));
  query.ready.set(at(PH.IDLE));
  const qFire = m.wire('query_fire', query.valid.and(at(PH.IDLE)));

  // ---- ⌊n/R⌋ (restoring, one bit per cycle), Tk, Tv, key groups, region bases ----------------
  const RB = log2Ceil(R + 1) + 1;
  const dvRem = m.reg('divn_rem', UInt(RB));
  const dvN = m.reg('divn_n', UInt(NW));
  const dvQ = m.reg('divn_q', UInt(NW));
  const dvCount = m.reg('divn_count', UInt(log2Ceil(NW + 1)));
  const rem2 = dvRem.trunc(RB - 1).shl(1).or(dvN.bit(NW - 1).zext(RB));
  const geR = rem2.ge(R);
  const tk = m.reg('tk', UInt(NW));
  const tv = m.reg('tv', UInt(NW));
  const groups = m.reg('groups', UInt(NW));
  const bKsm = m.reg('base_key_scale_min', UInt(AW));
  const bKr = m.reg('base_key_residual', UInt(AW));
  const bVc = m.reg('base_value_codes', UInt(AW));
  const bVsm = m.reg('base_value_scale_min', UInt(AW));
  const bVr = m.reg('base_value_residual', UInt(AW));
  const bVcb = d.nuq ? m.reg('base_value_codebook', UInt(AW)) : undefined;
  m.when(at(PH.DIVN), () => {
    dvRem.set(mux(geR, rem2.subWrap(R), rem2));
    dvQ.set(dvQ.trunc(NW - 1 || 1).shl(NW > 1 ? 1 : 0).trunc(NW).or(geR.zext(NW)));
    dvN.set(dvN.shl(1).trunc(NW));
    dvCount.set(dvCount.addWrap(1));
    m.when(dvCount.eq(NW - 1), () => phase.set(PH.BASES));
  });
  m.when(at(PH.BASES), () => {
    const tkv = cmul(dvQ, R, NW);
    const ngv = cmul(dvQ, R / G, NW);
    const tvv = mux(n.gt(R), n.subWrap(R), lit(UInt(NW), 0));
    tk.set(tkv);
    groups.set(ngv);
    tv.set(tvv);
    const ksm = cmul(tkv, B * C, AW);
    const kr = ksm.addWrap(cmul(ngv, 2 * H16, AW));
    const vc = kr.addWrap(cmul(n.subWrap(tkv), H16, AW));
    const vsm = vc.addWrap(cmul(tvv, d.VC, AW));
    bKsm.set(ksm);
    bKr.set(kr);
    bVc.set(vc);
    bVsm.set(vsm);
    const vr = vsm.addWrap(cmul(tvv, d.MV, AW));
    bVr.set(vr);
    if (bVcb) bVcb.set(vr.addWrap(cmul(n.subWrap(tvv), H16, AW)));
  });

  // ---- the memory port ------------------------------------------------------------------------
  const respFire = m.wire('resp_fire', resp.valid.and(resp.ready));
  const reqFire = m.wire('req_fire', req.valid.and(req.ready));
  const outstanding = m.reg('outstanding', UInt(AW + 1), { reset: 0 });
  m.when(reqFire.and(respFire.not()), () => outstanding.set(outstanding.addWrap(1))).elseWhen(respFire.and(reqFire.not()), () => outstanding.set(outstanding.subWrap(1)));
  const words = m.reg('count_words', UInt(AW), { reset: 0 });
  m.when(reqFire, () => words.set(words.addWrap(1)));

  // ---- key rows (GQ, RESK) ----------------------------------------------------------------------
  const krAddr = m.reg('kr_addr', UInt(AW));
  const krLeft = m.reg('kr_left', UInt(AW));
  const krWord = m.reg('kr_rx_word', UInt(log2Ceil(H16 + 1)), { reset: 0 });
  const krMin = m.reg('kr_rx_min', Bool, { reset: 0 });
  const krPhase = m.wire('kr_phase', at(PH.GQ).or(at(PH.RESK)));
  const krRespFire = m.wire('kr_resp_fire', krPhase.and(respFire));
  const keyFire = m.wire('key_fire', keyOut.valid.and(keyOut.ready));
  const krTake = m.wire('kr_take', Bool);
  const kr = keyRows(m, d, {
    qReg,
    fire: krRespFire,
    data: resp.bits.data,
    kind: mux(at(PH.RESK), lit(UInt(2), KIND_RESID), mux(krMin, lit(UInt(2), KIND_MIN), lit(UInt(2), KIND_SCALE))),
    word: krWord,
    take: krTake,
    clear: at(PH.GQ0).or(at(PH.RESK0)),
  });
  m.when(krRespFire, () => {
    m.when(krWord.eq(H16 - 1), () => {
      krWord.set(0);
      krMin.set(krMin.not());
    }).otherwise(() => krWord.set(krWord.addWrap(1)));
  });
  const krReqValid = m.wire('kr_req_valid', krPhase.and(krLeft.ne(0)));
  m.when(krReqValid.and(req.ready), () => {
    krAddr.set(krAddr.addWrap(1));
    krLeft.set(krLeft.subWrap(1));
  });
  const krDrained = m.wire('kr_drained', krLeft.eq(0).and(outstanding.eq(0)).and(kr.empty));
  const g = m.reg('group', UInt(NW));
  const groupEnd = m.reg('group_end', UInt(NW));
  // U0 − θ' of the group (θ' = θ in threshold mode, else 0): the scorer's bounds are kept relative
  // to θ, so a decision is one compare (README "Hardware")
  const u0 = m.reg('u0_rel', SInt(SW + 2));
  const rkTok = m.reg('rk_token', UInt(NW));

  // ---- the scorer (KEYS) ----------------------------------------------------------------------
  const recentFrom = m.reg('recent_from', UInt(NW));
  m.when(at(PH.BASES), () => recentFrom.set(mux(n.gt(R), n.subWrap(R), lit(UInt(NW), 0))));
  const sc = keyScorer(m, d, cfg.sink, cfg.keyLanes, {
    run: at(PH.KEYS),
    end: groupEnd,
    recentFrom,
    prune: cfg.selection === 'threshold' && cfg.earlyExit,
    keepAll: cfg.selection === 'none',
    phase1: topk,
    qt: kr.qt,
    qpc: kr.qpc,
    cg: kr.cg,
    u0,
    reqReady: at(PH.KEYS).and(req.ready),
    respValid: at(PH.KEYS).and(resp.valid),
    respData: resp.bits.data,
    keyReady: at(PH.KEYS).and(topk ? lit(Bool, 1) : keyOut.ready),
    clear: qFire,
  });

  // ---- key records, kept/score memory, maximum ---------------------------------------------------
  // Without topk the key records of KEYS and RESK are the key stream. With topk they only fill the
  // kept/score memory (forced tokens kept; bit SW + 1: a completed candidate); the key stream comes
  // from the value phase's walk after phase 2 (rtl-topk*.ts).
  const scoreMem = m.mem('score_mem', UInt(topk ? SW + 2 : SW + 1), d.SMD);
  const inKeys = at(PH.KEYS);
  const recValid = m.wire('key_rec_valid', mux(inKeys, sc.keyValid, at(PH.RESK).and(kr.recValid)));
  const kIndex = m.wire('key_sel_index', mux(inKeys, sc.keyIndex, rkTok));
  const kKept = m.wire('key_sel_kept', mux(inKeys, sc.keyKept, lit(Bool, 1)));
  const kScore = m.wire('key_sel_score', mux(inKeys, sc.keyScore, kr.recScore));
  const recFire = topk ? m.wire('key_rec_fire', recValid) : keyFire;
  const maxScore = m.reg('max_score', SInt(SW));
  const keptCount = m.reg('count_kept', UInt(NW), { reset: 0 });
  const smW = m.wire('score_mem_write', Bool);
  const smAddr = m.wire('score_mem_addr', UInt(d.SMA));
  const smData = m.wire('score_mem_data', UInt(topk ? SW + 2 : SW + 1));
  const record = (kept: Expr, score: Expr): Expr => kept.asUInt().zext(1).shl(SW).or(score.asUInt().zext(SW + 1)).trunc(SW + 1).zext(topk ? SW + 2 : SW + 1);
  smW.set(recFire);
  smAddr.set(kIndex.trunc(d.SMA));
  smData.set(record(kKept, kScore));
  m.when(smW, () => scoreMem.write(smAddr, smData));
  if (!topk) {
    keyOut.valid.set(recValid);
    keyOut.bits.index.set(kIndex);
    keyOut.bits.kept.set(kKept);
    keyOut.bits.score.set(kScore);
    keyOut.bits.last.set(kIndex.addWrap(1).eq(n));
    m.when(keyFire.and(kKept), () => {
      keptCount.set(keptCount.addWrap(1));
      m.when(keptCount.eq(0).or(kScore.gt(maxScore)), () => maxScore.set(kScore));
    });
  }
  m.when(at(PH.RESK).and(recFire), () => rkTok.set(rkTok.addWrap(1)));
  krTake.set(at(PH.RESK).and(recFire));

  // ---- topk: phase-1 buffer, q̃ per group, the sort, phase 2, the heap ------------------------
  let p2: { reqValid: Expr; reqAddr: Expr; respReady: Expr } | null = null;
  let finDone: Expr | null = null;
  let topkWalk: ((w: Walk) => void) | null = null;
  let keptOf: ((rec: Expr) => Expr) | undefined;
  const reskDone = m.wire('resk_done', at(PH.RESK).and(krDrained).and(kr.recValid.not()));
  if (topk) {
    const t = topkPath(m, d, cfg, {
      qFire,
      g,
      kr,
      gqw: at(PH.GQW),
      sc,
      recentFrom,
      n,
      inSort: at(PH.SORT),
      inP2: at(PH.P2),
      inFin: at(PH.FIN),
      inVal: at(PH.VAL),
      rec: { fire: recFire, kept: kKept, score: kScore },
      req,
      resp,
      respFire,
      scoreMem,
      maxScore,
      keptCount,
      keyOut,
      lag: opts.topkMutation === 'lag' ? cfg.keyLanes - 1 : cfg.keyLanes,
    });
    p2 = t.p2;
    // the scoreMem write port: records of KEYS/RESK, consumed candidates (P2)
    smW.set(recFire.or(t.memWrite));
    smAddr.set(mux(t.memWrite, t.memAddr, kIndex.trunc(d.SMA)));
    smData.set(mux(t.memWrite, t.memData, record(kKept, kScore)));
    m.when(reskDone, () => phase.set(PH.SORT));
    m.when(t.sortDone, () => phase.set(PH.P2));
    m.when(t.p2Done, () => phase.set(PH.FIN));
    finDone = t.finDone;
    topkWalk = t.attachWalk;
    keptOf = t.keptOf;
  }

  // ---- values (with topk the walker is also the key stream) --------------------------------------
  const vp = valuePath(m, d, {
    run: at(PH.VAL),
    clear: qFire,
    n,
    tv,
    maxScore,
    scoreMem,
    bases: { vc: bVc, vsm: bVsm, vr: bVr, ...(bVcb ? { vcb: bVcb } : {}) },
    reqReady: at(PH.VAL).and(req.ready),
    respFire: at(PH.VAL).and(respFire),
    respData: resp.bits.data,
    ...(topk ? { keptOf, keyReady: keyOut.ready } : {}),
  });
  if (topkWalk) topkWalk(vp.walk);

  // ---- request / response routing ----------------------------------------------------------------
  const p2Req = p2 ?? { reqValid: lit(Bool, 0), reqAddr: lit(UInt(AW), 0), respReady: lit(Bool, 0) };
  req.valid.set(mux(krPhase, krReqValid, mux(inKeys, sc.reqValid, mux(at(PH.P2), p2Req.reqValid, at(PH.VAL).and(vp.reqValid)))));
  req.bits.addr.set(mux(krPhase, krAddr, mux(inKeys, sc.reqAddr, mux(at(PH.P2), p2Req.reqAddr, vp.reqAddr))));
  resp.ready.set(mux(krPhase, kr.advance, mux(inKeys, sc.respReady, mux(at(PH.P2), p2Req.respReady, at(PH.VAL)))));

  // ---- divider and output ----------------------------------------------------------------------
  // The D divisions of a row run beside the next row's key phases (its VAL phase waits for them).
  const divBusy = m.reg('div_busy', Bool, { reset: 0 });
  const divDen = m.reg('div_den', UInt(d.DENW));
  const sent = m.reg('div_sent', UInt(log2Ceil(D + 1)), { reset: 0 });
  const outCount = m.reg('out_count', UInt(log2Ceil(D + 1)), { reset: 0 });
  const dv = fpIntQuotient(m, 'div', d.f, { valid: divBusy.and(sent.lt(D)), num: vp.acc[0], den: divDen }, out.ready, valueScaleExp(d.f));
  const divAccept = m.wire('div_take', divBusy.and(sent.lt(D)).and(dv.inReady));
  m.when(divAccept, () => {
    sent.set(sent.addWrap(1));
    for (let k = 0; k < D; k++) vp.acc[k].set(k === D - 1 ? lit(SInt(d.ACCW), 0) : vp.acc[k + 1]);
  });
  out.valid.set(dv.outValid);
  out.bits.value.set(dv.result);
  out.bits.last.set(outCount.eq(D - 1));
  const outFire = m.wire('out_fire', out.valid.and(out.ready));
  m.when(outFire, () => {
    outCount.set(outCount.addWrap(1));
    m.when(outCount.eq(D - 1), () => divBusy.set(0));
  });

  // ---- the row sequencer ------------------------------------------------------------------------
  m.when(qFire, () => {
    qReg.set(query.bits.q);
    theta.set(query.bits.theta);
    n.set(query.bits.n);
    dvRem.set(0);
    dvN.set(query.bits.n);
    dvQ.set(0);
    dvCount.set(0);
    words.set(0);
    keptCount.set(0);
    g.set(0);
    groupEnd.set(0);
    phase.set(PH.DIVN);
  });
  m.when(at(PH.BASES), () => {
    krAddr.set(cmul(cmul(dvQ, R, NW), B * C, AW));
    phase.set(mux(cmul(dvQ, R / G, NW).eq(0), lit(UInt(4), PH.RESK0), lit(UInt(4), PH.GQ0)));
  });
  m.when(at(PH.GQ0), () => {
    krLeft.set(2 * H16);
    krWord.set(0);
    krMin.set(0);
    phase.set(PH.GQ);
  });
  m.when(at(PH.GQ).and(krDrained), () => phase.set(PH.GQW));
  m.when(at(PH.GQW), () => {
    const u0abs = kr.cg.sext(SW + 1).addWrap(kr.qplus.shl(B).sub(kr.qplus).sext(Math.max(SW + 1, d.QPW + B + 1)).trunc(SW + 1));
    u0.set(cfg.selection === 'threshold' ? u0abs.sext(SW + 2).subWrap(theta.sext(SW + 2)) : u0abs.sext(SW + 2));
    groupEnd.set(groupEnd.addWrap(G));
    phase.set(PH.KEYS);
  });
  m.when(inKeys.and(sc.emitted.eq(groupEnd)), () => {
    g.set(g.addWrap(1));
    phase.set(mux(g.addWrap(1).eq(groups), lit(UInt(4), PH.RESK0), lit(UInt(4), PH.GQ0)));
  });
  m.when(at(PH.RESK0), () => {
    krLeft.set(cmul(n.subWrap(tk), H16, AW));
    krWord.set(0);
    krMin.set(0);
    rkTok.set(tk);
    phase.set(PH.RESK);
  });
  if (!topk) m.when(reskDone.and(divBusy.not()), () => phase.set(PH.VAL));
  if (finDone) m.when(finDone.and(divBusy.not()), () => phase.set(PH.VAL));
  m.when(at(PH.VAL).and(vp.done), () => {
    divBusy.set(1);
    divDen.set(vp.den);
    sent.set(0);
    outCount.set(0);
    phase.set(PH.SUM);
  });
  rowOut.valid.set(at(PH.SUM));
  rowOut.bits.kept.set(keptCount);
  rowOut.bits.words.set(words);
  m.when(rowOut.valid.and(rowOut.ready), () => phase.set(PH.IDLE));
  attentionInvariants(m, d, { n, tk, tv, groups, keptCount, maxKeys: cfg.maxKeys });
  return m.build();
}
