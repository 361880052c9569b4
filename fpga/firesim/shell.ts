/**
 * The accelerator shell (DSL): the unit, an AXI4-Lite register file (regmap.ts) and a DMA engine
 * with an AXI4 master (64-bit data, 32-bit addresses, one ID, INCR bursts of at most 16 beats that
 * never cross a 4 KiB boundary). See README.md ("Shell") for the exact behaviour.
 *
 *   read side:  AR bursts over rows*cols*in_words words from src_addr -> R -> word FIFO ->
 *               record assembly (+ generated side-band fields) -> unit input stream
 *   write side: unit output stream s -> words -> FIFO s -> round-robin burst writer (AW + W; up to
 *               MAX_B_PENDING bursts wait for their B response)
 */
import { Bool, ModuleBuilder, UInt, bitsFor, cat, lit, minOf, mux, type Expr, type Module, type Var } from '../../hdl/index.ts';
import { fifo, unpack, type Fields, type Source } from '../../hdl/lib/index.ts';
import { axilRegfile } from '../axi/axil-regfile.ts';
import { BUS_BITS, type ShellLayout } from './layout.ts';
import { assembleWords } from './word-assembly.ts';
import { CTRL_IRQ_EN, CTRL_START, ERR, ERR_WIDTH, REG_ADDR_WIDTH, regfileMap, type CsrReg, type ErrName, type ShellLimits } from './regmap.ts';

export const MAX_BURST = 16;
/** Write bursts that may wait for their B response at once. */
export const MAX_B_PENDING = 4;
export const WORD_FIFO_DEPTH = 32;
export const AXI_ADDR_BITS = 32;
/** Memory-port words buffered (64-bit words; units with a memory port). */
export const MEM_FIFO_DEPTH = 32;
/** Read bursts in flight at once (units with a memory port). */
export const TAG_DEPTH = 16;
/** Largest `<s>_len` (records); larger is a SHAPE error. */
export const MAX_LEN = 0x0fffffff;

export interface ShellOptions {
  name: string;
  regfileName: string;
  unit: Module;
  layout: ShellLayout;
  regs: CsrReg[];
  limits: ShellLimits;
}

export interface Shell {
  module: Module;
  regfile: Module;
}

const U = (w: number, v: number | bigint) => lit(UInt(w), v);

