/** earlyexit stimulus: seeded random rows (with the README's edge cases) and the .npy inputs. */
import { Rng } from '../../data/rng.ts';
import { TxnTable } from '../../data/transactions.ts';
import type { NpyArray } from '../../data/npy.ts';
import type { StreamData } from '../unit.ts';
import { dimsOf, type EarlyexitConfig } from './config.ts';
import { queryFields } from './golden.ts';
import { keyImage } from './layout.ts';

/** A row for `query`: q (D values), θ, n. */
export interface QueryRow {
  q: readonly number[];
  theta: bigint;
  n: number;
}

/** The `query` table of rows (θ saturated to SW bits: changes no decision, README.md). */
export function queryTable(cfg: EarlyexitConfig, rows: readonly QueryRow[]): TxnTable {
  const { SW, Wq } = dimsOf(cfg);
  const t = new TxnTable(queryFields(cfg), rows.length);
  const hi = (1n << BigInt(SW - 1)) - 1n;
  const lo = -(1n << BigInt(SW - 1));
  rows.forEach((r, i) => {
    r.q.forEach((v, d) => t.setLane(i, 'q', Wq, d, v));
    t.set(i, 'theta', r.theta > hi ? hi : r.theta < lo ? lo : r.theta);
    t.set(i, 'keys', BigInt(r.n));
  });
  return t;
}

/** Exact scores of the first n keys (direct dot products, for choosing thresholds). */
function dots(q: readonly number[], keys: readonly number[][], n: number): number[] {
  return keys.slice(0, n).map((k) => k.reduce((s, v, d) => s + v * q[d], 0));
}

/**
 * About `n` keys' worth of rows over one random key cache: keys uniform, at the extremes (most
 * negative two's complement, largest, 0) or small; queries random, all negative, all zero or
 * extreme; θ a score itself, a score ± 1, a high quantile, below every score, above every score,
 * or a huge value (saturated). Rows have 0..N keys.
 */
export function earlyexitRandomStimulus(cfg: EarlyexitConfig, seed: number, n: number): StreamData {
  const r = new Rng(seed);
  const { D, B, Wq } = dimsOf(cfg);
  const N = Math.min(cfg.maxKeys, r.int(8, 40));
  const kLo = cfg.keySigned ? -(2 ** (B - 1)) : 0;
  const kHi = cfg.keySigned ? 2 ** (B - 1) - 1 : 2 ** B - 1;
  const qLo = -(2 ** (Wq - 1));
  const qHi = 2 ** (Wq - 1) - 1;
  const keys: number[][] = [];
  for (let t = 0; t < N; t++) {
    const kind = r.int(0, 5);
    keys.push(
      Array.from({ length: D }, () => {
        if (kind === 0) return r.chance(0.5) ? kLo : kHi;
        if (kind === 1) return r.chance(0.2) ? kLo : 0;
        if (kind === 2) return Math.max(kLo, Math.min(kHi, r.int(-2, 2)));
        return r.int(kLo, kHi);
      }),
    );
  }
  const rows: QueryRow[] = [];
  const nRows = Math.max(2, Math.ceil(n / Math.max(1, N / 2 + 1)));
  for (let i = 0; i < nRows; i++) {
    const kind = r.int(0, 7);
    const q = Array.from({ length: D }, () =>
      kind === 0 ? r.int(qLo, -1) : kind === 1 ? 0 : kind === 2 ? (r.chance(0.5) ? qLo : qHi) : r.int(qLo, qHi),
    );
    const nk = r.chance(0.1) ? 0 : r.chance(0.3) ? N : r.int(1, N);
    const s = dots(q, keys, nk).sort((a, b) => a - b);
    const pick = (): number => (s.length ? s[r.int(0, s.length - 1)] : 0);
    const tk = r.int(0, 9);
    const theta =
      tk <= 1 ? BigInt(pick())
      : tk === 2 ? BigInt(pick() + 1)
      : tk === 3 ? BigInt(pick() - 1)
      : tk === 4 ? BigInt((s[0] ?? 0) - 1)
      : tk === 5 ? BigInt(s[s.length - 1] ?? 0)
      : tk === 6 ? (r.chance(0.5) ? 1n << 62n : -(1n << 62n))
      : BigInt(s.length ? s[Math.floor(s.length * 0.9)] : 0);
    rows.push({ q, theta, n: nk });
  }
  return { query: queryTable(cfg, rows), keys: keyImage(cfg, keys.flat(), N) };
}

