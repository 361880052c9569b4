/**
 * earlyexit golden model, written from README.md ("Arithmetic", "Ports and protocol"): keys decoded
 * from the memory image by the layout, plane sums MSB first, the prune rule, per-row counters.
 */
import { TxnTable } from '../../data/transactions.ts';
import type { FieldSpec } from '../../hdl/ports/design.ts';
import type { StreamData } from '../unit.ts';
import { dimsOf, type EarlyexitConfig } from './config.ts';
import { keyFromImage } from './layout.ts';

export const queryFields = (cfg: EarlyexitConfig): FieldSpec[] => {
  const d = dimsOf(cfg);
  return [
    { name: 'q', width: d.D * d.Wq, signed: false },
    { name: 'theta', width: d.SW, signed: true },
    { name: 'keys', width: d.NW, signed: false },
  ];
};
export const keyFields = (cfg: EarlyexitConfig): FieldSpec[] => {
  const d = dimsOf(cfg);
  return [
    { name: 'index', width: d.IW, signed: false },
    { name: 'kept', width: 1, signed: false },
    { name: 'score', width: d.SW, signed: true },
    { name: 'planes', width: d.PW, signed: false },
    { name: 'last', width: 1, signed: false },
  ];
};
export const rowFields = (cfg: EarlyexitConfig): FieldSpec[] => {
  const d = dimsOf(cfg);
  return [
    { name: 'keys', width: d.NW, signed: false },
    { name: 'kept', width: d.NW, signed: false },
    { name: 'planes', width: d.TW, signed: false },
    { name: 'words', width: d.WW, signed: false },
  ];
};

export interface KeyResult {
  kept: boolean;
  /** The exact score when kept, else 0. */
  score: number;
  /** Planes fetched and added (1..B). */
  planes: number;
}

/**
 * One key against one row: planes B-1..0, prune when A_j + (2^j - 1)·Q⁺ ≤ θ (earlyExit), else every
 * plane and kept iff s > θ. All values are exact integers below 2^53 (SW ≤ 43 bits).
 */
export function scoreKey(cfg: EarlyexitConfig, q: readonly number[], k: readonly number[], theta: number): KeyResult {
  const B = cfg.keyBits;
  let qPlus = 0;
  for (const v of q) if (v > 0) qPlus += v;
  let acc = 0; // A_j
  for (let j = B - 1; j >= 0; j--) {
    let S = 0;
    for (let d = 0; d < q.length; d++) {
      const pattern = k[d] < 0 ? k[d] + 2 ** B : k[d];
      if (Math.floor(pattern / 2 ** j) % 2 === 1) S += q[d];
    }
    const w = cfg.keySigned && j === B - 1 ? -(2 ** j) : 2 ** j;
    acc += w * S;
    const bound = acc + (2 ** j - 1) * qPlus;
    if (cfg.earlyExit && bound <= theta) return { kept: false, score: 0, planes: B - j };
  }
  return acc > theta ? { kept: true, score: acc, planes: B } : { kept: false, score: 0, planes: B };
}

/** The query lanes of row r of a `query` table. */
export function queryOf(cfg: EarlyexitConfig, t: TxnTable, r: number): number[] {
  const base = t.wordIndex(r, 'q');
  return Array.from({ length: cfg.dims }, (_, d) => t.laneAt(base, cfg.queryBits, d, true));
}

export function earlyexitGolden(cfg: EarlyexitConfig, inputs: StreamData): StreamData {
  const { query, keys: image } = inputs;
  if (!query || !image) throw new Error('earlyexit golden model: needs the query stream and the key image (keys)');
  const { C } = dimsOf(cfg);
  const rows: KeyResult[][] = [];
  const cache = new Map<number, number[]>();
  const key = (t: number): number[] => {
    let k = cache.get(t);
    if (!k) cache.set(t, (k = keyFromImage(cfg, image, t)));
    return k;
  };
  for (let r = 0; r < query.count; r++) {
    const q = queryOf(cfg, query, r);
    const theta = Number(query.get(r, 'theta'));
    const n = Number(query.get(r, 'keys'));
    if (n > cfg.maxKeys) throw new Error(`earlyexit golden model: row ${r} has ${n} keys, maxKeys is ${cfg.maxKeys}`);
    rows.push(Array.from({ length: n }, (_, t) => scoreKey(cfg, q, key(t), theta)));
  }
  const keyOut = new TxnTable(keyFields(cfg), rows.reduce((s, r) => s + r.length, 0));
  const rowOut = new TxnTable(rowFields(cfg), rows.length);
  let i = 0;
  rows.forEach((row, r) => {
    let kept = 0;
    let planes = 0;
    row.forEach((k, t) => {
      keyOut.set(i, 'index', BigInt(t));
      keyOut.set(i, 'kept', k.kept ? 1n : 0n);
      keyOut.set(i, 'score', BigInt(k.score));
      keyOut.set(i, 'planes', BigInt(k.planes));
      keyOut.set(i, 'last', t === row.length - 1 ? 1n : 0n);
      i++;
      kept += k.kept ? 1 : 0;
      planes += k.planes;
    });
    rowOut.set(r, 'keys', BigInt(row.length));
    rowOut.set(r, 'kept', BigInt(kept));
    rowOut.set(r, 'planes', BigInt(planes));
    rowOut.set(r, 'words', BigInt(planes * C));
  });
  return { key: keyOut, row: rowOut };
}
