/**
 * topk phase-2 order (README.md §3, "Hardware"): a counting sort of the candidates over 64 buckets
 * of U1. Phase 1 writes (g, P1, U1) of candidate t at p1[t] and reports each U1 here (running
 * U_max and U_min). Then: SHIFT (the smallest s with (U_max − U_min) >> s < 64, one bit per cycle)
 * -> COUNT (read p1 for t = sink .. n − R − 1, one per cycle; cnt[b]++ for b = (U_max − U1) >> s)
 * -> PREFIX (64 cycles: cnt becomes the exclusive prefix sums, by rotation) -> PLACE (read p1 again
 * in index order; ord[cnt[b]++] = (t, g, P1, U1)): buckets ascending, index ascending inside one.
 */
import { Bool, SInt, UInt, cat, lit, log2Ceil, mux, type Expr, type MemoryHandle, type ModuleBuilder } from '../../hdl/index.ts';
import { pick } from './rtl-slot-requests.ts';
import { TOPK_BUCKETS } from './select.ts';
import type { RtlDims } from './rtl-dims.ts';

export interface SortIn {
  /** a candidate's phase-1 result is written (its U1) */
  note: Expr;
  noteU: Expr;
  /** enter the sort (one cycle, phase SORT begins); row start */
  start: Expr;
  clear: Expr;
  /** candidates: t = sink .. hi − 1 */
  sink: number;
  hi: Expr;
  p1: MemoryHandle;
  ord: MemoryHandle;
}

export interface Sort {
  done: Expr;
}

const [IDLE, SHIFT, COUNT, PREFIX, PLACE, DONE] = [0, 1, 2, 3, 4, 5];

export function topkSort(m: ModuleBuilder, d: RtlDims, i: SortIn): Sort {
  const { NW, SW, SMA } = d;
  const UW = SW + 1;
  const NB = TOPK_BUCKETS;
  const BW = log2Ceil(NB);
  const any = m.reg('ts_any', Bool, { reset: 0 });
  const umax = m.reg('ts_umax', SInt(UW));
  const umin = m.reg('ts_umin', SInt(UW));
  m.when(i.note, () => {
    any.set(1);
    m.when(any.not().or(i.noteU.gt(umax)), () => umax.set(i.noteU));
    m.when(any.not().or(i.noteU.lt(umin)), () => umin.set(i.noteU));
  });
  m.when(i.clear, () => any.set(0));

  const st = m.reg('ts_state', UInt(3), { reset: IDLE });
  const at = (s: number) => st.eq(s);
  const RW = UW + 1;
  const range = m.reg('ts_range', UInt(RW));
  const sh = m.reg('ts_shift', UInt(log2Ceil(RW + 1)));
  const t = m.reg('ts_token', UInt(NW));
  const k = m.reg('ts_count', UInt(BW + 1));
  const run = m.reg('ts_run', UInt(NW + 1));
  const cnt = Array.from({ length: NB }, (_, b) => m.reg(`ts_cnt${b}`, UInt(NW + 1)));
  const pass = at(COUNT).or(at(PLACE));
  const rdEn = m.wire('ts_read', pass.and(t.lt(i.hi)));
  const rec = i.p1.read('ts_rec', t.trunc(SMA).zext(SMA), rdEn);
  const rv = m.reg('ts_rec_valid', Bool, { reset: 0 });
  const rt = m.reg('ts_rec_token', UInt(NW));
  rv.set(rdEn);
  m.when(rdEn, () => {
    rt.set(t);
    t.set(t.addWrap(1));
  });
  // record: {g, P1, U1} with U1 in the low UW bits
  const recU = rec.slice(UW - 1, 0).asSInt();
  const diff = m.wire('ts_diff', umax.sext(RW).sub(recU.sext(RW)).asUInt().trunc(RW));
  const bucket = m.wire('ts_bucket', diff.shr(sh).trunc(BW));
  for (let b = 0; b < NB; b++) {
    m.when(rv.and(bucket.eq(b)), () => cnt[b].set(cnt[b].addWrap(1)));
  }
  m.when(at(PLACE).and(rv), () => i.ord.write(pick(cnt, bucket).trunc(SMA).zext(SMA), cat(rt, rec)));

  const noCand = m.wire('ts_no_candidates', i.hi.le(i.sink));
  m.when(i.start, () => {
    range.set(umax.sext(RW).sub(umin.sext(RW)).asUInt().trunc(RW));
    sh.set(0);
    t.set(i.sink);
    for (const c of cnt) c.set(0);
    st.set(mux(noCand, lit(UInt(3), DONE), lit(UInt(3), SHIFT)));
  });
  m.when(at(SHIFT), () => {
    m.when(range.ge(NB), () => {
      range.set(range.shr(1).zext(RW));
      sh.set(sh.addWrap(1));
    }).otherwise(() => st.set(COUNT));
  });
  m.when(at(COUNT).and(t.ge(i.hi)).and(rv.not()), () => {
    k.set(0);
    run.set(0);
    st.set(PREFIX);
  });
  m.when(at(PREFIX), () => {
    for (let b = 0; b < NB; b++) cnt[b].set(b === NB - 1 ? run : cnt[b + 1]);
    run.set(run.addWrap(cnt[0]));
    k.set(k.addWrap(1));
    m.when(k.eq(NB - 1), () => {
      t.set(i.sink);
      st.set(PLACE);
    });
  });
  m.when(at(PLACE).and(t.ge(i.hi)).and(rv.not()), () => st.set(DONE));
  m.when(i.clear, () => st.set(IDLE));
  return { done: at(DONE) };
}

/** The width of a p1 / ord record: {g, P1, U1} and {t, g, P1, U1}. */
export function p1Width(d: RtlDims): number {
  return d.NW + d.SW + d.SW + 1;
}
