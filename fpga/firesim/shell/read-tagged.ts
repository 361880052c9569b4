/**
 * Reads of a unit with a memory port. Two read sources share AR/R (one ID, so R returns in AR
 * order): input bursts and the unit's memory words. A tag FIFO remembers the source of every burst;
 * a burst is only issued when its target FIFO has room for all of it (credits), so R never waits
 * on a full FIFO and one source can never block the other. A memory request at or above mem_len is
 * not read: its tag is marked `zero`, and at the head of the tag FIFO it puts zero words into the
 * memory FIFO.
 */
import { Bool, UInt, bitsFor, lit, mux, type Expr, type InstanceHandle, type Var } from '../../../hdl/index.ts';
import { fifo, type Fields, type Source } from '../../../hdl/lib/index.ts';
import { BUS_BITS, type ShellLayout } from '../layout.ts';
import { assembleWords } from '../word-assembly.ts';
import type { AxiMasterPorts } from './axi-master.ts';
import { U, type ShellContext } from './context.ts';
import type { Control } from './control.ts';
import { AXI_ADDR_BITS, MEM_FIFO_DEPTH, TAG_DEPTH, WORD_FIFO_DEPTH } from './params.ts';
import { rFields, type ReadAddress, type ReadData } from './read-types.ts';

type MemoryLayout = NonNullable<ShellLayout['memory']>;

