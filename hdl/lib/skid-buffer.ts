/**
 * Skid buffer: a two-entry register slice that cuts every combinational path between its input and
 * output streams (registered ready, registered valid/data) and still moves one transfer per cycle.
 */
import { UInt, Bool } from '../core/types.ts';
import { ModuleBuilder } from '../core/module-builder.ts';
import type { Module } from '../core/ir.ts';
import { moduleName } from '../core/names.ts';
import { type Fields, type Source, payloadWidth, stageStreams, streamStage } from './stream.ts';
import { skidInvariants } from './skid-invariants.ts';

const cache = new Map<number, Module>();

/** The skid buffer module for a `width`-bit payload: `kv_skid_w<width>`. */
export function skidBufferModule(width: number): Module {
  const hit = cache.get(width);
  if (hit) return hit;
  const m = new ModuleBuilder(moduleName('kv_skid', { w: width }), {
    params: { width },
    doc: 'skid buffer: registered ready, registered valid/data, full throughput',
  });
  // Ports: the stage streams in_* and out_* (stream.ts `stageStreams`).
  const { in: inS, out: outS } = stageStreams(m, width);
  const [inValid, inReady, inData] = [inS.valid, inS.ready, inS.bits.data];
  const [outValid, outReady, outData] = [outS.valid, outS.ready, outS.bits.data];
  // out_reg holds the transfer on offer (out_full); skid_reg catches the one accepted while the
  // output stalled (skid_full), so in_ready is a register (!skid_full), never out_ready.

  const full = m.reg('out_full', Bool, { reset: 0 }); // the output register holds a transfer
  const data = m.reg('out_reg', UInt(width));
  const skid = m.reg('skid_full', Bool, { reset: 0 }); // the skid register holds a transfer
  const skidData = m.reg('skid_reg', UInt(width));

  inReady.set(skid.not());
  outValid.set(full);
  outData.set(data);

  const inFire = m.wire('in_fire', inValid.and(skid.not()));
  const outFree = m.wire('out_free', full.not().or(outReady));
  m.when(outFree, () => {
    m.when(skid, () => {
      data.set(skidData);
      full.set(1);
      skid.set(0);
    }).otherwise(() => {
      full.set(inFire);
      m.when(inFire, () => data.set(inData));
    });
  }).otherwise(() => {
    m.when(inFire, () => {
      skid.set(1);
      skidData.set(inData);
    });
  });
  skidInvariants(m, { full, skid, inFire: inValid.and(inReady), outFire: full.and(outReady) });
  const built = m.build();
  cache.set(width, built);
  return built;
}

/** Puts a skid buffer after `source`; returns the buffered stream. */
export function skidBuffer<F extends Fields>(m: ModuleBuilder, name: string, source: Source<F>): Source<F> {
  return streamStage(m, name, skidBufferModule(payloadWidth(source.fields)), source);
}
