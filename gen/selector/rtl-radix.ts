/**
 * Row-buffer core (README "Micro-architectures"): used by topk arch "radix" and by threshold mode
 * with capK > 0 and capPolicy "last". Two row buffers of ceil(N/P) beats each (ping-pong, one
 * memory: buffer b, beat i at address b * 2^AW + i) decouple the two sides:
 *  - FILL side: writes the input's row beats, one per cycle, into buffer `rb_fill_buf` while that
 *    buffer is free; at the row's last beat it hands the row's descriptor (length, maximum, beat
 *    count, n <= k flag, theta, survivor count) to the process side (`rb_next_*`) and switches
 *    to the other buffer.
 *  - process side: loads a waiting descriptor when idle (`rb_proc_buf` = its buffer), runs the
 *    passes over that buffer, and frees it at the filter pass's last beat. So the next row fills
 *    while this one is processed; the input waits only when both buffers hold unprocessed rows.
 * The passes:
 *  - topk: ceil(W/r) select passes read the buffer and find v, the k-th largest score, r bits per
 *    pass (MSB first, on offset-binary u = s xor 2^(W-1)): pass j counts, for every digit d, the
 *    scores with u >= prefix | d << lo_j and keeps the largest d whose count is >= k. The same
 *    counts give G = #(u > v). The filter pass keeps u > v, and the first k - G scores equal to v.
 *  - threshold / cap "last": FILL counts the survivors S; the filter pass keeps the survivors of
 *    rank >= S - capK (the last capK).
 * Rows with n <= k (topk) skip the select passes and keep everything. The filter pass feeds the
 * gearbox one buffer beat per cycle. Theta is read by the front end for each row beat (table
 * writes and rows in stream order) and travels with the row's descriptor, so a table write that
 * follows a row never reaches it, even while that row is still being filtered.
 */
import { Bool, SInt, UInt, bitsFor, cat, lit, log2Ceil, mux, type Expr, type ModuleBuilder } from '../../hdl/index.ts';
import { selectorWidths, type SelectorConfig } from './config.ts';
import type { FrontBeat } from './rtl-front.ts';
import type { LaneBeat } from './rtl-gearbox.ts';
import type { SummaryIn } from './rtl-summary.ts';
import { fit, popcount, prefixCounts } from './rtl-fit.ts';

/** Digit positions of the select passes: pass j resolves bits hi_j..lo_j. */
export function radixPasses(W: number, r: number): { hi: number; lo: number }[] {
  const out: { hi: number; lo: number }[] = [];
  for (let hi = W - 1; hi >= 0; hi -= r) out.push({ hi, lo: Math.max(0, hi - r + 1) });
  return out;
}

/** Process-side phases; IDLE: no row under processing (a waiting row is loaded in this phase). */
const IDLE = 0;
const SEL = 1;
const DECIDE = 2;
const FILTER = 3;

