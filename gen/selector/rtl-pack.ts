/**
 * The selector's output packer for P <= P_out (README "Micro-architectures", "Size"; issue #19
 * item 2): lane beats of P (index, score, keep) become P_out-lane `out` beats.
 *
 * 1. Compaction register: the beat's kept lanes, dense in lane order (a log-depth shifter,
 *    rtl-compact.ts: ⌈log2 P⌉ stages of P 2:1 multiplexers per field), their count and the row end.
 * 2. Accumulator A of P_out slots holding the F (0..P_out) items of the unfinished `out` beat. The
 *    compacted items are rotated by F into P_out positions (⌈log2 P_out⌉ stages of P_out 2:1
 *    multiplexers per field): item d lands in slot (F + d) mod P_out. The `out` register takes slot j
 *    from A (j < F) or from the rotation (j ≥ F); the items that do not fit (F + count > P_out) are
 *    the rotation's slots below F + count − P_out and go to A. No circular buffer, no read rotation.
 * 3. Emission: a full beat of an unfinished row leaves only when more items exist (F + count >
 *    P_out), so a row's final beat always carries `last`. A row-ending beat emits F + count ≤ P_out
 *    items with `last`; if they do not fit, the full beat goes now and the rest (a pending `last`
 *    beat, flag `pk_pend`) next cycle, while the next row's first beat already goes to A. So one lane
 *    beat is taken per cycle whenever `out` is ready, whatever the keep pattern (P ≤ P_out).
 *
 * The producer's ready is `!cmp_valid || out_free` (one LUT from registers and `out_ready`): the
 * compaction register is taken only when the `out` register is free.
 */
import { Bool, SInt, UInt, bitsFor, lit, mux, vecOf, type Expr, type ModuleBuilder, type Var } from '../../hdl/index.ts';
import { streamOut } from '../../hdl/lib/index.ts';
import { selectorWidths, type SelectorConfig } from './config.ts';
import { fit } from './rtl-fit.ts';
import { compactLog, countLog, rotate } from './rtl-compact.ts';
import type { LaneBeat } from './rtl-gearbox.ts';

