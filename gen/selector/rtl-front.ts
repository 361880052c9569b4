/**
 * The selector's shared front end (README "Stream protocol", "Table load"): the input skid
 * buffer, the theta table (threshold mode; written by `kind` = 1 beats, read for every row beat),
 * and one registered stage B holding a row beat with its lane masks, lane indices, theta and the
 * running row maximum. A core drives `ready` for stage B.
 */
import { Bool, SInt, UInt, bitsFor, lit, log2Ceil, maxOf, mux, type Expr, type ModuleBuilder, type Var } from '../../hdl/index.ts';
import { maxOp, reduceTree, skidBuffer, streamIn } from '../../hdl/lib/index.ts';
import { selectorWidths, type SelectorConfig } from './config.ts';
import { fit } from './rtl-fit.ts';

export interface FrontBeat {
  /** stage B holds a row beat */
  valid: Expr;
  /** the core takes the row beat this cycle (table beats never reach stage B's consumer) */
  ready: Var;
  /** the beat's P scores, packed */
  data: Expr;
  scores: Expr[];
  /** lane i holds a score of the row (its index < len) */
  laneValid: Expr[];
  /** index of lane i in its row (IW bits) */
  idx: Expr[];
  /** beat number in its row (for row-buffer addressing) */
  beat: Expr;
  last: Expr;
  len: Expr;
  /** len <= k */
  keepAll: Expr;
  /** the row's theta (threshold mode; TW-bit signed) */
  theta: Expr;
  /** maximum of the row's scores up to and including this beat */
  rowMax: Expr;
  /**
   * P = 1 with `opts.beatsPrevious`: a register, "this beat's score beats (`gt`: >, `ge`: >=) the
   * score that stage B held before it" (the previous row beat; decided from the stage-A beat)
   */
  beatsPrevious?: Expr;
}

export interface FrontOptions {
  /** P = 1: register the comparison of each beat's score with the previous one (the systolic core's look-ahead) */
  beatsPrevious?: 'gt' | 'ge';
}

