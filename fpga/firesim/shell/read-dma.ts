/**
 * The read DMA: AR bursts over rows*cols*in_words words from src_addr, R into a 32-word FIFO
 * (`rready` = FIFO not full). A unit with a memory port shares AR/R with its memory words
 * (`read-tagged.ts`).
 */
import { Bool, UInt, bitsFor, lit, type InstanceHandle } from '../../../hdl/index.ts';
import { fifo, type Source } from '../../../hdl/lib/index.ts';
import type { AxiMasterPorts } from './axi-master.ts';
import { burstOf } from './burst.ts';
import { U, type ShellContext } from './context.ts';
import type { Control } from './control.ts';
import type { Counters } from './counters.ts';
import { AXI_ADDR_BITS, WORD_FIFO_DEPTH } from './params.ts';
import { taggedReads } from './read-tagged.ts';
import { rFields, type ReadAddress, type ReadData } from './read-types.ts';

/** The AR channel's state and the job's read length (declared before the unit instance). */
export function readAddress(c: ShellContext, axi: AxiMasterPorts, ctl: Control): ReadAddress {
  const { m, layout, limits } = c;
  const A = AXI_ADDR_BITS;
  const inWords = layout.input.words;
  const rdAddr = m.reg('rd_addr', UInt(A), { reset: 0 });
  const rdLeft = m.reg('rd_left', UInt(32), { reset: 0 });
  const arValid = m.reg('ar_valid', Bool, { reset: 0 });
  const arAddr = m.reg('ar_addr', UInt(A), { reset: 0 });
  const arLen = m.reg('ar_len', UInt(8), { reset: 0 });
  axi.arvalid.set(arValid);
  axi.araddr.set(arAddr);
  axi.arlen.set(arLen);
  const rdBurst = burstOf(m, 'rd', rdAddr, rdLeft);
  const rb = bitsFor(limits.maxRows);
  const cb = bitsFor(limits.maxCols);
  const product = ctl.rows.slice(rb - 1, 0).mul(ctl.cols.slice(cb - 1, 0));
  const records = m.wire('job_records', product.width > 32 ? product.trunc(32) : product.zext(32));
  const rdTotal = m.wire('job_read_words', records.mul(U(bitsFor(inWords), inWords)).trunc(32));
  m.when(arValid.and(axi.arready), () => arValid.set(0));
  return { rdAddr, rdLeft, arValid, arAddr, arLen, rdBurst, rdTotal };
}

/** R: the word FIFO, the RRESP error, the words_read counter; issuing of input bursts. */
export function readData(c: ShellContext, axi: AxiMasterPorts, ctl: Control, cnt: Counters, ra: ReadAddress, unit: InstanceHandle): ReadData {
  const { m, layout } = c;
  const rReady = m.wire('r_ready', Bool);
  const rFire = m.wire('r_fire', axi.rvalid.and(rReady));
  ctl.errSet.RRESP.set(rFire.and(axi.rresp.bit(1)));
  m.when(ctl.launch, () => cnt.wordsRead.set(0)).elseWhen(rFire, () => cnt.wordsRead.set(cnt.wordsRead.addWrap(1)));
  if (layout.memory) return taggedReads(c, axi, ctl, ra, unit, layout.memory, rReady, rFire);
  const A = AXI_ADDR_BITS;
  const { rdAddr, rdLeft, arValid, arAddr, arLen, rdBurst } = ra;
  m.when(ctl.launch, () => {
    rdAddr.set(ctl.srcAddr);
    rdLeft.set(ra.rdTotal);
  }).elseWhen(ctl.busy.and(arValid.not()).and(rdLeft.ne(0)), () => {
    arValid.set(1);
    arAddr.set(rdAddr);
    arLen.set(rdBurst.zext(8).subWrap(1));
    rdAddr.set(rdAddr.addWrap(rdBurst.zext(A).shl(3).trunc(A)));
    rdLeft.set(rdLeft.subWrap(rdBurst.zext(32)));
  });
  const rq = fifo(m, 'rfifo', { fields: rFields, valid: axi.rvalid, ready: rReady, bits: { data: axi.rdata } } as Source<typeof rFields>, WORD_FIFO_DEPTH);
  axi.rready.set(rReady);
  m.wire('r_last_seen', axi.rlast); // rlast is implied by the burst length; kept visible for debugging
  return { rq, readsIdle: lit(Bool, 1) };
}
