/**
 * The value side (README.md §4–§5, "Hardware"): a walker reads the kept flags and scores back in
 * token order (one token per cycle), turns z = M − S into the weight p (exp2Weight) and sums
 * DEN = Σ p; kept tokens queue for the value request generator, which fetches a quantized token's
 * scale/min record (MV words) then its codes (b_v·D/W words), or a residual token's H16 words.
 * Responses (in order) fill the record register or pass through CPW = W/b_v dequantizer lanes
 * (fpMul, fpAdd of the float library; residual halves bypass them), become the integers
 * V = v̂·2^ES, are multiplied by p and added into the D signed accumulators NUM_d.
 */
import { Bool, SInt, UInt, cat, lit, log2Ceil, mux, type Expr, type MemoryHandle, type ModuleBuilder, type Var } from '../../hdl/index.ts';
import { fifo } from '../../hdl/lib/index.ts';
import { fpFromUInt } from '../../hdl/lib/float/from-uint.ts';
import { fpMul } from '../../hdl/lib/float/mul.ts';
import { fpAdd } from '../../hdl/lib/float/add.ts';
import { floatFields } from '../../hdl/lib/float/unpack.ts';
import { exp2Weight } from './rtl-exp2.ts';
import { pick } from './rtl-slot-requests.ts';
import type { RtlDims } from './rtl-dims.ts';

export interface ValuesIn {
  run: Expr;
  clear: Expr;
  n: Expr;
  tv: Expr;
  maxScore: Expr;
  scoreMem: MemoryHandle;
  bases: { vc: Expr; vsm: Expr; vr: Expr };
  reqReady: Expr;
  respFire: Expr;
  respData: Expr;
  /**
   * topk: the kept flag of a walked record (instead of its kept bit), and the key stream's ready:
   * the walker then also is the key stream (one record per token, `walk`).
   */
  keptOf?: (rec: Expr) => Expr;
  keyReady?: Expr;
}

export interface Walk {
  /** a token's record is offered (valid), taken (fire); its token, kept flag and score */
  valid: Expr;
  fire: Expr;
  token: Expr;
  kept: Expr;
  score: Expr;
}

export interface Values {
  reqValid: Expr;
  reqAddr: Expr;
  done: Expr;
  den: Var;
  acc: Var[];
  walk: Walk;
}

function cmul(x: Expr, c: number, w: number): Expr {
  if (c === 0) return lit(UInt(w), 0);
  const p = x.mul(lit(UInt(Math.max(1, Math.ceil(Math.log2(c + 1)))), c));
  return p.width >= w ? p.trunc(w) : p.zext(w);
}

