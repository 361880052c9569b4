/**
 * The value side (README.md §4–§5, "Hardware"): a walker reads the kept flags and scores back in
 * token order (one token per cycle), turns z = M − S into the weight p (exp2Weight) and sums
 * DEN = Σ p; kept tokens queue for the value request generator, which fetches a quantized token's
 * scale/min record (MV words) then its codes (b_v·D/W words), or a residual token's H16 words.
 * Responses (in order) fill the record register or pass through CPW = W/b_v dequantizer lanes
 * (fpMul, fpAdd of the float library; residual halves bypass them), become the integers
 * V = v̂·2^ES, are multiplied by p and added into the D signed accumulators NUM_d.
 * valueQuant "nuq": the KW codebook words are fetched first in the phase (Tv > 0); a lane's factor
 * is its code's centroid instead of the code, scale and min are the token record's half and mid,
 * and the record's outlier slots replace their channels' x̂ (README "Hardware", NUQ values).
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
  /** region bases; `vcb` (valueQuant "nuq"): the value codebook */
  bases: { vc: Expr; vsm: Expr; vr: Expr; vcb?: Expr };
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

/** `x` delayed by 1 .. n registers `<name>_1 .. _n` (with `reset` when given), all returned. */
function delayChain(m: ModuleBuilder, name: string, x: Expr, n: number, reset?: number): Var[] {
  const out: Var[] = [];
  let v = x;
  for (let k = 1; k <= n; k++) {
    const r = m.reg(`${name}_${k}`, x.type, reset === undefined ? {} : { reset });
    r.set(v);
    out.push(r);
    v = r;
  }
  return out;
}

/** `x` delayed by `n` registers (`x` itself when n = 0). */
function delayed(m: ModuleBuilder, name: string, x: Expr, n: number): Expr {
  return n === 0 ? x : delayChain(m, name, x, n)[n - 1];
}

