/** minmax golden model, from README.md's arithmetic (signed min and max per group). */
import { TxnTable } from '../../data/transactions.ts';
import type { StreamData } from '../unit.ts';
import type { MinmaxConfig } from './config.ts';

export function inFields(cfg: MinmaxConfig) {
  return [
    { name: 'data', width: cfg.lanes * cfg.width, signed: false },
    { name: 'last', width: 1, signed: false },
  ];
}

export function outFields(cfg: MinmaxConfig) {
  return [
    { name: 'min', width: cfg.width, signed: true },
    { name: 'max', width: cfg.width, signed: true },
  ];
}

/** Lane i of a packed beat, as a signed value. */
export function laneValue(data: bigint, i: number, width: number): bigint {
  return BigInt.asIntN(width, data >> BigInt(i * width));
}

/** Packs signed lane values into a beat (lane 0 least significant). */
export function packLanes(values: readonly bigint[], width: number): bigint {
  let v = 0n;
  for (let i = values.length - 1; i >= 0; i--) v = (v << BigInt(width)) | BigInt.asUintN(width, values[i]);
  return v;
}

/** Per finished group: [min, max]. */
export function groupMinMax(groups: readonly (readonly bigint[])[]): [bigint, bigint][] {
  return groups.map((g) => {
    let lo = g[0];
    let hi = g[0];
    for (const x of g) {
      if (x < lo) lo = x;
      if (x > hi) hi = x;
    }
    return [lo, hi];
  });
}

export function minmaxGolden(cfg: MinmaxConfig, inputs: StreamData): StreamData {
  const inp = inputs.in;
  if (cfg.width > 32) {
    const groups: bigint[][] = [];
    let cur: bigint[] = [];
    for (let t = 0; t < inp.count; t++) {
      const data = inp.get(t, 'data');
      for (let i = 0; i < cfg.lanes; i++) cur.push(laneValue(data, i, cfg.width));
      if (inp.get(t, 'last') === 1n) {
        groups.push(cur);
        cur = [];
      }
    }
    const res = groupMinMax(groups);
    const out = new TxnTable(outFields(cfg), res.length);
    res.forEach(([lo, hi], i) => {
      out.set(i, 'min', lo);
      out.set(i, 'max', hi);
    });
    return { out };
  }
  // Up to 32 bits: numbers, not bigints, read and written straight in the record words.
  const mins: number[] = [];
  const maxs: number[] = [];
  const dataOff = inp.wordIndex(0, 'data');
  const lastOff = inp.wordIndex(0, 'last');
  let lo = Infinity;
  let hi = -Infinity;
  for (let t = 0; t < inp.count; t++) {
    const base = t * inp.stride + dataOff;
    for (let i = 0; i < cfg.lanes; i++) {
      const x = inp.laneAt(base, cfg.width, i, true);
      if (x < lo) lo = x;
      if (x > hi) hi = x;
    }
    if (inp.words[t * inp.stride + lastOff] === 1) {
      mins.push(lo);
      maxs.push(hi);
      lo = Infinity;
      hi = -Infinity;
    }
  }
  const out = new TxnTable(outFields(cfg), mins.length);
  for (let i = 0; i < mins.length; i++) {
    out.setLane(i, 'min', cfg.width, 0, mins[i]);
    out.setLane(i, 'max', cfg.width, 0, maxs[i]);
  }
  return { out };
}