export function buildShell(o: ShellOptions): Shell {
  const { layout, limits } = o;
  const rf = axilRegfile(regfileMap(o.regfileName, o.regs));
  const m = new ModuleBuilder(o.name, {
    doc: `kvhdl accelerator shell of ${o.unit.name}: AXI4-Lite registers (s_axi_*), AXI4 DMA master (m_axi_*), interrupt irq`,
  });

  // ---- AXI4-Lite slave: forwarded to the register file ----
  const regs = m.instance('regs', rf.module);
  for (const p of rf.module.ports) {
    if (!p.name.startsWith('s_axi_')) continue;
    if (p.kind === 'input') regs.port(p.name).set(m.input(p.name, p.type));
    else m.output(p.name, p.type).set(regs.port(p.name));
  }
  const reg = (name: string): Var => regs.port(name);
  for (const r of o.regs) if (r.constant !== undefined) reg(r.name).set(U(r.width, r.constant));

  // ---- AXI4 master ports ----
  const A = AXI_ADDR_BITS;
  const awaddr = m.output('m_axi_awaddr', UInt(A));
  const awlen = m.output('m_axi_awlen', UInt(8));
  const awsize = m.output('m_axi_awsize', UInt(3));
  const awburst = m.output('m_axi_awburst', UInt(2));
  const awvalid = m.output('m_axi_awvalid', Bool);
  const awready = m.input('m_axi_awready', Bool);
  const wdata = m.output('m_axi_wdata', UInt(BUS_BITS));
  const wstrb = m.output('m_axi_wstrb', UInt(BUS_BITS / 8));
  const wlast = m.output('m_axi_wlast', Bool);
  const wvalid = m.output('m_axi_wvalid', Bool);
  const wready = m.input('m_axi_wready', Bool);
  const bresp = m.input('m_axi_bresp', UInt(2));
  const bvalid = m.input('m_axi_bvalid', Bool);
  const bready = m.output('m_axi_bready', Bool);
  const araddr = m.output('m_axi_araddr', UInt(A));
  const arlen = m.output('m_axi_arlen', UInt(8));
  const arsize = m.output('m_axi_arsize', UInt(3));
  const arburst = m.output('m_axi_arburst', UInt(2));
  const arvalid = m.output('m_axi_arvalid', Bool);
  const arready = m.input('m_axi_arready', Bool);
  const rdata = m.input('m_axi_rdata', UInt(BUS_BITS));
  const rresp = m.input('m_axi_rresp', UInt(2));
  const rlast = m.input('m_axi_rlast', Bool);
  const rvalid = m.input('m_axi_rvalid', Bool);
  const rready = m.output('m_axi_rready', Bool);
  const irq = m.output('irq', Bool);
  awsize.set(U(3, 3));
  arsize.set(U(3, 3));
  awburst.set(U(2, 1));
  arburst.set(U(2, 1));
  wstrb.set(U(8, 0xff));

  // ---- control ----
  const ctrl = reg('ctrl');
  const startQ = m.reg('start_q', Bool, { reset: 0 });
  startQ.set(ctrl.bit(CTRL_START));
  const startEdge = m.wire('start_edge', ctrl.bit(CTRL_START).and(startQ.not()));
  const busy = m.reg('busy', Bool, { reset: 0 });
  reg('status').set(busy);
  irq.set(reg('done').and(ctrl.bit(CTRL_IRQ_EN)));
  const rows = reg('rows');
  const cols = reg('cols');
  const srcAddr = reg('src_addr');

  const errBit = (e: ErrName): number => ERR[e].bit;
  const errSet: Record<ErrName, Var> = {} as Record<ErrName, Var>;
  for (const k of Object.keys(ERR) as ErrName[]) errSet[k] = m.wire(`err_${k.toLowerCase()}`, Bool);
  reg('error_set').set(cat(...(Object.keys(ERR) as ErrName[]).sort((a, b) => errBit(b) - errBit(a)).map((k) => errSet[k])));
  if (Object.keys(ERR).length !== ERR_WIDTH) throw new Error('internal: error width');
  const doneSet = m.wire('done_set', Bool);
  reg('done_set').set(doneSet);

  // request checks (at the START edge)
  const outAddrs = layout.outputs.map((s) => reg(`${s.name}_addr`));
  const outLens = layout.outputs.map((s) => reg(`${s.name}_len`));
  const alignChecks: Expr[] = [srcAddr, ...outAddrs].map((a) => a.slice(2, 0).orR());
  if (layout.memory) alignChecks.push(reg('mem_addr').slice(Math.log2(layout.memory.stride) + 2, 0).orR());
  const misaligned = m.wire('req_misaligned', alignChecks.reduce((a, b) => a.or(b)));
  const zeroLen = m.wire('req_zero_len', rows.eq(0).or(cols.eq(0)));
  let shapeBad: Expr = rows.gt(limits.maxRows).or(cols.gt(limits.maxCols));
  for (const l of outLens) shapeBad = shapeBad.or(l.gt(MAX_LEN));
  if (limits.fixedCols > 0) shapeBad = shapeBad.or(cols.ne(limits.fixedCols));
  const badShape = m.wire('req_bad_shape', shapeBad);
  const reqOk = m.wire('req_ok', misaligned.or(zeroLen).or(badShape).not());
  const launch = m.wire('launch', startEdge.and(busy.not()).and(reqOk));
  errSet.MISALIGNED.set(startEdge.and(busy.not()).and(misaligned));
  errSet.ZERO_LEN.set(startEdge.and(busy.not()).and(zeroLen));
  errSet.SHAPE.set(startEdge.and(busy.not()).and(badShape));
  errSet.BUSY.set(startEdge.and(busy));
  if (!layout.memory) errSet.MEM_RANGE.set(lit(Bool, 0));

  // ---- performance counters ----
  const cycles = m.reg('cycles', UInt(32), { reset: 0 });
  const wordsRead = m.reg('words_read', UInt(32), { reset: 0 });
  const wordsWritten = m.reg('words_written', UInt(32), { reset: 0 });
  reg('cycles').set(cycles);
  reg('words_read').set(wordsRead);
  reg('words_written').set(wordsWritten);
  m.when(busy, () => cycles.set(cycles.addWrap(1)));

  // Burst length: min(16, left, words to the next 4 KiB boundary).
  const burstOf = (name: string, addr: Expr, left: Expr): Var => {
    const toBoundary = m.wire(`${name}_to_4k`, U(10, 512).subWrap(addr.slice(11, 3).zext(10)));
    const small = m.wire(`${name}_left_small`, mux(left.gt(MAX_BURST), U(5, MAX_BURST), left.slice(4, 0)));
    return m.wire(`${name}_burst`, minOf(small.zext(10), toBoundary).slice(4, 0));
  };

  // ---- read side ----
  const inWords = layout.input.words;
  const rdAddr = m.reg('rd_addr', UInt(A), { reset: 0 });
  const rdLeft = m.reg('rd_left', UInt(32), { reset: 0 });
  const arValid = m.reg('ar_valid', Bool, { reset: 0 });
  const arAddr = m.reg('ar_addr', UInt(A), { reset: 0 });
  const arLen = m.reg('ar_len', UInt(8), { reset: 0 });
  arvalid.set(arValid);
  araddr.set(arAddr);
  arlen.set(arLen);
  const rdBurst = burstOf('rd', rdAddr, rdLeft);
  const rb = bitsFor(limits.maxRows);
  const cb = bitsFor(limits.maxCols);
  const product = rows.slice(rb - 1, 0).mul(cols.slice(cb - 1, 0));
  const records = m.wire('job_records', product.width > 32 ? product.trunc(32) : product.zext(32));
  const rdTotal = m.wire('job_read_words', records.mul(U(bitsFor(inWords), inWords)).trunc(32));
  m.when(arValid.and(arready), () => arValid.set(0));

  const u = m.instance('unit', o.unit);
  const rReady = m.wire('r_ready', Bool);
  const rFields = { data: UInt(BUS_BITS) } satisfies Fields;
  const rFire = m.wire('r_fire', rvalid.and(rReady));
  errSet.RRESP.set(rFire.and(rresp.bit(1)));
  m.when(launch, () => wordsRead.set(0)).elseWhen(rFire, () => wordsRead.set(wordsRead.addWrap(1)));
  /** No read burst is waiting for its last beat (tracked with a memory port; otherwise implied by rd_left and the input count). */
  let readsIdle: Expr = lit(Bool, 1);
  let rq: Source<typeof rFields>;
  const mem = layout.memory;
  if (!mem) {
    m.when(launch, () => {
      rdAddr.set(srcAddr);
      rdLeft.set(rdTotal);
    }).elseWhen(busy.and(arValid.not()).and(rdLeft.ne(0)), () => {
      arValid.set(1);
      arAddr.set(rdAddr);
      arLen.set(rdBurst.zext(8).subWrap(1));
      rdAddr.set(rdAddr.addWrap(rdBurst.zext(A).shl(3).trunc(A)));
      rdLeft.set(rdLeft.subWrap(rdBurst.zext(32)));
    });
    rq = fifo(m, 'rfifo', { fields: rFields, valid: rvalid, ready: rReady, bits: { data: rdata } } as Source<typeof rFields>, WORD_FIFO_DEPTH);
    rready.set(rReady);
    m.wire('r_last_seen', rlast); // rlast is implied by the burst length; kept visible for debugging
  } else {
    // Two read sources share AR/R (one ID, so R returns in AR order): input bursts and the unit's
    // memory words. A tag FIFO remembers the source of every burst; a burst is only issued when
    // its target FIFO has room for all of it (credits), so R never waits on a full FIFO and one
    // source can never block the other. A memory request at or above mem_len is not read: its tag
    // is marked `zero`, and at the head of the tag FIFO it puts zero words into the memory FIFO.
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
    const canIssue = m.wire('rd_can_issue', busy.and(arValid.not().or(arready)).and(tagInReady));
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
      rdAddr.set(srcAddr);
      rdLeft.set(rdTotal);
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
    rq = fifo(m, 'rfifo', { fields: rFields, valid: rvalid.and(axiHead).and(toMem.not()), ready: rqInReady, bits: { data: rdata } } as Source<typeof rFields>, WORD_FIFO_DEPTH);
    const mqValid = m.wire('mfifo_push', rvalid.and(axiHead).and(toMem).or(zeroHead));
    const mq = fifo(m, 'mfifo', { fields: rFields, valid: mqValid, ready: mqInReady, bits: { data: mux(zeroHead, U(BUS_BITS, 0), rdata) } } as Source<typeof rFields>, MEM_FIFO_DEPTH);
    rReady.set(axiHead.and(mux(toMem, mqInReady, rqInReady)));
    rready.set(rReady);
    // the zero words of a `zero` tag: one per cycle while the memory FIFO takes them
    const zeroFire = m.wire('zero_fire', zeroHead.and(mqInReady));
    let zeroLast: Expr = lit(Bool, 1);
    if (mem.words > 1) {
      const zb = m.reg('zero_beat', UInt(bitsFor(mem.words - 1)), { reset: 0 });
      zeroLast = zb.eq(mem.words - 1);
      m.when(zeroFire, () => zb.set(mux(zeroLast, U(zb.width, 0), zb.addWrap(1))));
    }
    const burstEnd = m.wire('r_burst_end', rFire.and(rlast).or(zeroFire.and(zeroLast)));
    tq.ready.set(burstEnd);
    m.when(tagPush.and(burstEnd.not()), () => bursts.set(bursts.addWrap(1))).elseWhen(burstEnd.and(tagPush.not()), () => bursts.set(bursts.subWrap(1)));
    readsIdle = m.wire('rd_idle', bursts.eq(0));
    // credits: taken when a burst is issued, returned when its word leaves the FIFO
    const rqPop = m.wire('rfifo_pop', rq.valid.and(rq.ready));
    const mqPop = m.wire('mfifo_pop', mq.valid.and(mq.ready));
    inCredit.set(inCredit.addWrap(rqPop.zext(7)).subWrap(mux(grantIn, rdBurst.zext(7), U(7, 0))));
    memCredit.set(memCredit.addWrap(mqPop.zext(7)).subWrap(mux(grantMem, U(7, mem.words), U(7, 0))));
    // memory words -> the unit's response stream
    const word = assembleWords(m, 'mem', mq, mem.words, u.port(`${mem.response}_ready`));
    u.port(`${mem.response}_valid`).set(word.valid);
    u.port(`${mem.response}_${mem.dataField}`).set(m.wire('mem_resp_word', word.data).slice(mem.wordWidth - 1, 0));
  }

  // record assembly: words 0..inWords-2 are held, the last word comes straight from the FIFO
  const inS = layout.input;
  const row = m.reg('in_row', UInt(32), { reset: 0 });
  const col = m.reg('in_col', UInt(32), { reset: 0 });
  const feeding = m.wire('feeding', busy.and(row.ne(rows)));
  const inFire = m.wire('in_fire', u.port(`${inS.name}_valid`).and(u.port(`${inS.name}_ready`)));
  const assembled = assembleWords(m, 'in', rq, inWords, u.port(`${inS.name}_ready`), feeding);
  u.port(`${inS.name}_valid`).set(assembled.valid);
  const rec = m.wire('in_record', assembled.data);
  const lastCol = m.wire('in_last_col', col.eq(cols.subWrap(1)));
  const lastRow = m.wire('in_last_row', row.eq(rows.subWrap(1)));
  const inFields: Fields = {};
  for (const f of inS.fields) inFields[f.name] = o.unit.ports.find((p) => p.name === `${inS.name}_${f.name}`)!.type;
  const unpacked = inS.bits > 0 ? unpack(inFields, rec.slice(inS.bits - 1, 0)) : {};
  for (const f of inS.unitFields) {
    const rule = inS.sideband[f.name];
    const v = rule === 'row' ? lastCol : rule === 'end' ? lastCol.and(lastRow) : unpacked[f.name];
    u.port(`${inS.name}_${f.name}`).set(v);
  }
  m.when(launch, () => {
    row.set(0);
    col.set(0);
  }).elseWhen(inFire, () => {
    m.when(lastCol, () => {
      col.set(0);
      row.set(row.addWrap(1));
    }).otherwise(() => col.set(col.addWrap(1)));
  });

  // ---- write side ----
  const N = layout.outputs.length;
  const wState = m.reg('w_state', UInt(1), { reset: 0 }); // 0 idle, 1 burst (AW + W)
  const bPending = m.reg('b_pending', UInt(3), { reset: 0 }); // bursts whose B has not arrived
  const cur = m.reg('w_cur', UInt(2), { reset: 0 });
  const rrLast = m.reg('w_rr_last', UInt(2), { reset: N - 1 });
  const awValid = m.reg('aw_valid', Bool, { reset: 0 });
  const awAddr = m.reg('aw_addr', UInt(A), { reset: 0 });
  const awLen = m.reg('aw_len', UInt(8), { reset: 0 });
  const wLeft = m.reg('w_left', UInt(5), { reset: 0 });
  awvalid.set(awValid);
  awaddr.set(awAddr);
  awlen.set(awLen);
  const inBurst = m.wire('w_in_burst', wState.eq(1));
  const wActive = m.wire('w_active', inBurst.and(wLeft.ne(0)));
  const wFire = m.wire('w_fire', Bool);

  interface OutSide {
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
      const burst = burstOf(pre, addr, left);
      const eligible = m.wire(`${pre}_eligible`, left.ne(0).and(occ.zext(32).ge(burst.zext(32))));
      outs.push({ addr, left, burst, eligible, qValid: q.valid, qData: q.bits.data, qReady: q.ready, complete: left.eq(0) });
    } else {
      // data-dependent length: the stream ends after <s>_ends records with last (dropped ones
      // included); then the words still in the FIFO go out in a shorter burst
      const endsSeen = m.reg(`${pre}_ends_seen`, UInt(32), { reset: 0 });
      const lastFire = m.wire(`${pre}_last_fire`, valid.and(u.port(`${s.name}_ready`)).and(u.port(`${s.name}_last`)));
      m.when(launch, () => endsSeen.set(0)).elseWhen(lastFire, () => endsSeen.set(endsSeen.addWrap(1)));
      const ended = m.wire(`${pre}_ended`, endsSeen.eq(reg(`${s.name}_ends`)));
      const full = burstOf(`${pre}_full`, addr, left);
      const burst = m.wire(`${pre}_burst`, mux(occ.zext(7).lt(full.zext(7)), occ.trunc(5), full));
      const eligible = m.wire(`${pre}_eligible`, left.ne(0).and(occ.ne(0)).and(occ.zext(7).ge(full.zext(7)).or(ended)));
      const idle = k ? k.eq(0) : lit(Bool, 1);
      outs.push({ addr, left, burst, eligible, qValid: q.valid, qData: q.bits.data, qReady: q.ready, complete: ended.and(occ.eq(0)).and(idle) });
    }
  });
  errSet.OVERFLOW.set(overflow.reduce((a, b) => a.or(b)));

  // round-robin choice among eligible streams, starting after the last one served
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
  wvalid.set(wActive.and(curValid));
  wdata.set(curData);
  wlast.set(wLeft.eq(1));
  wFire.set(wActive.and(curValid).and(wready));
  bready.set(bPending.ne(0));
  const bFire = m.wire('b_fire', bPending.ne(0).and(bvalid));
  errSet.BRESP.set(bFire.and(bresp.bit(1)));
  m.when(launch, () => wordsWritten.set(0)).elseWhen(wFire, () => wordsWritten.set(wordsWritten.addWrap(1)));

  const startBurst = m.wire('w_start_burst', busy.and(wState.eq(0)).and(sv).and(bPending.lt(MAX_B_PENDING)));
  layout.outputs.forEach((s, j) => {
    const o2 = outs[j];
    m.when(launch, () => {
      o2.addr.set(outAddrs[j]);
      o2.left.set(outLens[j].mul(U(bitsFor(s.words), s.words)).trunc(32));
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
  m.when(awValid.and(awready), () => awValid.set(0));
  m.when(wFire, () => wLeft.set(wLeft.subWrap(1)));
  m.when(inBurst.and(wLeft.eq(0)).and(awValid.not()), () => wState.set(0));
  m.when(startBurst.and(bFire.not()), () => bPending.set(bPending.addWrap(1))).elseWhen(bFire.and(startBurst.not()), () => bPending.set(bPending.subWrap(1)));

  // ---- job completion ----
  const allWritten = outs.map((o2) => o2.complete).reduce((a, b) => a.and(b));
  const finished = m.wire('finished', busy.and(rdLeft.eq(0)).and(arValid.not()).and(readsIdle).and(row.eq(rows)).and(allWritten).and(wState.eq(0)).and(bPending.eq(0)));
  doneSet.set(finished.or(startEdge.and(busy.not()).and(reqOk.not())));
  m.when(launch, () => {
    busy.set(1);
    cycles.set(0);
  }).elseWhen(finished, () => busy.set(0));
  return { module: m.build(), regfile: rf.module };
}