export function rowBufferCore(m: ModuleBuilder, cfg: SelectorConfig, fe: FrontBeat, sumFree: Expr): { lanes: LaneBeat; connect: (ready: Expr) => SummaryIn } {
  const w = selectorWidths(cfg);
  const W = w.W;
  const P = cfg.lanes;
  const PW = bitsFor(P);
  const topk = cfg.mode === 'topk';
  const D = Math.ceil(cfg.maxRow / P);
  const AW = log2Ceil(Math.max(2, D));
  const RW = bitsFor(D);
  // two buffers of D beats: buffer b, beat i at address b * 2^AW + i (AW + 1 address bits)
  const buf = m.mem('rb_rows', SInt(W).vec(P), 2 ** AW + D);
  const bufAddr = (b: Expr, beat: Expr) => cat(b, fit(beat, AW));

  // ---- process-side state (the row under processing)
  const phase = m.reg('rb_phase', UInt(2), { reset: IDLE });
  const procBuf = m.reg('rb_proc_buf', Bool, { reset: 0 });
  const rowLen = m.reg('rb_row_len', UInt(w.LW));
  const rowMax = m.reg('rb_row_max', SInt(W));
  const nb = m.reg('rb_beats', UInt(RW));
  const keepAll = m.reg('rb_keep_all', Bool);
  const S = topk ? null : m.reg('rb_surv', UInt(w.LW));
  const theta = topk ? null : m.reg('rb_theta', SInt(w.TW));

  // ---- FILL side: buffer rb_fill_buf, free unless it holds the row under processing or the waiting one
  const fillBuf = m.reg('rb_fill_buf', Bool, { reset: 0 });
  const nextValid = m.reg('rb_next_valid', Bool, { reset: 0 });
  const nextBuf = m.reg('rb_next_buf', Bool);
  const processing = m.wire('rb_processing', phase.eq(IDLE).not());
  const fillFree = m.wire('rb_fill_free', processing.and(procBuf.eq(fillBuf)).not().and(nextValid.and(nextBuf.eq(fillBuf)).not()));
  fe.ready.set(fillFree);
  const take = m.wire('rb_take', fe.valid.and(fillFree));
  m.when(take, () => buf.write(bufAddr(fillBuf, fe.beat), fe.data));
  let fillTotal: Expr = lit(UInt(w.LW), 0);
  if (!topk) {
    const survSeen = m.reg('rb_surv_seen', UInt(w.LW), { reset: 0 });
    const surv = fe.scores.map((s, i) => fe.laneValid[i].and(fe.keepAll.or(s.sext(w.TW).gt(fe.theta))));
    fillTotal = m.wire('rb_fill_total', fit(survSeen.zext(w.LW + 1).addWrap(fit(popcount(surv, PW), w.LW + 1)), w.LW));
    m.when(take, () => survSeen.set(mux(fe.last, lit(UInt(w.LW), 0), fillTotal)));
  }

  // ---- handoff: the filled row's descriptor waits in rb_next_* until the process side is idle
  const nextLen = m.reg('rb_next_len', UInt(w.LW));
  const nextMax = m.reg('rb_next_max', SInt(W));
  const nextBeats = m.reg('rb_next_beats', UInt(RW));
  const nextKeepAll = m.reg('rb_next_keep_all', Bool);
  const nextSurv = topk ? null : m.reg('rb_next_surv', UInt(w.LW));
  const nextTheta = topk ? null : m.reg('rb_next_theta', SInt(w.TW));
  const start = m.wire('rb_start', phase.eq(IDLE).and(nextValid));
  m.when(start, () => nextValid.set(0));
  m.when(take.and(fe.last), () => {
    nextValid.set(1);
    nextBuf.set(fillBuf);
    fillBuf.set(fillBuf.not());
    nextLen.set(fe.len);
    nextMax.set(fe.rowMax);
    nextBeats.set(fit(fe.beat, RW).addWrap(1));
    nextKeepAll.set(fe.keepAll);
    nextTheta?.set(fe.theta);
    nextSurv?.set(fillTotal);
  });

  // ---- read pipeline (SEL and FILTER)
  const ra = m.reg('rb_raddr', UInt(RW), { reset: 0 });
  const rdValid = m.reg('rb_rd_valid', Bool, { reset: 0 });
  const rdBeat = m.reg('rb_rd_beat', UInt(RW));
  const reading = phase.eq(SEL).or(phase.eq(FILTER));
  const issuing = m.wire('rb_issuing', reading.and(ra.lt(nb)));
  const laneFire = m.wire('rb_lane_fire', Bool);
  const consume = m.wire('rb_consume', rdValid.and(phase.eq(SEL).or(laneFire)));
  const adv = m.wire('rb_adv', rdValid.not().or(consume));
  const rd = buf.read('rb_data', bufAddr(procBuf, ra), adv.and(issuing));
  m.when(adv, () => {
    rdValid.set(issuing);
    m.when(issuing, () => {
      rdBeat.set(ra);
      ra.set(ra.addWrap(1));
    });
  });
  const lastData = m.wire('rb_last_data', rdBeat.eq(nb.subWrap(1)));
  const XW = bitsFor(D * P + P);
  const rBase = m.wire('rb_base', fit(rdBeat, XW).mulWrap(lit(UInt(XW), P)));
  const scores = rd.lanesOf();
  const VW = Math.max(XW, w.LW);
  const lv = scores.map((_, i) => m.wire(`rb_lane_valid_${i}`, fit(rBase.addWrap(lit(UInt(XW), i)), VW).lt(fit(rowLen, VW))));
  const idx = scores.map((_, i) => m.wire(`rb_idx_${i}`, fit(rBase.addWrap(lit(UInt(XW), i)), w.IW)));
  // offset binary: unsigned order = signed order
  const u = scores.map((s, i) => m.wire(`rb_u_${i}`, cat(s.asUInt().bit(W - 1).not(), s.asUInt().slice(W - 2, 0))));

  // ---- select passes (topk)
  const prefix = m.reg('rb_prefix', UInt(W), { reset: 0 });
  const gtCnt = m.reg('rb_gt_count', UInt(w.LW), { reset: 0 });
  const passes = radixPasses(W, cfg.radixBits);
  const PSW = log2Ceil(Math.max(2, passes.length));
  const pass = m.reg('rb_pass', UInt(PSW), { reset: 0 });
  const nDigits = 2 ** cfg.radixBits - 1;
  const counts = topk ? Array.from({ length: nDigits }, (_, d) => m.reg(`rb_count_${d + 1}`, UInt(w.LW), { reset: 0 })) : [];
  if (topk) {
    for (let d = 1; d <= nDigits; d++) {
      const t = m.wire(`rb_t_${d}`, UInt(W));
      t.set(prefix);
      // pass j tests prefix | d << lo_j (digits beyond the pass's width keep t = prefix; DECIDE ignores them)
      let sw: ReturnType<ModuleBuilder['switch']> | null = null;
      passes.forEach((p, j) => {
        if (d >= 2 ** (p.hi - p.lo + 1)) return;
        const body = () => t.set(prefix.or(lit(UInt(W), BigInt(d) << BigInt(p.lo))));
        sw = sw ? sw.is(j, body) : m.switch(pass).is(j, body);
      });
      const ge = u.map((x, i) => lv[i].and(x.ge(t)));
      m.when(phase.eq(SEL).and(rdValid), () => counts[d - 1].set(counts[d - 1].addWrap(popcount(ge, w.LW))));
    }
  }

  // ---- filter rule
  const seen = m.reg('rb_seen', UInt(w.LW), { reset: 0 });
  let keep: Expr[];
  let rowKept: Expr;
  let overflow: Expr;
  let beatCount: Expr;
  if (topk) {
    const eq = u.map((x, i) => m.wire(`rb_eq_${i}`, lv[i].and(x.eq(prefix))));
    const pre = prefixCounts(eq, PW);
    const quota = m.wire('rb_quota', lit(UInt(w.LW), cfg.k).subWrap(gtCnt));
    keep = u.map((x, i) => m.wire(`rb_keep_${i}`, lv[i].and(keepAll.or(x.gt(prefix)).or(eq[i].and(seen.add(pre[i]).lt(quota))))));
    beatCount = popcount(eq, PW);
    rowKept = mux(keepAll, rowLen, lit(UInt(w.LW), cfg.k));
    overflow = lit(Bool, 0);
  } else {
    if (!S || !theta) throw new Error('unreachable');
    const surv = scores.map((s, i) => m.wire(`rb_surv_${i}`, lv[i].and(keepAll.or(s.sext(w.TW).gt(theta)))));
    const pre = prefixCounts(surv, PW);
    const over = m.wire('rb_over', S.gt(cfg.capK));
    const lo = m.wire('rb_rank_lo', mux(over, S.subWrap(cfg.capK), lit(UInt(w.LW), 0)));
    keep = surv.map((s, i) => m.wire(`rb_keep_${i}`, s.and(seen.add(pre[i]).ge(lo))));
    beatCount = popcount(surv, PW);
    rowKept = mux(over, lit(UInt(w.LW), cfg.capK), S);
    overflow = over;
  }
  const inFilter = phase.eq(FILTER);
  const lanes: LaneBeat = { valid: inFilter.and(rdValid).and(lastData.not().or(sumFree)), idx, score: scores, keep, end: lastData };

  // ---- phase control
  m.when(start, () => {
    procBuf.set(nextBuf);
    rowLen.set(nextLen);
    rowMax.set(nextMax);
    nb.set(nextBeats);
    keepAll.set(nextKeepAll);
    if (theta && nextTheta) theta.set(nextTheta);
    if (S && nextSurv) S.set(nextSurv);
    ra.set(lit(UInt(RW), 0));
    prefix.set(lit(UInt(W), 0));
    gtCnt.set(lit(UInt(w.LW), 0));
    pass.set(lit(UInt(PSW), 0));
    phase.set(topk ? mux(nextKeepAll, lit(UInt(2), FILTER), lit(UInt(2), SEL)) : lit(UInt(2), FILTER));
  });
  if (topk) {
    m.when(phase.eq(SEL).and(consume).and(lastData), () => phase.set(DECIDE));
    m.when(phase.eq(DECIDE), () => {
      ra.set(lit(UInt(RW), 0));
      for (const c of counts) c.set(lit(UInt(w.LW), 0));
      pass.set(pass.addWrap(1));
      phase.set(mux(pass.eq(passes.length - 1), lit(UInt(2), FILTER), lit(UInt(2), SEL)));
      let sw: ReturnType<ModuleBuilder['switch']> | null = null;
      passes.forEach((p, j) => {
        const maxd = 2 ** (p.hi - p.lo + 1) - 1;
        const body = () => {
          gtCnt.set(counts[0]);
          for (let d = 1; d <= maxd; d++) {
            m.when(counts[d - 1].ge(cfg.k), () => {
              prefix.set(prefix.or(lit(UInt(W), BigInt(d) << BigInt(p.lo))));
              gtCnt.set(d < maxd ? counts[d] : gtCnt);
            });
          }
        };
        sw = sw ? sw.is(j, body) : m.switch(pass).is(j, body);
      });
    });
  }
  return {
    lanes,
    connect(ready) {
      laneFire.set(lanes.valid.and(ready));
      m.when(laneFire, () => seen.set(mux(lastData, lit(UInt(w.LW), 0), seen.addWrap(fit(beatCount, w.LW)))));
      m.when(laneFire.and(lastData), () => phase.set(IDLE));
      const kept = m.wire('rb_kept', rowKept);
      return { push: laneFire.and(lastData), kept, pruned: m.wire('rb_pruned', rowLen.subWrap(kept)), max: rowMax, overflow: m.wire('rb_overflow', overflow) };
    },
  };
}
