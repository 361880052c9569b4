/**
 * topk phase-2 order (README.md §3, "Hardware"): the candidates by bucket of U1 (64 buckets, index
 * ascending inside one), as 64 linked lists. Phase 1 writes (g, P1, U1) of candidate t at p1[t] and
 * reports each U1 here (running U_max, U_min, and a count). As soon as the last candidate is noted
 * (while phase 1 still fetches the forced keys of the recent window and the residual keys), the
 * sort starts: SHIFT (the smallest s with (U_max − U_min) >> s < 64, one bit per cycle) -> LINK (read
 * p1 for t = sink .. n − R − 1, one per cycle; append t to the list of b = (U_max − U1) >> s:
 * next[tail[b]] = t or head[b] = t, then tail[b] = t) -> DONE. Phase 2 then walks the lists, bucket
 * by bucket (`advance` loads the next entry {t, g, P1, U1} into `entry` one cycle later).
 */
import { Bool, SInt, UInt, cat, lit, log2Ceil, mux, type Expr, type MemoryHandle, type ModuleBuilder, type Var } from '../../hdl/index.ts';
import { pick } from './rtl-slot-requests.ts';
import { TOPK_BUCKETS } from './select.ts';
import type { RtlDims } from './rtl-dims.ts';

export interface SortIn {
  /** a candidate's phase-1 result is written (its U1) */
  note: Expr;
  noteU: Expr;
  /** row start (the query is taken) */
  clear: Expr;
  /** candidates: t = sink .. hi − 1, `count` of them (NW + 1 bits) */
  sink: number;
  hi: Expr;
  count: Expr;
  p1: MemoryHandle;
}

export interface Sort {
  /** the lists are built (from the cycle after the last link until the next row) */
  done: Expr;
  /** phase 2: load the next entry of the order (the first after `done`) */
  advance: Var;
  /** {t, g, P1, U1} of the entry loaded by the last `advance` */
  entry: Expr;
}

const [IDLE, SHIFT, LINK, DONE] = [0, 1, 2, 3];

export function topkSort(m: ModuleBuilder, d: RtlDims, i: SortIn): Sort {
  const { NW, SW, SMA } = d;
  const UW = SW + 1;
  const NB = TOPK_BUCKETS;
  const BW = log2Ceil(NB);
  const PW = NW + 1;
  const any = m.reg('ts_any', Bool, { reset: 0 });
  const umax = m.reg('ts_umax', SInt(UW));
  const umin = m.reg('ts_umin', SInt(UW));
  const notes = m.reg('ts_notes', UInt(PW), { reset: 0 });
  m.when(i.note, () => {
    any.set(1);
    notes.set(notes.addWrap(1));
    m.when(any.not().or(i.noteU.gt(umax)), () => umax.set(i.noteU));
    m.when(any.not().or(i.noteU.lt(umin)), () => umin.set(i.noteU));
  });

  const st = m.reg('ts_state', UInt(2), { reset: IDLE });
  const at = (s: number) => st.eq(s);
  const started = m.reg('ts_started', Bool, { reset: 0 });
  // every candidate is noted (U_max and U_min final): the cycle after the last note
  const start = m.wire('ts_start', started.not().and(i.clear.not()).and(notes.eq(i.count)));
  const RW = UW + 1;
  const range = m.reg('ts_range', UInt(RW));
  const sh = m.reg('ts_shift', UInt(log2Ceil(RW + 1)));
  const t = m.reg('ts_token', UInt(NW));
  const head = Array.from({ length: NB }, (_, b) => m.reg(`ts_head${b}`, UInt(NW)));
  const tail = Array.from({ length: NB }, (_, b) => m.reg(`ts_tail${b}`, UInt(NW)));
  const used = Array.from({ length: NB }, (_, b) => m.reg(`ts_used${b}`, Bool));
  const next = m.mem('ts_next_mem', UInt(NW), d.SMD);

  // ---- LINK: read p1 in index order, append to the bucket's list ----------------------------
  const linkRd = m.wire('ts_link_read', at(LINK).and(t.lt(i.hi)));
  const walkRd = m.wire('ts_advance', Bool);
  const walkAddr = m.wire('ts_walk_addr', UInt(NW));
  const rec = i.p1.read('ts_rec', mux(linkRd, t, walkAddr).trunc(SMA).zext(SMA), linkRd.or(walkRd));
  const rv = m.reg('ts_rec_valid', Bool, { reset: 0 });
  const rt = m.reg('ts_rec_token', UInt(NW));
  rv.set(linkRd);
  m.when(linkRd, () => {
    rt.set(t);
    t.set(t.addWrap(1));
  });
  // record: {g, P1, U1} with U1 in the low UW bits
  const recU = rec.slice(UW - 1, 0).asSInt();
  const diff = m.wire('ts_diff', umax.sext(RW).sub(recU.sext(RW)).asUInt().trunc(RW));
  const bucket = m.wire('ts_bucket', diff.shr(sh).trunc(BW));
  const link = m.wire('ts_link', rv.and(pick(used, bucket)));
  m.when(link, () => next.write(pick(tail, bucket).trunc(SMA).zext(SMA), rt));
  for (let b = 0; b < NB; b++) {
    m.when(rv.and(bucket.eq(b)), () => {
      tail[b].set(rt);
      used[b].set(1);
      m.when(used[b].not(), () => head[b].set(rt));
    });
  }

  m.when(start, () => {
    started.set(1);
    range.set(umax.sext(RW).sub(umin.sext(RW)).asUInt().trunc(RW));
    sh.set(0);
    t.set(i.sink);
    for (const u of used) u.set(0);
    st.set(mux(i.hi.le(i.sink), lit(UInt(2), DONE), lit(UInt(2), SHIFT)));
  });
  m.when(at(SHIFT), () => {
    m.when(range.ge(NB), () => {
      range.set(range.shr(1).zext(RW));
      sh.set(sh.addWrap(1));
    }).otherwise(() => st.set(LINK));
  });
  m.when(at(LINK).and(t.ge(i.hi)).and(rv.not()), () => st.set(DONE));

  // ---- the walk: list after list, buckets ascending ------------------------------------------------
  const cur = m.reg('ts_walk_token', UInt(NW));
  const curB = m.reg('ts_walk_bucket', UInt(BW));
  const have = m.reg('ts_walk_started', Bool, { reset: 0 });
  const nx = next.read('ts_walk_next', walkAddr.trunc(SMA).zext(SMA), walkRd);
  // the first used bucket after the current one (from bucket 0 before the first entry)
  let nb: Expr = lit(UInt(BW), 0);
  for (let b = NB - 1; b >= 0; b--) nb = mux(used[b].and(have.not().or(curB.lt(b))), lit(UInt(BW), b), nb);
  const nextBucket = m.wire('ts_walk_next_bucket', nb);
  const inList = m.wire('ts_walk_in_list', have.and(cur.ne(pick(tail, curB))));
  walkAddr.set(mux(inList, nx, pick(head, nextBucket)));
  m.when(walkRd, () => {
    cur.set(walkAddr);
    curB.set(mux(inList, curB, nextBucket));
    have.set(1);
  });
  m.when(start, () => have.set(0));

  m.when(i.clear, () => {
    any.set(0);
    notes.set(0);
    started.set(0);
    st.set(IDLE);
  });
  return { done: at(DONE), advance: walkRd, entry: cat(cur, rec) };
}

/** The width of a p1 record: {g, P1, U1}. */
export function p1Width(d: RtlDims): number {
  return d.NW + d.SW + d.SW + 1;
}
