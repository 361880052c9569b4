/**
 * The write side's per-stream half: unit output records -> 64-bit words -> one 32-word FIFO per
 * output stream, the record counters, OVERFLOW (a record beyond `<s>_len` is dropped), and when
 * each stream may start a burst. A fixed-length stream waits until its FIFO holds a whole burst; a
 * variable stream (`layout.variable`) ends after `<s>_ends` records with last (dropped ones
 * included), and then the words still in its FIFO go out in a shorter burst.
 */
import { Bool, UInt, bitsFor, cat, lit, mux, type Expr, type InstanceHandle, type Var } from '../../../hdl/index.ts';
import { fifo } from '../../../hdl/lib/index.ts';
import { BUS_BITS } from '../layout.ts';
import { burstOf } from './burst.ts';
import { U, type ShellContext } from './context.ts';
import type { Control } from './control.ts';
import { AXI_ADDR_BITS, WORD_FIFO_DEPTH } from './params.ts';

/** One output stream as the burst writer sees it. */
export interface OutSide {
  addr: Var;
  left: Var;
  burst: Var;
  eligible: Var;
  qValid: Expr;
  qData: Expr;
  qReady: Var;
  /** Every record of the stream has been written (or dropped). */
  complete: Expr;
}

/** The writer's shared state the FIFOs need: which stream is being written, and its W beats. */
export interface WriterState {
  cur: Var;
  wActive: Var;
  wFire: Var;
  wready: Expr;
}

export function writeFifos(c: ShellContext, ctl: Control, u: InstanceHandle, w: WriterState): OutSide[] {
  const { m, layout, reg } = c;
  const { launch, outLens } = ctl;
  const { cur, wActive, wFire, wready } = w;
  const A = AXI_ADDR_BITS;
  const outs: OutSide[] = [];
  const overflow: Expr[] = [];
  layout.outputs.forEach((s, i) => {
    const pre = `o${i}`;
    const addr = m.reg(`${pre}_addr`, UInt(A), { reset: 0 });
    const left = m.reg(`${pre}_left`, UInt(32), { reset: 0 });
    const occ = m.reg(`${pre}_occ`, UInt(6), { reset: 0 });
    const count = m.reg(`${pre}_count`, UInt(32), { reset: 0 });
    reg(`${s.name}_count`).set(count);
    // unit output record -> 64-bit words
    const valid = u.port(`${s.name}_valid`);
    const fields = s.fields.map((f) => u.port(`${s.name}_${f.name}`).asUInt());
    const packed = m.wire(`${pre}_record`, fields.length === 1 ? fields[0] : cat(...fields.slice().reverse()));
    const padded = s.words * BUS_BITS > s.bits ? cat(U(s.words * BUS_BITS - s.bits, 0), packed) : packed;
    const drop = m.wire(`${pre}_drop`, count.eq(outLens[i]));
    overflow.push(valid.and(drop));
    const qInReady = m.wire(`${pre}_q_in_ready`, Bool);
    let word: Expr = padded.slice(BUS_BITS - 1, 0);
    let lastWord: Expr = lit(Bool, 1);
    let k: Var | undefined;
    if (s.words > 1) {
      k = m.reg(`${pre}_word`, UInt(bitsFor(s.words - 1)), { reset: 0 });
      for (let j = 1; j < s.words; j++) word = mux(k.eq(j), padded.slice(BUS_BITS * j + BUS_BITS - 1, BUS_BITS * j), word);
      lastWord = k.eq(s.words - 1);
    }
    const lw = m.wire(`${pre}_last_word`, lastWord);
    const push = m.wire(`${pre}_push`, valid.and(drop.not()));
    const pushFire = m.wire(`${pre}_push_fire`, push.and(qInReady));
    u.port(`${s.name}_ready`).set(drop.or(qInReady.and(lw)));
    if (k) {
      const kk = k;
      m.when(pushFire, () => kk.set(mux(lw, U(kk.width, 0), kk.addWrap(1))));
    }
    m.when(launch, () => count.set(0)).elseWhen(pushFire.and(lw), () => count.set(count.addWrap(1)));
    const wf = { data: UInt(BUS_BITS) };
    const q = fifo(m, `${pre}_fifo`, { fields: wf, valid: push, ready: qInReady, bits: { data: m.wire(`${pre}_word_data`, word) } }, WORD_FIFO_DEPTH);
    const pop = m.wire(`${pre}_pop`, wFire.and(cur.eq(i)));
    q.ready.set(wActive.and(wready).and(cur.eq(i)));
    m.when(pushFire.and(pop.not()), () => occ.set(occ.addWrap(1))).elseWhen(pop.and(pushFire.not()), () => occ.set(occ.subWrap(1)));
    if (!layout.variable.includes(s.name)) {
      const burst = burstOf(m, pre, addr, left);
      const eligible = m.wire(`${pre}_eligible`, left.ne(0).and(occ.zext(32).ge(burst.zext(32))));
      outs.push({ addr, left, burst, eligible, qValid: q.valid, qData: q.bits.data, qReady: q.ready, complete: left.eq(0) });
    } else {
      const endsSeen = m.reg(`${pre}_ends_seen`, UInt(32), { reset: 0 });
      const lastFire = m.wire(`${pre}_last_fire`, valid.and(u.port(`${s.name}_ready`)).and(u.port(`${s.name}_last`)));
      m.when(launch, () => endsSeen.set(0)).elseWhen(lastFire, () => endsSeen.set(endsSeen.addWrap(1)));
      const ended = m.wire(`${pre}_ended`, endsSeen.eq(reg(`${s.name}_ends`)));
      const full = burstOf(m, `${pre}_full`, addr, left);
      const burst = m.wire(`${pre}_burst`, mux(occ.zext(7).lt(full.zext(7)), occ.trunc(5), full));
      const eligible = m.wire(`${pre}_eligible`, left.ne(0).and(occ.ne(0)).and(occ.zext(7).ge(full.zext(7)).or(ended)));
      const idle = k ? k.eq(0) : lit(Bool, 1);
      outs.push({ addr, left, burst, eligible, qValid: q.valid, qData: q.bits.data, qReady: q.ready, complete: ended.and(occ.eq(0)).and(idle) });
    }
  });
  ctl.errSet.OVERFLOW.set(overflow.reduce((a, b) => a.or(b)));
  return outs;
}
