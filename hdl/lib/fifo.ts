/**
 * Synchronous FIFO with first-word fall-through: a memory of `depth` entries (power of two, >= 2)
 * with a registered read port feeding an output register. One transfer per cycle in and out;
 * in_ready is a register compare (no path from out_ready); latency two cycles when empty.
 */
import { UInt, Bool, log2Ceil } from '../core/types.ts';
import { ModuleBuilder } from '../core/module-builder.ts';
import type { Module } from '../core/ir.ts';
import { moduleName } from '../core/names.ts';
import { type Fields, type Source, payloadWidth, stageStreams, streamStage } from './stream.ts';
import { fifoInvariants } from './fifo-invariants.ts';

const cache = new Map<string, Module>();

export function fifoModule(width: number, depth: number): Module {
  if (!Number.isInteger(depth) || depth < 2 || (depth & (depth - 1)) !== 0) {
    throw new RangeError(`fifo depth must be a power of two >= 2, got ${depth}`);
  }
  const key = `${width}/${depth}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const aw = log2Ceil(depth);
  const m = new ModuleBuilder(moduleName('kv_fifo', { w: width, d: depth }), {
    params: { width, depth },
    doc: 'synchronous first-word-fall-through FIFO',
  });
  // Ports: the stage streams in_* and out_* (stream.ts `stageStreams`).
  const { in: inS, out: outS } = stageStreams(m, width);
  const [inValid, inReady, inData] = [inS.valid, inS.ready, inS.bits.data];
  const [outValid, outReady, outData] = [outS.valid, outS.ready, outS.bits.data];
  // `store` holds `count` entries between rd_ptr and wr_ptr; the head is read one cycle ahead
  // into the read port's register (head_valid), so out_data comes straight from a register.

  const store = m.mem('store', UInt(width), depth);
  const wrPtr = m.reg('wr_ptr', UInt(aw), { reset: 0 });
  const rdPtr = m.reg('rd_ptr', UInt(aw), { reset: 0 });
  const count = m.reg('count', UInt(aw + 1), { reset: 0 }); // entries in the memory
  const headValid = m.reg('head_valid', Bool, { reset: 0 }); // the read register holds the head

  const push = m.wire('push', inValid.and(count.ne(depth)));
  const pop = m.wire('pop', count.ne(0).and(headValid.not().or(outReady)));
  inReady.set(count.ne(depth));

  const head = store.read('head', rdPtr, pop);
  outValid.set(headValid);
  outData.set(head);

  m.when(push, () => {
    store.write(wrPtr, inData);
    wrPtr.set(wrPtr.addWrap(1));
  });
  m.when(pop, () => rdPtr.set(rdPtr.addWrap(1)));
  m.when(pop, () => headValid.set(1)).elseWhen(outReady, () => headValid.set(0));
  m.when(push.and(pop.not()), () => count.set(count.addWrap(1))).elseWhen(pop.and(push.not()), () => count.set(count.subWrap(1)));

  fifoInvariants(m, { depth, count, headValid, push, pop, inFire: inValid.and(inReady), outFire: outValid.and(outReady) });
  const built = m.build();
  cache.set(key, built);
  return built;
}

/** Puts a FIFO of `depth` entries after `source`; returns its output stream. */
export function fifo<F extends Fields>(m: ModuleBuilder, name: string, source: Source<F>, depth: number): Source<F> {
  return streamStage(m, name, fifoModule(payloadWidth(source.fields), depth), source);
}