function integers(a: NpyArray | undefined, name: string, ndim: number, shapeText: string): NpyArray {
  if (!a) throw new Error(`earlyexit needs --${name}`);
  if (a.shape.length !== ndim) throw new Error(`--${name} must have shape ${shapeText}, got [${a.shape.join(', ')}]`);
  if (a.dtype.startsWith('float') || a.dtype === 'bool') throw new Error(`--${name} must hold integers, got dtype ${a.dtype}`);
  return a;
}

/** --q [rows, D], --k [n, D], --theta [rows] (see README.md, "Golden model and files"). */
export function earlyexitFromNpy(cfg: EarlyexitConfig, arrays: Record<string, NpyArray>): StreamData {
  const { D, Wq } = dimsOf(cfg);
  const q = integers(arrays.q, 'q', 2, '[rows, D]');
  const k = integers(arrays.k, 'k', 2, '[n, D]');
  const th = integers(arrays.theta, 'theta', 1, '[rows]');
  const [rows, qd] = q.shape;
  const [n, kd] = k.shape;
  // kept/scores/planes.npy are [rows, n], but the outputs carry n per row: with no row, n is lost.
  if (rows === 0) throw new Error(`--q has no rows (shape [${q.shape.join(', ')}]): give at least one query`);
  if (qd !== D) throw new Error(`--q has ${qd} columns, dims is ${D}`);
  if (kd !== D) throw new Error(`--k has ${kd} columns, dims is ${D}`);
  if (n > cfg.maxKeys) throw new Error(`--k has ${n} keys, more than maxKeys (${cfg.maxKeys})`);
  if (th.shape[0] !== rows) throw new Error(`--theta has ${th.shape[0]} values for ${rows} query rows`);
  const qLo = -(2 ** (Wq - 1));
  const qHi = 2 ** (Wq - 1) - 1;
  const out: QueryRow[] = [];
  for (let i = 0; i < rows; i++) {
    const qs: number[] = [];
    for (let d = 0; d < D; d++) {
      const v = Number(q.data[i * D + d]);
      if (!Number.isInteger(v) || v < qLo || v > qHi) throw new Error(`--q[${i}, ${d}] = ${q.data[i * D + d]} does not fit ${Wq}-bit signed (${qLo}..${qHi})`);
      qs.push(v);
    }
    out.push({ q: qs, theta: BigInt(th.data[i] as number | bigint), n });
  }
  const kv = Array.from(k.data as ArrayLike<number | bigint>, Number);
  return { query: queryTable(cfg, out), keys: keyImage(cfg, kv, n, '--k') };
}

/** kept.npy uint8, scores.npy int64, planes.npy uint8, each [rows, n] (n: the most keys of a row; shorter rows padded with 0). */
export function earlyexitToNpy(_cfg: EarlyexitConfig, outputs: StreamData): Record<string, NpyArray> {
  const { key, row } = outputs;
  const lens = Array.from({ length: row.count }, (_, r) => Number(row.get(r, 'keys')));
  const n = lens.reduce((a, b) => Math.max(a, b), 0);
  const kept = new Uint8Array(row.count * n);
  const scores = new BigInt64Array(row.count * n);
  const planes = new Uint8Array(row.count * n);
  let i = 0;
  lens.forEach((len, r) => {
    for (let t = 0; t < len && i < key.count; t++, i++) {
      kept[r * n + t] = Number(key.get(i, 'kept'));
      scores[r * n + t] = key.get(i, 'score');
      planes[r * n + t] = Number(key.get(i, 'planes'));
    }
  });
  return {
    kept: { dtype: 'uint8', shape: [row.count, n], data: kept },
    scores: { dtype: 'int64', shape: [row.count, n], data: scores },
    planes: { dtype: 'uint8', shape: [row.count, n], data: planes },
  };
}
