/**
 * Stream compaction for the selector (README "Micro-architectures", "Outputs"): lane beats of P
 * (index, score, keep) are compacted (kept lanes dense, in lane order; a log-depth shifter,
 * rtl-compact.ts) into a register (behind a skid register, so the producer sees a registered ready),
 * then a gearbox (a circular buffer of P + 2·P_out slots: the items are barrel-rotated to the write
 * pointer wp, the P_out front slots read through a barrel rotation by rp: O(C log C) multiplexers) packs them into P_out-lane `out` beats; a row's last beat
 * carries `last` and may be partial (out_count < P_out; count 0 for a row that keeps nothing).
 * Unused lanes are zero.
 *
 * The gearbox holds up to two finished rows besides the unfinished one: it accepts a compacted beat
 * when its items fit after this cycle's emission and, for a row-ending beat, when fewer than two
 * row ends are still waiting. A full beat of an unfinished row leaves only when more of its items
 * exist, so a row's final beat always carries `last`. One `out` beat per cycle; the input side takes
 * one lane beat per cycle while the output keeps up (P_out >= P: always, for any keep pattern).
 */
import { Bool, SInt, UInt, bitsFor, lit, log2Ceil, mux, vecOf, type Expr, type ModuleBuilder } from '../../hdl/index.ts';
import { streamOut } from '../../hdl/lib/index.ts';
import type { SelectorConfig } from './config.ts';
import { selectorWidths } from './config.ts';
import { fit } from './rtl-fit.ts';
import { compactLog, countLog, rotate } from './rtl-compact.ts';
import { packOut } from './rtl-pack.ts';

/** A lane beat offered to the gearbox: the producer drives valid and the lanes, reads `ready`. */
export interface LaneBeat {
  valid: Expr;
  idx: Expr[];
  score: Expr[];
  keep: Expr[];
  end: Expr;
  /** optional: dropped[i] = lanes before i not kept (`compactShiftBits(P)` bits), e.g. registered by the core; the P <= P_out packer uses it */
  dropped?: Expr[];
  /** optional: the P <= P_out packer keeps its fill amount in a register computed a cycle ahead (threshold core, stages 2) */
  fillAhead?: boolean;
}

