/**
 * The write side's shared half: a round-robin choice among the streams whose FIFO may start a
 * burst (starting after the last one served), AW + W of that burst, and B responses (up to
 * MAX_B_PENDING bursts wait for theirs; BRESP on an error response).
 */
import { Bool, UInt, bitsFor, lit, mux, type Expr, type Var } from '../../../hdl/index.ts';
import { BUS_BITS } from '../layout.ts';
import type { AxiMasterPorts } from './axi-master.ts';
import { U, type ShellContext } from './context.ts';
import type { Control } from './control.ts';
import type { Counters } from './counters.ts';
import { AXI_ADDR_BITS, MAX_B_PENDING } from './params.ts';
import type { OutSide, WriterState } from './write-fifos.ts';

export interface Writer extends WriterState {
  /** 0 idle, 1 in a burst (AW + W). */
  wState: Var;
  /** Bursts whose B has not arrived. */
  bPending: Var;
  rrLast: Var;
  awValid: Var;
  awAddr: Var;
  awLen: Var;
  wLeft: Var;
  inBurst: Var;
}

/** The writer's registers (declared before the stream FIFOs, which read `cur` and `wFire`). */
export function writerState(c: ShellContext, axi: AxiMasterPorts): Writer {
  const { m, layout } = c;
  const A = AXI_ADDR_BITS;
  const N = layout.outputs.length;
  const wState = m.reg('w_state', UInt(1), { reset: 0 }); // 0 idle, 1 burst (AW + W)
  const bPending = m.reg('b_pending', UInt(3), { reset: 0 }); // bursts whose B has not arrived
  const cur = m.reg('w_cur', UInt(2), { reset: 0 });
  const rrLast = m.reg('w_rr_last', UInt(2), { reset: N - 1 });
  const awValid = m.reg('aw_valid', Bool, { reset: 0 });
  const awAddr = m.reg('aw_addr', UInt(A), { reset: 0 });
  const awLen = m.reg('aw_len', UInt(8), { reset: 0 });
  const wLeft = m.reg('w_left', UInt(5), { reset: 0 });
  axi.awvalid.set(awValid);
  axi.awaddr.set(awAddr);
  axi.awlen.set(awLen);
  const inBurst = m.wire('w_in_burst', wState.eq(1));
  const wActive = m.wire('w_active', inBurst.and(wLeft.ne(0)));
  const wFire = m.wire('w_fire', Bool);
  return { wState, bPending, cur, rrLast, awValid, awAddr, awLen, wLeft, inBurst, wActive, wFire, wready: axi.wready };
}

/** Round-robin choice, AW/W/B, and the per-stream address and length bookkeeping. */
export function burstWriter(c: ShellContext, axi: AxiMasterPorts, ctl: Control, cnt: Counters, w: Writer, outs: OutSide[]): void {
  const { m, layout } = c;
  const A = AXI_ADDR_BITS;
  const N = layout.outputs.length;
  const { wState, bPending, cur, rrLast, awValid, awAddr, awLen, wLeft, inBurst, wActive, wFire } = w;
  const { busy, launch } = ctl;
  const pick = (last: number): [Expr, Expr] => {
    let v: Expr = lit(Bool, 0);
    let idx: Expr = U(2, 0);
    for (let o2 = N; o2 >= 1; o2--) {
      const j = (last + o2) % N;
      v = mux(outs[j].eligible, lit(Bool, 1), v);
      idx = mux(outs[j].eligible, U(2, j), idx);
    }
    return [v, idx];
  };
  let [selValid, selIdx] = pick(N - 1);
  for (let l = 0; l < N - 1; l++) {
    const [v, i] = pick(l);
    selValid = mux(rrLast.eq(l), v, selValid);
    selIdx = mux(rrLast.eq(l), i, selIdx);
  }
  const sv = m.wire('w_sel_valid', selValid);
  const si = m.wire('w_sel', selIdx);
  const selBurst = m.wire('w_sel_burst', outs.reduce<Expr>((acc, o2, j) => mux(si.eq(j), o2.burst, acc), U(5, 0)));
  const selAddr = m.wire('w_sel_addr', outs.reduce<Expr>((acc, o2, j) => mux(si.eq(j), o2.addr, acc), U(A, 0)));

  const curValid = m.wire('w_cur_valid', outs.reduce<Expr>((acc, o2, j) => mux(cur.eq(j), o2.qValid, acc), lit(Bool, 0)));
  const curData = m.wire('w_cur_data', outs.reduce<Expr>((acc, o2, j) => mux(cur.eq(j), o2.qData, acc), U(BUS_BITS, 0)));
  axi.wvalid.set(wActive.and(curValid));
  axi.wdata.set(curData);
  axi.wlast.set(wLeft.eq(1));
  wFire.set(wActive.and(curValid).and(axi.wready));
  axi.bready.set(bPending.ne(0));
  const bFire = m.wire('b_fire', bPending.ne(0).and(axi.bvalid));
  ctl.errSet.BRESP.set(bFire.and(axi.bresp.bit(1)));
  m.when(launch, () => cnt.wordsWritten.set(0)).elseWhen(wFire, () => cnt.wordsWritten.set(cnt.wordsWritten.addWrap(1)));

  const startBurst = m.wire('w_start_burst', busy.and(wState.eq(0)).and(sv).and(bPending.lt(MAX_B_PENDING)));
  layout.outputs.forEach((s, j) => {
    const o2 = outs[j];
    m.when(launch, () => {
      o2.addr.set(ctl.outAddrs[j]);
      o2.left.set(ctl.outLens[j].mul(U(bitsFor(s.words), s.words)).trunc(32));
    }).elseWhen(startBurst.and(si.eq(j)), () => {
      o2.addr.set(o2.addr.addWrap(o2.burst.zext(A).shl(3).trunc(A)));
      o2.left.set(o2.left.subWrap(o2.burst.zext(32)));
    });
  });
  m.when(startBurst, () => {
    wState.set(1);
    cur.set(si);
    rrLast.set(si);
    awValid.set(1);
    awAddr.set(selAddr);
    awLen.set(selBurst.zext(8).subWrap(1));
    wLeft.set(selBurst);
  });
  m.when(awValid.and(axi.awready), () => awValid.set(0));
  m.when(wFire, () => wLeft.set(wLeft.subWrap(1)));
  m.when(inBurst.and(wLeft.eq(0)).and(awValid.not()), () => wState.set(0));
  m.when(startBurst.and(bFire.not()), () => bPending.set(bPending.addWrap(1))).elseWhen(bFire.and(startBurst.not()), () => bPending.set(bPending.subWrap(1)));
}
