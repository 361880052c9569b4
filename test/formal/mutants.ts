/**
 * Deliberately broken stream blocks for the formal and co-simulation tests: each is the stdlib
 * block with one injected bug, carrying the same invariants as the real one.
 */
import { Bool, ModuleBuilder, UInt, log2Ceil, type Module } from '../../hdl/index.ts';
import { fifoInvariants, skidInvariants, streamContracts, streamIn, streamOut } from '../../hdl/lib/index.ts';

/** A skid buffer that forgets the beat in its skid register when the output frees up. */
export function skidDroppingABeat(width: number): Module {
  const m = new ModuleBuilder(`kv_mut_skid_drop_w${width}`);
  const inS = streamIn(m, 'in', { data: UInt(width) });
  const outS = streamOut(m, 'out', { data: UInt(width) });
  const full = m.reg('out_full', Bool, { reset: 0 });
  const data = m.reg('out_reg', UInt(width));
  const skid = m.reg('skid_full', Bool, { reset: 0 });
  const skidData = m.reg('skid_reg', UInt(width));
  inS.ready.set(skid.not());
  outS.valid.set(full);
  outS.bits.data.set(data);
  const inFire = m.wire('in_fire', inS.valid.and(skid.not()));
  const outFree = m.wire('out_free', full.not().or(outS.ready));
  m.when(outFree, () => {
    // BUG: the skid register's beat is dropped (the real buffer moves skid_reg to out_reg here)
    full.set(inFire);
    m.when(inFire, () => data.set(inS.bits.data));
    skid.set(0);
  }).otherwise(() => {
    m.when(inFire, () => {
      skid.set(1);
      skidData.set(inS.bits.data);
    });
  });
  skidInvariants(m, { full, skid, inFire, outFire: full.and(outS.ready) });
  return m.build();
}

/** A FIFO that accepts a write when it is full (ready stays high; the write overwrites the oldest entry). */
export function fifoAcceptingWhenFull(width: number, depth: number): Module {
  const aw = log2Ceil(depth);
  const m = new ModuleBuilder(`kv_mut_fifo_full_w${width}_d${depth}`);
  const inS = streamIn(m, 'in', { data: UInt(width) });
  const outS = streamOut(m, 'out', { data: UInt(width) });
  const store = m.mem('store', UInt(width), depth);
  const wrPtr = m.reg('wr_ptr', UInt(aw), { reset: 0 });
  const rdPtr = m.reg('rd_ptr', UInt(aw), { reset: 0 });
  const count = m.reg('count', UInt(aw + 1), { reset: 0 });
  const headValid = m.reg('head_valid', Bool, { reset: 0 });
  const push = m.wire('push', inS.valid); // BUG: should be in_valid && count != depth
  const pop = m.wire('pop', count.ne(0).and(headValid.not().or(outS.ready)));
  inS.ready.set(1); // BUG: should be count != depth
  const head = store.read('head', rdPtr, pop);
  outS.valid.set(headValid);
  outS.bits.data.set(head);
  m.when(push, () => {
    store.write(wrPtr, inS.bits.data);
    wrPtr.set(wrPtr.addWrap(1));
  });
  m.when(pop, () => rdPtr.set(rdPtr.addWrap(1)));
  m.when(pop, () => headValid.set(1)).elseWhen(outS.ready, () => headValid.set(0));
  m.when(push.and(pop.not()), () => count.set(count.addWrap(1))).elseWhen(pop.and(push.not()), () => count.set(count.subWrap(1)));
  fifoInvariants(m, { depth, count, headValid, push, pop, inFire: inS.valid.and(inS.ready), outFire: outS.valid.and(outS.ready) });
  return m.build();
}

/** A register stage whose output payload follows the input while the output waits (valid ∧ ¬ready). */
export function stageChangingPayload(width: number): Module {
  const m = new ModuleBuilder(`kv_mut_stage_w${width}`);
  const inS = streamIn(m, 'in', { data: UInt(width) });
  const outS = streamOut(m, 'out', { data: UInt(width) });
  const full = m.reg('full', Bool, { reset: 0 });
  const data = m.reg('data', UInt(width));
  const free = m.wire('free', full.not().or(outS.ready));
  inS.ready.set(free);
  outS.valid.set(full);
  outS.bits.data.set(data);
  m.when(free, () => full.set(inS.valid));
  m.when(inS.valid, () => data.set(inS.bits.data)); // BUG: should load only when free
  streamContracts(m);
  return m.build();
}