export function frontEnd(m: ModuleBuilder, cfg: SelectorConfig, opts: FrontOptions = {}): FrontBeat {
  const w = selectorWidths(cfg);
  const P = cfg.lanes;
  const B = cfg.rowBuckets.length;
  const inp = streamIn(m, 'in', {
    kind: Bool, data: SInt(w.W).vec(P), last: Bool, len: UInt(w.LW), head: UInt(w.HW), layer: UInt(w.YW), bucket: UInt(w.BW), theta: SInt(w.TW),
  });
  const a = skidBuffer(m, 'in_skid', inp);
  const ready = m.wire('fe_ready', Bool);
  const bValid = m.reg('fe_valid', Bool, { reset: 0 });
  const adv = m.wire('fe_adv', bValid.not().or(ready));
  a.ready.set(adv);
  const aFire = m.wire('fe_a_fire', a.valid.and(adv));
  const isRow = a.bits.kind.not();

  // beat counter within the row
  const beats = Math.ceil(cfg.maxRow / P);
  const BW = log2Ceil(Math.max(2, beats));
  const beatNo = m.reg('fe_beat', UInt(BW), { reset: 0 });
  m.when(aFire.and(isRow), () => beatNo.set(mux(a.bits.last, lit(UInt(BW), 0), beatNo.addWrap(1))));

  let theta: Expr = lit(SInt(w.TW), 0);
  if (cfg.mode === 'threshold') {
    const depth = cfg.layers * cfg.heads * B;
    const AW = log2Ceil(Math.max(2, depth));
    const XW = Math.max(AW, bitsFor(depth)); // holds the constants H*B and B
    const addr = (layer: Expr, head: Expr, bucket: Expr) =>
      fit(fit(layer, XW).mulWrap(lit(UInt(XW), cfg.heads * B)).addWrap(fit(head, XW).mulWrap(lit(UInt(XW), B))).addWrap(fit(bucket, XW)), AW);
    const table = m.mem('theta_table', SInt(w.TW), Math.max(2, depth));
    const waddr = m.wire('tbl_waddr', addr(a.bits.layer, a.bits.head, a.bits.bucket));
    m.when(aFire.and(a.bits.kind), () => table.write(waddr, a.bits.theta));
    // bucket of the row length: the number of midpoints 2n > n_i + n_(i+1) it lies above
    const BWb = bitsFor(B);
    let bk: Expr = lit(UInt(BWb), 0);
    const twice = a.bits.len.shl(1);
    for (let i = 0; i + 1 < B; i++) bk = bk.addWrap(twice.gt(cfg.rowBuckets[i] + cfg.rowBuckets[i + 1]).zext(BWb));
    const bucket = m.wire('fe_bucket', fit(bk, w.BW));
    theta = table.read('fe_theta', m.wire('tbl_raddr', addr(a.bits.layer, a.bits.head, bucket)), aFire.and(isRow));
  }

  const bScores = m.reg('fe_scores', SInt(w.W).vec(P));
  const bLast = m.reg('fe_last', Bool);
  const bLen = m.reg('fe_len', UInt(w.LW));
  const bBeat = m.reg('fe_beat_no', UInt(BW));
  // len <= k, decided from the stage-A beat and registered with it (timing: the threshold core's
  // survivor test starts from a register)
  const bKeepAll = m.reg('fe_keep_all', Bool);
  const prevCmp = opts.beatsPrevious && P === 1 ? m.reg('fe_beats_prev', Bool) : null;
  const aScore = a.bits.data.lanesOf()[0];
  m.when(adv, () => bValid.set(a.valid.and(isRow)));
  m.when(aFire.and(isRow), () => {
    bScores.set(a.bits.data);
    bLast.set(a.bits.last);
    bLen.set(a.bits.len);
    bBeat.set(beatNo);
    bKeepAll.set(a.bits.len.le(cfg.k));
    if (prevCmp) prevCmp.set(opts.beatsPrevious === 'ge' ? aScore.ge(bScores.lanesOf()[0]) : aScore.gt(bScores.lanesOf()[0]));
  });

  // lane masks (index < len) are decided from the stage-A beat and registered with it, so that the
  // row maximum and the cores start from a register (timing: no compare in front of them)
  const IWb = bitsFor(beats * P);
  const LVW = Math.max(IWb, w.LW);
  // (P = 1: a row of n scores is n beats, each holds a score of the row: no mask)
  const bLaneValid: Expr[] = [];
  if (P > 1) {
    const aBase = m.wire('fe_a_base', beatNo.zext(IWb).mulWrap(lit(UInt(IWb), P)));
    const regs = Array.from({ length: P }, (_, i) => m.reg(`fe_lane_valid_r_${i}`, Bool));
    m.when(aFire.and(isRow), () => {
      for (let i = 0; i < P; i++) regs[i].set(fit(aBase.addWrap(lit(UInt(IWb), i)), LVW).lt(fit(a.bits.len, LVW)));
    });
    bLaneValid.push(...regs);
  }
  const base = m.wire('fe_base', bBeat.zext(IWb).mulWrap(lit(UInt(IWb), P)));
  const scores = bScores.lanesOf();
  const laneValid: Expr[] = [];
  const idx: Expr[] = [];
  for (let i = 0; i < P; i++) {
    const at = base.addWrap(lit(UInt(IWb), i));
    laneValid.push(m.wire(`fe_lane_valid_${i}`, P === 1 ? lit(Bool, 1) : bLaneValid[i]));
    idx.push(m.wire(`fe_idx_${i}`, fit(at, w.IW)));
  }
  const accMax = m.reg('fe_row_max', SInt(w.W), { reset: -(2 ** (w.W - 1)) });
  let rowMax: Expr;
  if (P === 1) {
    // one lane: no masking mux in front of the compare (timing)
    rowMax = m.wire('fe_row_max_now', mux(laneValid[0].and(scores[0].gt(accMax)), scores[0], accMax));
  } else {
    const masked = scores.map((s, i) => m.wire(`fe_masked_${i}`, mux(laneValid[i], s, lit(SInt(w.W), -(2 ** (w.W - 1))))));
    const beatMax = reduceTree(m, 'fe_beat_max', masked, maxOp).result;
    rowMax = m.wire('fe_row_max_now', maxOf(accMax, beatMax));
  }
  const take = m.wire('fe_take', bValid.and(ready));
  m.when(take, () => accMax.set(mux(bLast, lit(SInt(w.W), -(2 ** (w.W - 1))), rowMax)));
  return { valid: bValid, ready, data: bScores, scores, laneValid, idx, beat: bBeat, last: bLast, len: bLen, keepAll: bKeepAll, theta, rowMax, ...(prevCmp ? { beatsPrevious: prevCmp } : {}) };
}
