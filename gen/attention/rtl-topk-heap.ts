/**
 * The running k-th best score of topk (README.md §3, "Hardware"): a binary min-heap of the k largest
 * completed scores in a memory of k entries (two read ports). `insert` adds a completed candidate's
 * score: while fewer than k are held it goes in at the end and sifts up; once k are held it replaces
 * the root and sifts down if it is larger than the root (the k largest multiset: ties do not
 * displace). Each level takes two cycles (read, then compare and write). `root` (= heap[0]) is the
 * running threshold T when `full`. `scan` counts the entries equal to the root (k cycles): the
 * number of candidates with exactly the final T that are kept (index ascending).
 */
import { Bool, SInt, UInt, log2Ceil, mux, type Expr, type ModuleBuilder, type Var } from '../../hdl/index.ts';
import type { RtlDims } from './rtl-dims.ts';

export interface HeapIn {
  /** take `score` (one cycle, only while !busy) */
  insert: Expr;
  score: Expr;
  /** start the equal-to-root count (one cycle, only while !busy) */
  scan: Expr;
  clear: Expr;
}

export interface Heap {
  busy: Expr;
  /** `root` and `full` already hold the values after the current insert: idle, a sift-down below the
   * root (the root was written at level 0), or a sift-up while fewer than k are held (no threshold) */
  settled: Expr;
  full: Expr;
  root: Var;
  /** entries equal to the root, after a scan */
  ties: Var;
}

const [IDLE, UPRD, UPCMP, DNRD, DNCMP, SCAN] = [0, 1, 2, 3, 4, 5];

export function topkHeap(m: ModuleBuilder, d: RtlDims, K: number, i: HeapIn): Heap {
  const { SW } = d;
  const depth = Math.max(2, K);
  const AWh = log2Ceil(depth);
  const IW = AWh + 2;
  const mem = m.mem('heap_mem', SInt(SW), depth);
  const st = m.reg('heap_state', UInt(3), { reset: IDLE });
  const at = (s: number) => st.eq(s);
  const size = m.reg('heap_size', UInt(IW), { reset: 0 });
  const idx = m.reg('heap_index', UInt(IW));
  const x = m.reg('heap_x', SInt(SW));
  const root = m.reg('heap_root', SInt(SW));
  const ties = m.reg('heap_ties', UInt(IW));
  const scanAt = m.reg('heap_scan_at', UInt(IW));
  const full = m.wire('heap_full', size.eq(K));

  const parent = m.wire('heap_parent', idx.subWrap(1).shr(1).zext(IW));
  const left = m.wire('heap_left', idx.shl(1).trunc(IW).addWrap(1));
  const right = m.wire('heap_right', idx.shl(1).trunc(IW).addWrap(2));
  const a = (e: Expr) => e.trunc(AWh);
  const rd0 = m.wire('heap_rd0_en', at(UPRD).or(at(DNRD)).or(at(SCAN)));
  const addr0 = m.wire('heap_rd0_addr', mux(at(UPRD), a(parent), mux(at(SCAN), a(scanAt), a(left))));
  const v0 = mem.read('heap_rd0', addr0, rd0);
  const v1 = mem.read('heap_rd1', a(right), at(DNRD));
  const scanV = m.reg('heap_scan_valid', Bool, { reset: 0 });
  scanV.set(at(SCAN).and(scanAt.lt(K)));

  const wEn = m.wire('heap_write', Bool);
  const wAddr = m.wire('heap_write_addr', UInt(AWh));
  const wData = m.wire('heap_write_data', SInt(SW));
  wEn.set(0);
  wAddr.set(a(idx));
  wData.set(x);
  m.when(wEn, () => {
    mem.write(wAddr, wData);
    m.when(wAddr.eq(0), () => root.set(wData));
  });

  m.when(at(IDLE).and(i.insert), () => {
    x.set(i.score);
    m.when(full.not(), () => {
      idx.set(size);
      size.set(size.addWrap(1));
      st.set(UPRD);
    }).elseWhen(i.score.gt(root), () => {
      idx.set(0);
      st.set(DNRD);
    });
  });
  // sift up: read the parent, then move it down or place x
  m.when(at(UPRD), () => {
    m.when(idx.eq(0), () => {
      wEn.set(1);
      st.set(IDLE);
    }).otherwise(() => st.set(UPCMP));
  });
  m.when(at(UPCMP), () => {
    wEn.set(1);
    m.when(v0.gt(x), () => {
      wData.set(v0);
      idx.set(parent);
      st.set(UPRD);
    }).otherwise(() => st.set(IDLE));
  });
  // sift down: read both children, move the smaller up or place x
  const hasL = m.wire('heap_has_left', left.lt(K));
  const hasR = m.wire('heap_has_right', right.lt(K));
  m.when(at(DNRD), () => {
    m.when(hasL.not(), () => {
      wEn.set(1);
      st.set(IDLE);
    }).otherwise(() => st.set(DNCMP));
  });
  const useR = m.wire('heap_use_right', hasR.and(v1.lt(v0)));
  const child = m.wire('heap_child', mux(useR, v1, v0));
  m.when(at(DNCMP), () => {
    wEn.set(1);
    m.when(child.lt(x), () => {
      wData.set(child);
      idx.set(mux(useR, right, left));
      st.set(DNRD);
    }).otherwise(() => st.set(IDLE));
  });
  // the count of entries equal to the root
  m.when(at(IDLE).and(i.scan), () => {
    scanAt.set(0);
    ties.set(0);
    st.set(SCAN);
  });
  m.when(at(SCAN), () => {
    m.when(scanAt.lt(K), () => scanAt.set(scanAt.addWrap(1)));
    m.when(scanV.and(v0.eq(root)), () => ties.set(ties.addWrap(1)));
    m.when(scanAt.eq(K).and(scanV.not()), () => st.set(IDLE));
  });
  m.when(i.clear, () => {
    size.set(0);
    st.set(IDLE);
  });
  const settled = m.wire('heap_settled', at(IDLE).or(at(DNRD).or(at(DNCMP)).and(idx.ne(0))).or(at(UPRD).or(at(UPCMP)).and(full.not())));
  return { busy: at(IDLE).not(), settled, full, root, ties };
}