/** Builds the output path and the `out` stream (P <= P_out: rtl-pack.ts; else the circular gearbox below); returns the lane-beat ready. */
export function gearbox(m: ModuleBuilder, cfg: SelectorConfig, src: LaneBeat): Expr {
  const w = selectorWidths(cfg);
  const P = src.keep.length;
  const Q = cfg.outLanes;
  // P <= P_out: the accumulator packer (no circular buffer; rtl-pack.ts)
  if (P <= Q) return packOut(m, cfg, src);
  const C = P + 2 * Q;
  const FW = bitsFor(C);
  const PW = bitsFor(P);
  const out = streamOut(m, 'out', { idx: UInt(w.IW).vec(Q), score: SInt(w.W).vec(Q), count: UInt(w.CW), last: Bool });

  // ---- compaction register: kept lanes of one beat, dense in lane order
  const cValid = m.reg('cmp_valid', Bool, { reset: 0 });
  const cCount = m.reg('cmp_count', UInt(PW));
  const cEnd = m.reg('cmp_end', Bool);
  const cIdx = Array.from({ length: P }, (_, d) => m.reg(`cmp_idx_${d}`, UInt(w.IW)));
  const cScore = Array.from({ length: P }, (_, d) => m.reg(`cmp_score_${d}`, SInt(w.W)));
  const keep = src.keep.map((k, i) => m.wire(`cmp_keep_${i}`, k));
  // item d = the d-th kept lane: a log-depth compaction shifter (rtl-compact.ts)
  const dense = compactLog(m, 'cmp_net', keep, src.idx.map((ix, i) => ({ idx: ix, score: src.score[i] })));
  const compIdx = dense.map((f, d) => m.wire(`cmp_item_idx_${d}`, f.idx));
  const compScore = dense.map((f, d) => m.wire(`cmp_item_score_${d}`, f.score));
  // a skid register in front of the compaction register: the producer's ready is a register
  // (timing: the gearbox's accept logic is not in front of the cores' registers)
  const gAccept = m.wire('gb_accept', Bool);
  const sValid = m.reg('cmp_skid_valid', Bool, { reset: 0 });
  const sCount = m.reg('cmp_skid_count', UInt(PW));
  const sEnd = m.reg('cmp_skid_end', Bool);
  const sIdx = Array.from({ length: P }, (_, d) => m.reg(`cmp_skid_idx_${d}`, UInt(w.IW)));
  const sScore = Array.from({ length: P }, (_, d) => m.reg(`cmp_skid_score_${d}`, SInt(w.W)));
  const cReady = m.wire('cmp_ready', sValid.not());
  const srcFire = m.wire('cmp_src_fire', src.valid.and(sValid.not()));
  const cFree = m.wire('cmp_free', cValid.not().or(gAccept));
  const beatCount = m.wire('cmp_beat_count', countLog(m, 'cmp_cnt', keep, PW));
  m.when(cFree, () => {
    m.when(sValid, () => {
      cValid.set(1);
      sValid.set(0);
      cCount.set(sCount);
      cEnd.set(sEnd);
      for (let d = 0; d < P; d++) {
        cIdx[d].set(sIdx[d]);
        cScore[d].set(sScore[d]);
      }
    }).otherwise(() => {
      cValid.set(srcFire);
      m.when(srcFire, () => {
        cCount.set(beatCount);
        cEnd.set(src.end);
        for (let d = 0; d < P; d++) {
          cIdx[d].set(compIdx[d]);
          cScore[d].set(compScore[d]);
        }
      });
    });
  }).elseWhen(srcFire, () => {
    sValid.set(1);
    sCount.set(beatCount);
    sEnd.set(src.end);
    for (let d = 0; d < P; d++) {
      sIdx[d].set(compIdx[d]);
      sScore[d].set(compScore[d]);
    }
  });

  // ---- gearbox: a circular buffer of C slots; the front item is at slot rp, new items go to wp =
  // (rp + F) mod C. Counts are from the front: up to two finished rows wait in it: pend1 = the front
  // row has ended and its E1 items are at the front; pend2 = the next row has ended too, its items
  // end E2 items from the front.
  const F = m.reg('gb_fill', UInt(FW), { reset: 0 });
  const pend1 = m.reg('gb_pend1', Bool, { reset: 0 });
  const E1 = m.reg('gb_end1', UInt(FW), { reset: 0 });
  const pend2 = m.reg('gb_pend2', Bool, { reset: 0 });
  const E2 = m.reg('gb_end2', UInt(FW), { reset: 0 });
  const bIdx = Array.from({ length: C }, (_, s) => m.reg(`gb_idx_${s}`, UInt(w.IW)));
  const bScore = Array.from({ length: C }, (_, s) => m.reg(`gb_score_${s}`, SInt(w.W)));
  const SW = log2Ceil(Math.max(2, C));
  const rp = m.reg('gb_rp', UInt(SW), { reset: 0 });
  const wp = m.reg('gb_wp', UInt(SW), { reset: 0 });
  /** (ptr + n) mod C for ptr < C and n <= C */
  const wrap = (ptr: Expr, n: Expr): Expr => {
    const ww = Math.max(SW, n.width) + 1;
    const sum = fit(ptr, ww).addWrap(fit(n, ww));
    return fit(mux(sum.ge(C), sum.subWrap(lit(UInt(ww), C)), sum), SW);
  };
  const oValid = m.reg('out_valid_r', Bool, { reset: 0 });
  const oIdx = Array.from({ length: Q }, (_, j) => m.reg(`out_idx_${j}`, UInt(w.IW)));
  const oScore = Array.from({ length: Q }, (_, j) => m.reg(`out_score_${j}`, SInt(w.W)));
  const oCount = m.reg('out_count_r', UInt(w.CW));
  const oLast = m.reg('out_last_r', Bool);

  const outFree = m.wire('gb_out_free', oValid.not().or(out.ready));
  const emitEnd = m.wire('gb_emit_end', pend1.and(outFree));
  // a full beat of an unfinished row: only when more of its items exist (in the buffer or arriving),
  // so that a row's final beat always carries `last`
  const more = F.gt(Q).or(F.eq(Q).and(cValid).and(cCount.ne(0)));
  const emitFull = m.wire('gb_emit_full', pend1.not().and(more).and(outFree));
  const endSmall = m.wire('gb_end_small', E1.le(Q));
  const qLit = lit(UInt(FW), Q);
  const nEmit = m.wire('gb_n_emit', mux(emitEnd, mux(endSmall, E1, qLit), mux(emitFull, qLit, lit(UInt(FW), 0))));
  const emitLast = m.wire('gb_emit_last', emitEnd.and(endSmall));
  const fAfter = m.wire('gb_fill_after', F.subWrap(nEmit));
  const p1After = m.wire('gb_pend1_after', mux(emitLast, pend2, pend1));
  const e1After = m.wire('gb_end1_after', mux(emitLast, E2, E1).subWrap(nEmit));
  const p2After = m.wire('gb_pend2_after', pend2.and(emitLast.not()));
  const e2After = m.wire('gb_end2_after', E2.subWrap(nEmit));
  const fits = m.wire('gb_fits', fAfter.add(cCount).le(C));
  gAccept.set(cValid.and(fits).and(cEnd.and(p2After).not()));
  const fNew = m.wire('gb_fill_new', mux(gAccept, fit(fAfter.add(cCount), FW), fAfter));

  F.set(fNew);
  pend1.set(p1After);
  E1.set(e1After);
  pend2.set(p2After);
  E2.set(e2After);
  m.when(gAccept.and(cEnd), () => {
    m.when(p1After, () => {
      pend2.set(1);
      E2.set(fNew);
    }).otherwise(() => {
      pend1.set(1);
      E1.set(fNew);
    });
  });
  const wpNext = m.wire('gb_wp_next', wrap(wp, cCount));
  m.when(gAccept, () => wp.set(wpNext));
  rp.set(m.wire('gb_rp_next', wrap(rp, nEmit)));
  // slot s takes compacted item (s − wp) mod C when that is below the count: the items and a count
  // mask rotated right by wp
  const zi = lit(UInt(w.IW), 0);
  const zs = lit(SInt(w.W), 0);
  const wIdx = rotate(m, 'gb_wr_idx', Array.from({ length: C }, (_, j) => (j < P ? cIdx[j] : zi)), wp, 'right');
  const wScore = rotate(m, 'gb_wr_score', Array.from({ length: C }, (_, j) => (j < P ? cScore[j] : zs)), wp, 'right');
  const wEn = rotate(m, 'gb_wr_en', Array.from({ length: C }, (_, j) => (j < P ? cCount.gt(j) : lit(Bool, 0))), wp, 'right');
  for (let s = 0; s < C; s++) {
    m.when(gAccept.and(wEn[s]), () => {
      bIdx[s].set(wIdx[s]);
      bScore[s].set(wScore[s]);
    });
  }
  // the front Q slots: the buffer rotated left by rp
  const rIdx = rotate(m, 'gb_rd_idx', bIdx, rp, 'left');
  const rScore = rotate(m, 'gb_rd_score', bScore, rp, 'left');
  const frontIdx = Array.from({ length: Q }, (_, j) => m.wire(`gb_front_idx_${j}`, rIdx[j]));
  const frontScore = Array.from({ length: Q }, (_, j) => m.wire(`gb_front_score_${j}`, rScore[j]));
  const emit = m.wire('gb_emit', emitEnd.or(emitFull));
  m.when(emit, () => {
    oValid.set(1);
    oCount.set(fit(nEmit, w.CW));
    oLast.set(emitLast);
    for (let j = 0; j < Q; j++) {
      const on = nEmit.gt(j);
      oIdx[j].set(mux(on, frontIdx[j], lit(UInt(w.IW), 0)));
      oScore[j].set(mux(on, frontScore[j], lit(SInt(w.W), 0)));
    }
  }).elseWhen(out.ready, () => oValid.set(0));

  out.valid.set(oValid);
  out.bits.idx.set(vecOf(oIdx));
  out.bits.score.set(vecOf(oScore));
  out.bits.count.set(oCount);
  out.bits.last.set(oLast);
  return cReady;
}
