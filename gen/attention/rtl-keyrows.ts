/**
 * The key-row datapath (README.md "Hardware"): fp16 rows of D halves read W bits per word (the
 * key group's scale row and min row, and residual keys) times the query through LT = W/16 term
 * units. Scale rows give the scaled query q̃ (shifted into the `qt` lanes, LT per word) and the
 * chunk bounds Q⁺[g, ch]; min rows give c_g; residual rows give the key's score Σ term_WC.
 *
 * The query register rotates by LT lanes per word consumed, so lane 0..LT−1 always faces the
 * word's channels and a whole row (H16 words) brings it back. The term pipeline (`termStages`
 * registers, README "Pipeline") and the accumulators advance together; they hold while a finished
 * residual-key record waits.
 */
import { Bool, SInt, lit, log2Ceil, mux, vecOf, type Expr, type ModuleBuilder, type Var } from '../../hdl/index.ts';
import { termUnit } from './rtl-term.ts';
import type { RtlDims } from './rtl-dims.ts';

export const [KIND_SCALE, KIND_MIN, KIND_RESID] = [0, 1, 2];

export interface KeyRowsIn {
  /** the rotating query register (UInt(16) lanes) */
  qReg: Var;
  /** a response word enters (fire) and its kind (KIND_*) and position in its row */
  fire: Expr;
  data: Expr;
  kind: Expr;
  word: Expr;
  /** a residual-key record is taken by the key stream this cycle */
  take: Expr;
  /** clear the accumulators (row start) */
  clear: Expr;
}

export interface KeyRows {
  /** the response may enter */
  advance: Expr;
  /** nothing in the term pipeline */
  empty: Expr;
  qt: Var;
  /** Q⁺[ch] (C chunk registers, chunk 0 first) and their sum Q⁺[g] */
  qpc: Var[];
  qplus: Var;
  cg: Var;
  /** a residual key's score, waiting to be emitted */
  recValid: Var;
  recScore: Var;
}

export function keyRows(m: ModuleBuilder, d: RtlDims, i: KeyRowsIn): KeyRows {
  const { LT, D, C, WQ, WC, SW, QPW } = d;
  const recValid = m.reg('kr_rec_valid', Bool, { reset: 0 });
  const recScore = m.reg('kr_rec_score', SInt(SW));
  const advance = m.wire('kr_advance', recValid.not().or(i.take));
  const qLanes = i.qReg.lanesOf();
  // rotate on every word consumed: lane k <- lane k + LT
  m.when(i.fire, () => i.qReg.set(vecOf([...qLanes.slice(LT), ...qLanes.slice(0, LT)])));
  const halves = Array.from({ length: LT }, (_, k) => i.data.slice(16 * k + 15, 16 * k));
  // the term units' registers (termStages, the key rows' latency) with the tags beside them
  const S = d.pipe.termStages;
  const terms = halves.map((h, k) => termUnit(m, `kr_term${k}`, d.f, qLanes[k], h, d.kap, d.F, WC, { stages: S, enable: advance }).result);
  const wpc = d.W / LT; // words per chunk (16)
  let tv: Expr = i.fire;
  const vs: Var[] = [];
  let tag: Record<string, Expr> = { kind: i.kind, endRow: i.word.eq(d.H16 - 1), endChunk: i.word.trunc(Math.log2(wpc) || 1).eq(wpc - 1) };
  for (let s = 1; s <= S; s++) {
    const v = m.reg(`kr_v${s}`, Bool, { reset: 0 });
    vs.push(v);
    const pv = tv;
    m.when(advance, () => v.set(pv));
    const nt: Record<string, Expr> = {};
    for (const [k, e] of Object.entries(tag)) {
      const r = m.reg(`kr_t${s}_${k}`, e.type);
      m.when(advance, () => r.set(e));
      nt[k] = r;
    }
    tv = v;
    tag = nt;
  }
  const v2 = tv;
  const empty = m.wire('kr_empty', vs.length === 0 ? lit(Bool, 1) : vs.map((v) => v.not()).reduce((a, b) => a.and(b)));
  const sumW = WC + log2Ceil(LT) + 1;
  const termSum = m.wire('kr_term_sum', terms.map((t) => t.sext(sumW)).reduce((a, b) => a.addWrap(b)));
  const limit = 2 ** (WQ - 1) - 1;
  const qtNew = terms.map((t, k) => m.wire(`kr_qt${k}`, mux(t.gt(limit), lit(SInt(WQ), limit), mux(t.lt(-limit), lit(SInt(WQ), -limit), t.trunc(WQ)))));
  const posSum = m.wire('kr_pos_sum', qtNew.map((q) => mux(q.bit(WQ - 1), lit(SInt(QPW), 0), q.sext(QPW))).reduce((a, b) => a.addWrap(b)));
  const qt = m.reg('qt', SInt(WQ).vec(D));
  const qtL = qt.lanesOf();
  const qpAcc = m.reg('kr_qp_acc', SInt(QPW));
  const qpc = Array.from({ length: C }, (_, c) => m.reg(`qplus_ch${c}`, SInt(QPW)));
  const qplus = m.reg('qplus', SInt(QPW));
  const dot = m.reg('kr_dot', SInt(SW));
  const cg = m.reg('cg', SInt(SW));
  const go = m.wire('kr_out', v2.and(advance));
  const dotNext = m.wire('kr_dot_next', dot.addWrap(termSum.sext(SW)));
  m.when(i.clear, () => {
    qpAcc.set(0);
    qplus.set(0);
    dot.set(0);
  });
  m.when(i.take, () => recValid.set(0));
  m.when(go, () => {
    m.when(tag.kind.eq(KIND_SCALE), () => {
      qt.set(vecOf([...qtL.slice(LT), ...qtNew]));
      const chunk = qpAcc.addWrap(posSum);
      m.when(tag.endChunk, () => {
        for (let c = 0; c < C; c++) qpc[c].set(c === C - 1 ? chunk : qpc[c + 1]);
        qpAcc.set(0);
      }).otherwise(() => qpAcc.set(chunk));
      qplus.set(qplus.addWrap(posSum));
    });
    m.when(tag.kind.ne(KIND_SCALE), () => {
      m.when(tag.endRow, () => {
        dot.set(0);
        m.when(tag.kind.eq(KIND_MIN), () => cg.set(dotNext)).otherwise(() => {
          recValid.set(1);
          recScore.set(dotNext);
        });
      }).otherwise(() => dot.set(dotNext));
    });
  });
  return { advance, empty, qt, qpc, qplus, cg, recValid, recScore };
}