export function taggedReads(
  c: ShellContext,
  axi: AxiMasterPorts,
  ctl: Control,
  ra: ReadAddress,
  u: InstanceHandle,
  mem: MemoryLayout,
  rReady: Var,
  rFire: Var,
): ReadData {
  const { m, reg } = c;
  const A = AXI_ADDR_BITS;
  const { rdAddr, rdLeft, arValid, arAddr, arLen, rdBurst } = ra;
  const { busy, launch, errSet } = ctl;
  const memAddr = reg('mem_addr');
  const memLen = reg('mem_len');
  const memReads = m.reg('mem_reads', UInt(32), { reset: 0 });
  reg('mem_reads').set(memReads);
  const tagInReady = m.wire('tag_in_ready', Bool);
  const tagPush = m.wire('tag_push', Bool);
  const tagMem = m.wire('tag_mem', Bool);
  const tagZero = m.wire('tag_zero', Bool);
  const tf = { mem: Bool, zero: Bool } satisfies Fields;
  const tq = fifo(m, 'tagq', { fields: tf, valid: tagPush, ready: tagInReady, bits: { mem: tagMem, zero: tagZero } } as Source<typeof tf>, TAG_DEPTH);
  const inCredit = m.reg('rd_in_credit', UInt(7), { reset: WORD_FIFO_DEPTH });
  const memCredit = m.reg('rd_mem_credit', UInt(7), { reset: MEM_FIFO_DEPTH });
  const bursts = m.reg('rd_bursts', UInt(6), { reset: 0 });
  const prefMem = m.reg('rd_pref_mem', Bool, { reset: 1 });
  const reqValid = u.port(`${mem.request}_valid`);
  const reqAddr = u.port(`${mem.request}_${mem.addressField}`);
  const canIssue = m.wire('rd_can_issue', busy.and(arValid.not().or(axi.arready)).and(tagInReady));
  const memCand = m.wire('rd_mem_cand', canIssue.and(reqValid).and(memCredit.ge(mem.words)));
  const inCand = m.wire('rd_in_cand', canIssue.and(rdLeft.ne(0)).and(inCredit.ge(rdBurst.zext(7))));
  const grantMem = m.wire('rd_grant_mem', memCand.and(inCand.not().or(prefMem)));
  const grantIn = m.wire('rd_grant_in', inCand.and(grantMem.not()));
  u.port(`${mem.request}_ready`).set(grantMem);
  const inRange = m.wire('mem_in_range', reqAddr.zext(33).lt(memLen.zext(33)));
  const shift = Math.log2(mem.stride) + 3; // stride is a power of two
  const wordAddr = m.wire('mem_word_addr', memAddr.addWrap(reqAddr.zext(A).shl(shift).trunc(A)));
  errSet.MEM_RANGE.set(grantMem.and(inRange.not()));
  tagPush.set(grantMem.or(grantIn));
  tagMem.set(grantMem);
  tagZero.set(grantMem.and(inRange.not()));
  m.when(grantMem.or(grantIn), () => prefMem.set(grantIn));
  m.when(launch, () => {
    rdAddr.set(ctl.srcAddr);
    rdLeft.set(ra.rdTotal);
    memReads.set(0);
  }).elseWhen(grantIn, () => {
    arValid.set(1);
    arAddr.set(rdAddr);
    arLen.set(rdBurst.zext(8).subWrap(1));
    rdAddr.set(rdAddr.addWrap(rdBurst.zext(A).shl(3).trunc(A)));
    rdLeft.set(rdLeft.subWrap(rdBurst.zext(32)));
  }).elseWhen(grantMem, () => {
    m.when(inRange, () => {
      arValid.set(1);
      arAddr.set(wordAddr);
      arLen.set(U(8, mem.words - 1));
    });
    memReads.set(memReads.addWrap(1));
  });
  // R: routed by the tag at the head; a `zero` tag takes no R beats
  const toMem = tq.bits.mem;
  const zeroHead = m.wire('tag_zero_head', tq.valid.and(tq.bits.zero));
  const axiHead = m.wire('tag_axi_head', tq.valid.and(tq.bits.zero.not()));
  const rqInReady = m.wire('rfifo_accept', Bool);
  const mqInReady = m.wire('mfifo_accept', Bool);
  const rq = fifo(m, 'rfifo', { fields: rFields, valid: axi.rvalid.and(axiHead).and(toMem.not()), ready: rqInReady, bits: { data: axi.rdata } } as Source<typeof rFields>, WORD_FIFO_DEPTH);
  const mqValid = m.wire('mfifo_push', axi.rvalid.and(axiHead).and(toMem).or(zeroHead));
  const mq = fifo(m, 'mfifo', { fields: rFields, valid: mqValid, ready: mqInReady, bits: { data: mux(zeroHead, U(BUS_BITS, 0), axi.rdata) } } as Source<typeof rFields>, MEM_FIFO_DEPTH);
  rReady.set(axiHead.and(mux(toMem, mqInReady, rqInReady)));
  axi.rready.set(rReady);
  // the zero words of a `zero` tag: one per cycle while the memory FIFO takes them
  const zeroFire = m.wire('zero_fire', zeroHead.and(mqInReady));
  let zeroLast: Expr = lit(Bool, 1);
  if (mem.words > 1) {
    const zb = m.reg('zero_beat', UInt(bitsFor(mem.words - 1)), { reset: 0 });
    zeroLast = zb.eq(mem.words - 1);
    m.when(zeroFire, () => zb.set(mux(zeroLast, U(zb.width, 0), zb.addWrap(1))));
  }
  const burstEnd = m.wire('r_burst_end', rFire.and(axi.rlast).or(zeroFire.and(zeroLast)));
  tq.ready.set(burstEnd);
  m.when(tagPush.and(burstEnd.not()), () => bursts.set(bursts.addWrap(1))).elseWhen(burstEnd.and(tagPush.not()), () => bursts.set(bursts.subWrap(1)));
  const readsIdle = m.wire('rd_idle', bursts.eq(0));
  // credits: taken when a burst is issued, returned when its word leaves the FIFO
  const rqPop = m.wire('rfifo_pop', rq.valid.and(rq.ready));
  const mqPop = m.wire('mfifo_pop', mq.valid.and(mq.ready));
  inCredit.set(inCredit.addWrap(rqPop.zext(7)).subWrap(mux(grantIn, rdBurst.zext(7), U(7, 0))));
  memCredit.set(memCredit.addWrap(mqPop.zext(7)).subWrap(mux(grantMem, U(7, mem.words), U(7, 0))));
  // memory words -> the unit's response stream
  const word = assembleWords(m, 'mem', mq, mem.words, u.port(`${mem.response}_ready`));
  u.port(`${mem.response}_valid`).set(word.valid);
  u.port(`${mem.response}_${mem.dataField}`).set(m.wire('mem_resp_word', word.data).slice(mem.wordWidth - 1, 0));
  return { rq, readsIdle };
}
