/** Random and file-based stimulus for minmax. */
import { Rng } from '../../data/rng.ts';
import { TxnTable } from '../../data/transactions.ts';
import type { NpyArray } from '../../data/npy.ts';
import type { StreamData } from '../unit.ts';
import type { MinmaxConfig } from './config.ts';
import { inFields, packLanes } from './golden.ts';

/** `n` beats of random values (a third of them at the extremes) in groups of 1..8 beats; the last beat ends a group. */
export function minmaxRandomStimulus(cfg: MinmaxConfig, seed: number, n: number): StreamData {
  const rng = new Rng(seed);
  const t = new TxnTable(inFields(cfg), n);
  const lo = -(1n << BigInt(cfg.width - 1));
  const hi = (1n << BigInt(cfg.width - 1)) - 1n;
  const narrow = cfg.width <= 32;
  let left = rng.int(1, 8);
  for (let b = 0; b < n; b++) {
    if (narrow) {
      for (let i = 0; i < cfg.lanes; i++) {
        const r = rng.int(0, 5);
        const bits = r === 0 ? 1 << (cfg.width - 1) : r === 1 ? 2 ** (cfg.width - 1) - 1 : rng.u32();
        t.setLane(b, 'data', cfg.width, i, bits);
      }
    } else {
      const vals = Array.from({ length: cfg.lanes }, () => {
        const r = rng.int(0, 5);
        return r === 0 ? lo : r === 1 ? hi : rng.bigint(lo, hi);
      });
      t.set(b, 'data', packLanes(vals, cfg.width));
    }
    left--;
    const last = left === 0 || b === n - 1;
    t.setLane(b, 'last', 1, 0, last ? 1 : 0);
    if (left === 0) left = rng.int(1, 8);
  }
  return { in: t };
}

/** --in: an integer array of shape [groups, n] (n a multiple of lanes): one group per row. */
export function minmaxFromNpy(cfg: MinmaxConfig, arrays: Record<string, NpyArray>): StreamData {
  const x = arrays.in;
  if (!x) throw new Error(`minmax needs --in x.npy`);
  if (x.shape.length !== 2) throw new Error(`--in must have shape [groups, n], got [${x.shape.join(', ')}]`);
  const [groups, n] = x.shape;
  if (x.dtype.startsWith('float') || x.dtype === 'bool') throw new Error(`--in must hold integers, got dtype ${x.dtype}`);
  if (n % cfg.lanes !== 0 || n === 0) throw new Error(`--in rows have ${n} values; need a positive multiple of lanes (${cfg.lanes})`);
  const beatsPerRow = n / cfg.lanes;
  const t = new TxnTable(inFields(cfg), groups * beatsPerRow);
  const lo = -(1n << BigInt(cfg.width - 1));
  const hi = (1n << BigInt(cfg.width - 1)) - 1n;
  for (let g = 0; g < groups; g++) {
    for (let b = 0; b < beatsPerRow; b++) {
      const vals: bigint[] = [];
      for (let i = 0; i < cfg.lanes; i++) {
        const k = g * n + b * cfg.lanes + i;
        const v = BigInt(x.data[k] as number | bigint);
        if (v < lo || v > hi) throw new Error(`--in[${g}, ${b * cfg.lanes + i}] = ${v} does not fit ${cfg.width}-bit signed (${lo}..${hi})`);
        vals.push(v);
      }
      const row = g * beatsPerRow + b;
      t.set(row, 'data', packLanes(vals, cfg.width));
      t.set(row, 'last', b === beatsPerRow - 1 ? 1n : 0n);
    }
  }
  return { in: t };
}

export function minmaxToNpy(_cfg: MinmaxConfig, outputs: StreamData): Record<string, NpyArray> {
  const out = outputs.out;
  const min = new BigInt64Array(out.count);
  const max = new BigInt64Array(out.count);
  for (let i = 0; i < out.count; i++) {
    min[i] = out.get(i, 'min');
    max[i] = out.get(i, 'max');
  }
  return {
    min: { dtype: 'int64', shape: [out.count], data: min },
    max: { dtype: 'int64', shape: [out.count], data: max },
  };
}