/** Builds the compaction register, the accumulator and the `out` stream; returns the lane-beat ready. */
export function packOut(m: ModuleBuilder, cfg: SelectorConfig, src: LaneBeat): Expr {
  const w = selectorWidths(cfg);
  const P = src.keep.length;
  const Q = cfg.outLanes;
  if (P > Q) throw new Error(`packOut: lanes (${P}) must not exceed outLanes (${Q})`);
  const PW = bitsFor(P);
  const FW = bitsFor(Q);
  const out = streamOut(m, 'out', { idx: UInt(w.IW).vec(Q), score: SInt(w.W).vec(Q), count: UInt(w.CW), last: Bool });

  // ---- output register
  const oValid = m.reg('out_valid_r', Bool, { reset: 0 });
  const oIdx = Array.from({ length: Q }, (_, j) => m.reg(`out_idx_${j}`, UInt(w.IW)));
  const oScore = Array.from({ length: Q }, (_, j) => m.reg(`out_score_${j}`, SInt(w.W)));
  const oCount = m.reg('out_count_r', UInt(w.CW));
  const oLast = m.reg('out_last_r', Bool);
  const oFree = m.wire('pk_out_free', oValid.not().or(out.ready));

  // ---- compaction register
  const cValid = m.reg('cmp_valid', Bool, { reset: 0 });
  const cCount = m.reg('cmp_count', UInt(PW));
  const cEnd = m.reg('cmp_end', Bool);
  const cIdx = Array.from({ length: P }, (_, d) => m.reg(`cmp_idx_${d}`, UInt(w.IW)));
  const cScore = Array.from({ length: P }, (_, d) => m.reg(`cmp_score_${d}`, SInt(w.W)));
  const keep = src.keep.map((k, i) => m.wire(`cmp_keep_${i}`, k));
  const dense = compactLog(m, 'cmp_net', keep, src.idx.map((ix, i) => ({ idx: ix, score: src.score[i] })), src.dropped);
  const itemIdx = dense.map((f, d) => m.wire(`cmp_item_idx_${d}`, f.idx));
  const itemScore = dense.map((f, d) => m.wire(`cmp_item_score_${d}`, f.score));
  const beatCount = m.wire('cmp_beat_count', countLog(m, 'cmp_cnt', keep, PW));
  const accept = m.wire('pk_accept', cValid.and(oFree));
  const ready = m.wire('cmp_ready', cValid.not().or(oFree));
  const srcFire = m.wire('cmp_src_fire', src.valid.and(ready));
  m.when(ready, () => cValid.set(srcFire));
  m.when(srcFire, () => {
    cCount.set(beatCount);
    cEnd.set(src.end);
    for (let d = 0; d < P; d++) {
      cIdx[d].set(itemIdx[d]);
      cScore[d].set(itemScore[d]);
    }
  });

  // ---- accumulator A: F items of the unfinished beat; pend: A holds a row's final (pending) beat
  const F = m.reg('pk_fill', UInt(FW), { reset: 0 });
  const pend = m.reg('pk_pend', Bool, { reset: 0 });
  const aIdx = Array.from({ length: Q }, (_, j) => m.reg(`pk_a_idx_${j}`, UInt(w.IW)));
  const aScore = Array.from({ length: Q }, (_, j) => m.reg(`pk_a_score_${j}`, SInt(w.W)));
  const fe = src.fillAhead ? m.reg('pk_fill_eff_r', UInt(FW), { reset: 0 }) : m.wire('pk_fill_eff', mux(pend, lit(UInt(FW), 0), F)); // items the new ones follow
  const zi = lit(UInt(w.IW), 0);
  const zs = lit(SInt(w.W), 0);
  const rIdx = rotate(m, 'pk_rot_idx', Array.from({ length: Q }, (_, j) => (j < P ? cIdx[j] : zi)), fe, 'right');
  const rScore = rotate(m, 'pk_rot_score', Array.from({ length: Q }, (_, j) => (j < P ? cScore[j] : zs)), fe, 'right');
  const TW = bitsFor(Q + P);
  const total = m.wire('pk_total', fit(fe, TW).addWrap(fit(cCount, TW)));
  const over = m.wire('pk_over', total.gt(Q)); // the new items do not all fit in this beat
  // emit: a pending final beat (A alone, with or without a new beat), or a new beat that ends the
  // row or overflows the beat
  const emitPend = m.wire('pk_emit_pend', pend.and(oFree));
  const emitNew = m.wire('pk_emit_new', accept.and(pend.not()).and(cEnd.or(over)));
  const emit = m.wire('pk_emit', emitPend.or(emitNew));
  const newLast = m.wire('pk_new_last', cEnd.and(over.not()));
  const nOut = m.wire('pk_n_out', mux(pend, fit(F, TW), mux(over, lit(UInt(TW), Q), total)));
  const rest = m.wire('pk_rest', fit(total.subWrap(lit(UInt(TW), Q)), FW)); // items left over after a full beat

  m.when(emit, () => {
    oValid.set(1);
    oCount.set(fit(nOut, w.CW));
    oLast.set(pend.or(newLast));
    for (let j = 0; j < Q; j++) {
      const used = nOut.gt(j);
      const fromA = pend.or(F.gt(j));
      oIdx[j].set(mux(used, mux(fromA, aIdx[j], rIdx[j]), zi));
      oScore[j].set(mux(used, mux(fromA, aScore[j], rScore[j]), zs));
    }
  }).elseWhen(out.ready, () => oValid.set(0));

  // A and F: a new beat's items go to A at slots fe.. (all of A after an emission)
  m.when(accept, () => {
    for (let j = 0; j < Q; j++) {
      m.when(pend.or(emitNew).or(F.le(j)), () => {
        aIdx[j].set(rIdx[j]);
        aScore[j].set(rScore[j]);
      });
    }
  });
  m.when(accept, () => {
    m.when(pend, () => {
      F.set(fit(cCount, FW));
      pend.set(cEnd);
    }).elseWhen(over, () => {
      F.set(rest);
      pend.set(cEnd);
    }).elseWhen(cEnd, () => F.set(lit(UInt(FW), 0)))
      .otherwise(() => F.set(fit(total, FW)));
  }).elseWhen(emitPend, () => {
    F.set(lit(UInt(FW), 0));
    pend.set(0);
  });

  out.valid.set(oValid);
  out.bits.idx.set(vecOf(oIdx));
  out.bits.score.set(vecOf(oScore));
  out.bits.count.set(oCount);
  out.bits.last.set(oLast);
  if (src.fillAhead) fillAheadNext(m, fe as Var, { accept, pend, over, cEnd, emitPend, cCount: fit(cCount, FW), rest, total: fit(total, FW) });
  return ready;
}

/**
 * `fillAhead` (the threshold core at stages 2): the fill amount the new items follow, pend ? 0 : F,
 * kept in its own register `pk_fill_eff_r` and loaded with the value the F and pend updates above
 * give it, so that the rotation and the total start from a register instead of pend's multiplexer.
 */
function fillAheadNext(m: ModuleBuilder, fe: Var, s: { accept: Expr; pend: Expr; over: Expr; cEnd: Expr; emitPend: Expr; cCount: Expr; rest: Expr; total: Expr }): void {
  const zero = lit(UInt(fe.width), 0);
  m.when(s.accept, () => {
    m.when(s.pend, () => fe.set(mux(s.cEnd, zero, s.cCount)))
      .elseWhen(s.over, () => fe.set(mux(s.cEnd, zero, s.rest)))
      .elseWhen(s.cEnd, () => fe.set(zero))
      .otherwise(() => fe.set(s.total));
  }).elseWhen(s.emitPend, () => fe.set(zero));
}