export function valuePath(m: ModuleBuilder, d: RtlDims, i: ValuesIn): Values {
  const { NW, AW, SW, F, D, G, W, MV, VC, H16, CPW, LT, bv, VW, ACCW, DENW } = d;
  const f = d.f;
  // ---- walker ---------------------------------------------------------------------------------
  const wNext = m.reg('vw_next', UInt(NW), { reset: 0 });
  const wValid = m.reg('vw_valid', Bool, { reset: 0 });
  const wTok = m.reg('vw_token', UInt(NW));
  const tokIn = { valid: m.wire('vw_push', Bool), ready: m.wire('vw_push_ready', Bool) };
  const rdEn = m.wire('vw_read', Bool);
  const rec = i.scoreMem.read('vw_rec', wNext.trunc(d.SMA), rdEn);
  const recKept = i.keptOf ? m.wire('vw_kept', i.keptOf(rec)) : rec.bit(SW);
  const recScore = rec.slice(SW - 1, 0).asSInt();
  // the record may go (to the token FIFO if kept); with a key stream, it goes to both (a fork:
  // `vw_pushed` remembers a FIFO push made while the key stream waits, so the FIFO's valid never
  // depends on the key stream's ready and stays high until taken, as the stream contract wants)
  const pushed = i.keyReady ? m.reg('vw_pushed', Bool, { reset: 0 }) : undefined;
  const offer = m.wire('vw_offer', wValid.and(pushed ? recKept.not().or(tokIn.ready).or(pushed) : recKept.not().or(tokIn.ready)));
  const consume = m.wire('vw_consume', i.keyReady ? offer.and(i.keyReady) : offer);
  rdEn.set(i.run.and(wNext.lt(i.n)).and(wValid.not().or(consume)));
  const zW = Math.max(SW + 1, F + 1);
  const z = m.wire('vw_z', i.maxScore.sub(recScore).asUInt().zext(zW));
  const p = exp2Weight(m, 'vw_exp', z, F).result;
  tokIn.valid.set(pushed ? wValid.and(recKept).and(pushed.not()) : wValid.and(recKept));
  if (pushed) m.when(consume, () => pushed.set(0)).elseWhen(tokIn.valid.and(tokIn.ready), () => pushed.set(1));
  const den = m.reg('den', UInt(DENW), { reset: 0 });
  m.when(rdEn, () => {
    wNext.set(wNext.addWrap(1));
    wTok.set(wNext);
    wValid.set(1);
  }).elseWhen(consume, () => wValid.set(0));
  m.when(tokIn.valid.and(tokIn.ready), () => den.set(den.addWrap(p.zext(DENW))));
  m.when(i.clear, () => {
    wNext.set(0);
    den.set(0);
  });
  const toks = fifo(m, 'vw_tokens', { fields: { t: UInt(NW), p: UInt(17) }, ...tokIn, bits: { t: wTok, p } }, 4);

  // ---- request generator ----------------------------------------------------------------------
  const active = m.reg('vr_active', Bool, { reset: 0 });
  const quant = m.reg('vr_quant', Bool);
  const left = m.reg('vr_left', UInt(log2Ceil(Math.max(MV + VC, H16) + 1)));
  const toMV = m.reg('vr_to_codes', UInt(log2Ceil(Math.max(MV + VC, H16) + 1)));
  const addr = m.reg('vr_addr', UInt(AW));
  const jump = m.reg('vr_jump', UInt(AW));
  const rtagIn = { valid: m.wire('vr_tag_push', Bool), ready: m.wire('vr_tag_ready', Bool) };
  const reqFire = m.wire('vr_req_fire', active.and(i.reqReady));
  const lastReq = m.wire('vr_last_req', left.eq(1));
  const start = m.wire('vr_start', toks.valid.and(rtagIn.ready).and(active.not().or(reqFire.and(lastReq))));
  toks.ready.set(start);
  rtagIn.valid.set(start);
  const hq = m.wire('vr_head_quant', toks.bits.t.lt(i.tv));
  m.when(reqFire, () => {
    left.set(left.subWrap(1));
    toMV.set(toMV.subWrap(1));
    addr.set(mux(quant.and(toMV.eq(1)), jump, addr.addWrap(1)));
    m.when(lastReq, () => active.set(0));
  });
  m.when(start, () => {
    active.set(1);
    quant.set(hq);
    left.set(mux(hq, lit(left.type, MV + VC), lit(left.type, H16)));
    toMV.set(lit(toMV.type, MV));
    addr.set(mux(hq, i.bases.vsm.addWrap(cmul(toks.bits.t, MV, AW)), i.bases.vr.addWrap(cmul(toks.bits.t.subWrap(i.tv), H16, AW))));
    jump.set(i.bases.vc.addWrap(cmul(toks.bits.t, VC, AW)));
  });
  const rtags = fifo(m, 'vr_tags', { fields: { p: UInt(17), quant: Bool }, ...rtagIn, bits: { p: toks.bits.p, quant: hq } }, 16);

  // ---- responses --------------------------------------------------------------------------------
  const RW = log2Ceil(Math.max(MV + VC, H16) + 1);
  const rw = m.reg('vr_rx_word', UInt(RW), { reset: 0 });
  const rq = rtags.bits.quant;
  const isRec = m.wire('vr_rx_record', rq.and(rw.lt(MV)));
  const rLast = m.wire('vr_rx_last', mux(rq, rw.eq(MV + VC - 1), rw.eq(H16 - 1)));
  rtags.ready.set(i.respFire.and(rLast));
  m.when(i.respFire, () => rw.set(mux(rLast, lit(UInt(RW), 0), rw.addWrap(1))));
  const vsm = m.reg('vr_record', UInt(MV * W));
  m.when(i.respFire.and(isRec), () => vsm.set(MV === 1 ? i.respData : cat(i.respData, vsm.slice(MV * W - 1, W))));
  const half = (k: number): Expr => vsm.slice(16 * k + 15, 16 * k);
  const code = m.wire('vr_code_word', rw.subWrap(MV).trunc(RW)); // c = rw − MV
  const ng = D / G;
  const e0 = m.wire('vr_e0', i.respFire.and(isRec.not()));
  const isCode0 = rq;
  const scales: Expr[] = [];
  const mins: Expr[] = [];
  for (let k = 0; k < CPW; k++) {
    const opts = Array.from({ length: VC }, (_, c) => Math.floor((c * CPW + k) / G));
    scales.push(m.wire(`vr_scale${k}`, pick(opts.map((g) => half(g)), code)));
    mins.push(m.wire(`vr_min${k}`, pick(opts.map((g) => half(ng + g)), code)));
  }
  // stage 1–2: dequantization (fpMul, then fpAdd); tags and residual halves beside it
  const deq: Expr[] = [];
  for (let k = 0; k < CPW; k++) {
    const c = fpFromUInt(m, `vd_code${k}`, f, i.respData.slice(k * bv + bv - 1, k * bv));
    const prod = fpMul(m, `vd_mul${k}`, f, c, scales[k], { stages: 1 });
    const mn = m.reg(`vd_min${k}`, UInt(16));
    mn.set(mins[k]);
    deq.push(fpAdd(m, `vd_add${k}`, f, prod.result, mn, { stages: 1 }).result);
  }
  const delay = (name: string, x: Expr, n: number, reset?: number): Expr => {
    let v = x;
    for (let k = 1; k <= n; k++) {
      const r = m.reg(`${name}_${k}`, x.type, reset === undefined ? {} : { reset });
      r.set(v);
      v = r;
    }
    return v;
  };
  const v2 = delay('vp_valid', e0, 2, 0);
  const code2 = delay('vp_is_code', isCode0, 2);
  const word2 = delay('vp_word', mux(isCode0, code, rw), 2);
  const p2 = delay('vp_p', rtags.bits.p, 2);
  const res2 = Array.from({ length: LT }, (_, k) => delay(`vp_half${k}`, i.respData.slice(16 * k + 15, 16 * k), 2));
  // stage 3: V·p per lane
  const v3 = m.reg('vp3_valid', Bool, { reset: 0 });
  const code3 = m.reg('vp3_is_code', Bool);
  const word3 = m.reg('vp3_word', UInt(RW));
  v3.set(v2);
  code3.set(code2);
  word3.set(word2);
  const prods: Var[] = [];
  for (let k = 0; k < CPW; k++) {
    const pat = m.wire(`vp_pat${k}`, k < LT ? mux(code2, deq[k], res2[k]) : deq[k]);
    const fl = floatFields(f, pat);
    const sh = fl.effExp.subWrap(1);
    const mag = m.wire(`vp_mag${k}`, fl.significand.shl(sh).trunc(VW - 1));
    const val = mux(fl.sign, lit(SInt(VW), 0).subWrap(mag.zext(VW).asSInt()), mag.zext(VW).asSInt());
    const pr = m.reg(`vp3_prod${k}`, SInt(VW + 18));
    pr.set(p2.zext(18).asSInt().mul(val).trunc(VW + 18));
    prods.push(pr);
  }
  // stage 4: the accumulators
  const acc = Array.from({ length: D }, (_, dd) => m.reg(`num${dd}`, SInt(ACCW), { reset: 0 }));
  for (let dd = 0; dd < D; dd++) {
    const hitCode = code3.and(word3.eq(Math.floor(dd / CPW)));
    const hitRes = code3.not().and(word3.eq(Math.floor(dd / LT)));
    const addend = mux(code3, prods[dd % CPW], prods[dd % LT]);
    m.when(v3.and(hitCode.or(hitRes)), () => acc[dd].set(acc[dd].addWrap(addend.sext(ACCW))));
  }
  const idle = m.wire('vp_idle', v3.not().and(v2.not()).and(m.wire('vp_v1', delay('vp_valid_chk', e0, 1, 0)).not()));
  const done = m.wire('values_done', i.run.and(wNext.eq(i.n)).and(wValid.not()).and(toks.valid.not()).and(active.not()).and(rtags.valid.not()).and(idle));
  return { reqValid: active, reqAddr: addr, done, den, acc, walk: { valid: offer, fire: consume, token: wTok, kept: recKept, score: recScore } };
}