export function valuePath(m: ModuleBuilder, d: RtlDims, i: ValuesIn): Values {
  const { NW, AW, SW, F, D, G, W, MV, VC, H16, CPW, LT, bv, VW, ACCW, DENW, KW, OS } = d;
  const f = d.f;
  const nuq = d.nuq;
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
  // z = M − S goes with the token; its weight p is formed in the response pipeline (exp2Weight,
  // weightStages), where DEN also sums it (once per token, at the token's last word)
  const zW = Math.max(SW + 1, F + 1);
  const z = m.wire('vw_z', i.maxScore.sub(recScore).asUInt().zext(zW));
  tokIn.valid.set(pushed ? wValid.and(recKept).and(pushed.not()) : wValid.and(recKept));
  if (pushed) m.when(consume, () => pushed.set(0)).elseWhen(tokIn.valid.and(tokIn.ready), () => pushed.set(1));
  m.when(rdEn, () => {
    wNext.set(wNext.addWrap(1));
    wTok.set(wNext);
    wValid.set(1);
  }).elseWhen(consume, () => wValid.set(0));
  m.when(i.clear, () => wNext.set(0));
  const toks = fifo(m, 'vw_tokens', { fields: { t: UInt(NW), z: UInt(zW) }, ...tokIn, bits: { t: wTok, z } }, 4);

  // ---- nuq: the codebook (KW words) is fetched first in the value phase, when Tv > 0 ------------
  const KWW = log2Ceil(KW + 1);
  const cb = nuq
    ? { req: m.reg('vcb_req_left', UInt(KWW), { reset: 0 }), rx: m.reg('vcb_rx_left', UInt(KWW), { reset: 0 }), words: m.reg('vcb_words', UInt(KW * W)) }
    : undefined;
  const tvSome = cb ? m.wire('vr_tv_some', i.tv.ne(0)) : undefined;
  const cbReqing = cb && tvSome ? m.wire('vcb_requesting', i.run.and(tvSome).and(cb.req.ne(0))) : lit(Bool, 0);
  const cbRxing = cb && tvSome ? m.wire('vcb_receiving', tvSome.and(cb.rx.ne(0))) : lit(Bool, 0);
  if (cb) {
    m.when(i.clear, () => {
      cb.req.set(KW);
      cb.rx.set(KW);
    });
    m.when(cbReqing.and(i.reqReady), () => cb.req.set(cb.req.subWrap(1)));
    m.when(i.respFire.and(cbRxing), () => {
      cb.rx.set(cb.rx.subWrap(1));
      cb.words.set(KW === 1 ? i.respData : cat(i.respData, cb.words.slice(KW * W - 1, W)));
    });
  }
  // a response of a token (not of the codebook)
  const respFire = cb ? m.wire('vr_resp_fire', i.respFire.and(cbRxing.not())) : i.respFire;

  // ---- request generator ----------------------------------------------------------------------
  const active = m.reg('vr_active', Bool, { reset: 0 });
  const quant = m.reg('vr_quant', Bool);
  const left = m.reg('vr_left', UInt(log2Ceil(Math.max(MV + VC, H16) + 1)));
  const toMV = m.reg('vr_to_codes', UInt(log2Ceil(Math.max(MV + VC, H16) + 1)));
  const addr = m.reg('vr_addr', UInt(AW));
  const jump = m.reg('vr_jump', UInt(AW));
  const rtagIn = { valid: m.wire('vr_tag_push', Bool), ready: m.wire('vr_tag_ready', Bool) };
  const reqFire = m.wire('vr_req_fire', cb ? active.and(i.reqReady).and(cbReqing.not()) : active.and(i.reqReady));
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
  const rtags = fifo(m, 'vr_tags', { fields: { z: UInt(zW), quant: Bool }, ...rtagIn, bits: { z: toks.bits.z, quant: hq } }, 16);

  // ---- responses --------------------------------------------------------------------------------
  const RW = log2Ceil(Math.max(MV + VC, H16) + 1);
  const rw = m.reg('vr_rx_word', UInt(RW), { reset: 0 });
  const rq = rtags.bits.quant;
  const isRec = m.wire('vr_rx_record', rq.and(rw.lt(MV)));
  const rLast = m.wire('vr_rx_last', mux(rq, rw.eq(MV + VC - 1), rw.eq(H16 - 1)));
  rtags.ready.set(respFire.and(rLast));
  m.when(respFire, () => rw.set(mux(rLast, lit(UInt(RW), 0), rw.addWrap(1))));
  const vsm = m.reg('vr_record', UInt(MV * W));
  m.when(respFire.and(isRec), () => vsm.set(MV === 1 ? i.respData : cat(i.respData, vsm.slice(MV * W - 1, W))));
  const half = (k: number): Expr => vsm.slice(16 * k + 15, 16 * k);
  const code = m.wire('vr_code_word', rw.subWrap(MV).trunc(RW)); // c = rw − MV
  const ng = D / G;
  const e0 = m.wire('vr_e0', respFire.and(isRec.not()));
  const isCode0 = rq;
  // L: cycles from a response to its dequantized lanes (README "Pipeline": the operators' stages
  // and, with valueOpRegs, a register after each operator)
  const { L } = d;
  const { valueMulStages: MS, valueAddStages: AS, weightStages: XS } = d.pipe;
  const opReg = d.pipe.valueOpRegs ? 1 : 0;
  // KIVI: x̂ = fl(fl(code·scale) + min), the scale and min of the lane's channel group;
  // nuq: x̂ = fl(fl(c[code]·half) + mid), the token's (mid, half) = record halves 0, 1
  const scales: Expr[] = [];
  const mins: Expr[] = [];
  const factors: Expr[] = [];
  const cents = nuq ? Array.from({ length: 2 ** bv }, (_, j) => (cb as NonNullable<typeof cb>).words.slice(16 * j + 15, 16 * j)) : [];
  for (let k = 0; k < CPW; k++) {
    const codeK = i.respData.slice(k * bv + bv - 1, k * bv);
    if (nuq) {
      scales.push(half(1));
      mins.push(half(0));
      factors.push(m.wire(`vd_cent${k}`, pick(cents, codeK)));
      continue;
    }
    const opts = Array.from({ length: VC }, (_, c) => Math.floor((c * CPW + k) / G));
    scales.push(m.wire(`vr_scale${k}`, pick(opts.map((g) => half(g)), code)));
    mins.push(m.wire(`vr_min${k}`, pick(opts.map((g) => half(ng + g)), code)));
  }
  // nuq outliers: slot s (record halves 2 + 2s, 3 + 2s: channel, value) replaces lane k of code
  // word c when channel − c·CPW = k (unused slots: channel 0xFFFF, never a lane's); the first slot
  // naming a channel wins. Found from the registered record and word counter, carried L stages.
  const outHit: Expr[] = [];
  const outVal: Expr[] = [];
  if (nuq && OS > 0) {
    const baseCh = m.wire('vo_base', cmul(code, CPW, 16));
    const diffs = Array.from({ length: OS }, (_, sl) => m.wire(`vo_diff${sl}`, half(2 + 2 * sl).subWrap(baseCh)));
    for (let k = 0; k < CPW; k++) {
      let hit: Expr = lit(Bool, 0);
      let val: Expr = lit(UInt(16), 0);
      for (let sl = OS - 1; sl >= 0; sl--) {
        const h = diffs[sl].eq(k);
        val = mux(h, half(3 + 2 * sl), val);
        hit = h.or(hit);
      }
      outHit.push(delayed(m, `vo_hit${k}`, m.wire(`vo_hit${k}_0`, hit), L));
      outVal.push(delayed(m, `vo_val${k}`, m.wire(`vo_val${k}_0`, val), L));
    }
  }
  // stages 1..L: dequantization (fpMul, then fpAdd); tags, residual halves and the token's weight
  // p beside it (z registered when L > weightStages, exp2Weight in weightStages, then delayed)
  const deq: Expr[] = [];
  for (let k = 0; k < CPW; k++) {
    // with valueOpRegs, registers between the operators (their rounding and the next one's first segment)
    const factor = nuq ? factors[k] : fpFromUInt(m, `vd_code${k}`, f, i.respData.slice(k * bv + bv - 1, k * bv));
    const prod = delayed(m, `vd_prod${k}`, fpMul(m, `vd_mul${k}`, f, factor, scales[k], { stages: MS }).result, opReg);
    const mn = delayed(m, `vd_min${k}`, mins[k], MS + opReg);
    const x = delayed(m, `vd_deq${k}`, fpAdd(m, `vd_add${k}`, f, prod, mn, { stages: AS }).result, opReg);
    deq.push(nuq && OS > 0 ? m.wire(`vd_value${k}`, mux(outHit[k], outVal[k], x)) : x);
  }
  // P = productStages (1..2): the registers from the dequantized lanes to the accumulators
  const P = d.pipe.productStages;
  const vs = delayChain(m, 'vp_valid', e0, L + P, 0);
  const codes = delayChain(m, 'vp_is_code', isCode0, L + P);
  const wordsD = delayChain(m, 'vp_word', mux(isCode0, code, rw), L + P);
  const [codeL, code2, word2] = [L === 0 ? isCode0 : codes[L - 1], codes[L + P - 1], wordsD[L + P - 1]];
  const lastL = delayed(m, 'vp_last', rLast, L);
  const zRegs = L > XS ? 1 : 0;
  const zReg = delayed(m, 'vp_z', rtags.bits.z, zRegs);
  const pL = delayed(m, 'vp_p', exp2Weight(m, 'vp_exp', zReg, F, { stages: XS }).result, L - XS - zRegs);
  const resL = Array.from({ length: LT }, (_, k) => delayed(m, `vp_half${k}`, i.respData.slice(16 * k + 15, 16 * k), L));
  const vL = L === 0 ? e0 : vs[L - 1];
  // DEN += p once per kept token (at its last word)
  const den = m.reg('den', UInt(DENW), { reset: 0 });
  m.when(i.clear, () => den.set(0)).elseWhen(vL.and(lastL), () => den.set(den.addWrap(pL.zext(DENW))));
  // stage L + 1: p · significand per lane (sign and shift e − 1 beside it; productStages 2 only)
  // stage L + P: the product shifted left by e − 1 = |p·V| (V = ±significand·2^(e−1) = v̂·2^ES)
  // stage L + P + 1: the accumulators add or subtract it
  const PW = VW + 17;
  const mags: Var[] = [];
  const signs: Var[] = [];
  for (let k = 0; k < CPW; k++) {
    const pat = m.wire(`vp_pat${k}`, k < LT ? mux(codeL, deq[k], resL[k]) : deq[k]);
    const fl = floatFields(f, pat);
    let [sp, sh, sg1]: Expr[] = [fl.significand.mul(pL), fl.effExp.subWrap(1), fl.sign];
    if (P === 2) {
      const spR = m.reg(`vp_sigp${k}`, UInt(f.man + 1 + 17));
      spR.set(sp);
      const shR = m.reg(`vp_shift${k}`, UInt(f.exp));
      shR.set(sh);
      const sg1R = m.reg(`vp_sign${k}_a`, Bool);
      sg1R.set(sg1);
      [sp, sh, sg1] = [spR, shR, sg1R];
    } else sp = m.wire(`vp_sigp${k}`, sp);
    const mag = m.reg(`vp_mag${k}`, UInt(PW - 1));
    mag.set(sp.zext(PW - 1).shl(sh).trunc(PW - 1));
    const sg2 = m.reg(`vp_sign${k}_b`, Bool);
    sg2.set(sg1);
    mags.push(mag);
    signs.push(sg2);
  }
  const acc = Array.from({ length: D }, (_, dd) => m.reg(`num${dd}`, SInt(ACCW), { reset: 0 }));
  const v2 = vs[L + P - 1];
  for (let dd = 0; dd < D; dd++) {
    const hitCode = code2.and(word2.eq(Math.floor(dd / CPW)));
    const hitRes = code2.not().and(word2.eq(Math.floor(dd / LT)));
    const mag = mux(code2, mags[dd % CPW], mags[dd % LT]).zext(ACCW).asSInt();
    const neg = mux(code2, signs[dd % CPW], signs[dd % LT]);
    m.when(v2.and(hitCode.or(hitRes)), () => acc[dd].set(mux(neg, acc[dd].subWrap(mag), acc[dd].addWrap(mag))));
  }
  const idle = m.wire('vp_idle', vs.map((v) => v.not()).reduce((a, b) => a.and(b)));
  const done = m.wire('values_done', (cb ? i.run.and(cbRxing.not()) : i.run).and(wNext.eq(i.n)).and(wValid.not()).and(toks.valid.not()).and(active.not()).and(rtags.valid.not()).and(idle));
  const cbAddr = cb && i.bases.vcb ? m.wire('vcb_addr', i.bases.vcb.addWrap(lit(UInt(KWW), KW).subWrap(cb.req).zext(AW))) : addr;
  const reqValid = cb ? m.wire('vr_req_valid', cbReqing.or(active)) : active;
  const reqAddr = cb ? m.wire('vr_req_addr', mux(cbReqing, cbAddr, addr)) : addr;
  return { reqValid, reqAddr, done, den, acc, walk: { valid: offer, fire: consume, token: wTok, kept: recKept, score: recScore } };
}
