/**
 * selector input beats: the stream encoding (README "Stream protocol"), seeded random stimulus
 * with the edge cases, and the .npy/.json file conversion (README "Files").
 */
import { Rng } from '../../data/rng.ts';
import { TxnTable } from '../../data/transactions.ts';
import type { NpyArray } from '../../data/npy.ts';
import type { StreamData } from '../unit.ts';
import { maxKept, selectorWidths, type SelectorConfig } from './config.ts';
import { inFields } from './golden.ts';
import { type ThetaTable } from './thresholds.ts';
import { clampThetaTo } from './theta-range.ts';

/** One item of the input stream: a table write or a score row. */
export type InItem =
  | { kind: 'theta'; layer: number; head: number; bucket: number; theta: number }
  | { kind: 'row'; layer: number; head: number; scores: readonly number[] };

/** Encodes items as `in` beats: a table write is one beat, a row of n scores ceil(n/P) beats. */
export function encodeInput(cfg: SelectorConfig, items: readonly InItem[]): StreamData {
  const P = cfg.lanes;
  const W = cfg.scoreBits;
  const beats = items.reduce((a, it) => a + (it.kind === 'theta' ? 1 : Math.ceil(it.scores.length / P)), 0);
  const t = new TxnTable(inFields(cfg), beats);
  let b = 0;
  for (const it of items) {
    if (it.kind === 'theta') {
      t.setLane(b, 'kind', 1, 0, 1);
      t.set(b, 'layer', BigInt(it.layer));
      t.set(b, 'head', BigInt(it.head));
      t.set(b, 'bucket', BigInt(it.bucket));
      t.set(b, 'theta', BigInt(it.theta));
      b++;
      continue;
    }
    const n = it.scores.length;
    const nb = Math.ceil(n / P);
    for (let j = 0; j < nb; j++) {
      for (let i = 0; i < P && j * P + i < n; i++) t.setLane(b, 'data', W, i, it.scores[j * P + i]);
      t.setLane(b, 'last', 1, 0, j === nb - 1 ? 1 : 0);
      t.set(b, 'len', BigInt(n));
      t.set(b, 'layer', BigInt(it.layer));
      t.set(b, 'head', BigInt(it.head));
      b++;
    }
  }
  return { in: t };
}

/** theta clamped to [-2^(W-1) - 1, 2^(W-1) - 1]: the same kept set for every W-bit score (README "Table load"). */
export function clampTheta(cfg: SelectorConfig, theta: number | bigint): number {
  return clampThetaTo(cfg.scoreBits, theta);
}

/** The table writes that load a whole theta table (README "Table load"), layer-major. */
export function tableWrites(cfg: SelectorConfig, table: ThetaTable): InItem[] {
  const items: InItem[] = [];
  for (let l = 0; l < cfg.layers; l++) {
    for (let h = 0; h < cfg.heads; h++) {
      for (let b = 0; b < cfg.rowBuckets.length; b++) items.push({ kind: 'theta', layer: l, head: h, bucket: b, theta: clampTheta(cfg, table.theta[l][h][b]) });
    }
  }
  return items;
}

/** A random row of length n: uniform, few distinct values (ties), all equal, or W-bit extremes. */
function randomRow(cfg: SelectorConfig, r: Rng, n: number): number[] {
  const lo = -(2 ** (cfg.scoreBits - 1));
  const hi = 2 ** (cfg.scoreBits - 1) - 1;
  const kind = r.int(0, 4);
  if (kind === 1) {
    const vals = Array.from({ length: r.int(1, 4) }, () => r.int(lo, hi));
    return Array.from({ length: n }, () => vals[r.int(0, vals.length - 1)]);
  }
  if (kind === 2) {
    const v = r.chance(0.5) ? r.int(lo, hi) : r.chance(0.5) ? lo : hi;
    return new Array<number>(n).fill(v);
  }
  if (kind === 3) return Array.from({ length: n }, () => (r.chance(0.5) ? lo : r.chance(0.5) ? hi : r.int(lo, hi)));
  return Array.from({ length: n }, () => r.int(lo, hi));
}

function randomTheta(cfg: SelectorConfig, r: Rng): number {
  const hi = 2 ** (cfg.scoreBits - 1) - 1;
  const x = r.int(0, 9);
  if (x === 0) return -hi - 2; // everything passes
  if (x === 1) return hi; // nothing passes
  if (x === 2) return -(2 ** cfg.scoreBits); // field extremes
  if (x === 3) return 2 ** cfg.scoreBits - 1;
  if (x === 4) return -hi - 1;
  return r.int(-hi - 1, hi);
}

/**
 * About `n` beats: (threshold mode) a full table load, then rows of random head/layer and length
 * (1, k, k+1, N and random), with a few table rewrites between rows.
 */
export function selectorRandomStimulus(cfg: SelectorConfig, seed: number, n: number): StreamData {
  return encodeInput(cfg, randomItems(cfg, seed, n));
}

function randomItems(cfg: SelectorConfig, seed: number, n: number): InItem[] {
  const r = new Rng(seed);
  const items: InItem[] = [];
  let beats = 0;
  const B = cfg.rowBuckets.length;
  const write = (l: number, h: number, b: number) => {
    items.push({ kind: 'theta', layer: l, head: h, bucket: b, theta: randomTheta(cfg, r) });
    beats++;
  };
  if (cfg.mode === 'threshold') for (let l = 0; l < cfg.layers; l++) for (let h = 0; h < cfg.heads; h++) for (let b = 0; b < B; b++) write(l, h, b);
  const N = cfg.maxRow;
  const special = [1, cfg.k, Math.min(N, cfg.k + 1), N, Math.max(1, cfg.k - 1)];
  while (beats < n) {
    if (cfg.mode === 'threshold' && r.chance(0.05)) {
      write(r.int(0, cfg.layers - 1), r.int(0, cfg.heads - 1), r.int(0, B - 1));
      continue;
    }
    const len = r.chance(0.4) ? special[r.int(0, special.length - 1)] : r.chance(0.5) ? r.int(1, Math.min(N, 3 * cfg.lanes)) : r.int(1, N);
    items.push({ kind: 'row', layer: r.int(0, cfg.layers - 1), head: r.int(0, cfg.heads - 1), scores: randomRow(cfg, r, len) });
    beats += Math.ceil(len / cfg.lanes);
  }
  return items;
}

/**
 * Worst-case stimulus (`kvhdl report`'s worst-case columns): the random stimulus of the same seed
 * and size (the same rows, lengths, heads, layers and table writes) with the worst data for every
 * core: each row's scores ascend (spread over the W-bit range), so in topk mode every score beats
 * the K-th best so far (each one is a candidate: the systolic and insertion cores' slowest input),
 * and every θ written is the keep-everything value −2^(W−1) − 1, so in threshold mode every score
 * is kept (the output-lane limit when P_out < P). The row lengths stay those of the random
 * stimulus: per-row costs (sort and drain, select passes) depend on the lengths, not the data.
 */
export function selectorWorstStimulus(cfg: SelectorConfig, seed: number, n: number): StreamData {
  const keepAll = -(2 ** (cfg.scoreBits - 1)) - 1;
  return encodeInput(cfg, randomItems(cfg, seed, n).map((it): InItem => (it.kind === 'theta' ? { ...it, theta: keepAll } : { ...it, scores: ascending(cfg, it.scores.length) })));
}

/** n scores ascending over the W-bit range (strictly while n ≤ 2^W), from −2^(W−1) to 2^(W−1) − 1. */
export function ascending(cfg: SelectorConfig, n: number): number[] {
  const span = 2 ** cfg.scoreBits - 1;
  const lo = -(2 ** (cfg.scoreBits - 1));
  return Array.from({ length: n }, (_, i) => lo + Math.floor((i * span) / Math.max(1, n - 1)));
}

/** rows.json: { lengths, heads, layers }, one entry per row, validated. */
export interface RowsMeta {
  lengths: number[];
  heads: number[];
  layers: number[];
}

export function parseRowsMeta(json: unknown, rows: number, limits: { maxRow: number; heads?: number; layers?: number }, name = '--meta'): RowsMeta {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new Error(`${name} must be a JSON object { "lengths": [...], "heads": [...], "layers": [...] }`);
  const o = json as Record<string, unknown>;
  const out: Record<string, number[]> = {};
  for (const key of ['lengths', 'heads', 'layers'] as const) {
    const a = o[key];
    if (!Array.isArray(a)) throw new Error(`${name}: "${key}" must be an array with one entry per row (${rows} rows)`);
    if (a.length !== rows) throw new Error(`${name}: "${key}" has ${a.length} entries; the scores have ${rows} rows`);
    const max = key === 'lengths' ? limits.maxRow : key === 'heads' ? limits.heads : limits.layers;
    const min = key === 'lengths' ? 1 : 0;
    a.forEach((v, i) => {
      if (!Number.isInteger(v) || v < min || (max !== undefined && (key === 'lengths' ? v > max : v >= max))) {
        const range = max === undefined ? `an integer >= ${min}` : key === 'lengths' ? `an integer in 1..${max}` : `an integer in 0..${max - 1}`;
        throw new Error(`${name}: ${key}[${i}] = ${JSON.stringify(v)}; must be ${range}`);
      }
    });
    out[key] = a as number[];
  }
  for (const k of Object.keys(o)) if (!['lengths', 'heads', 'layers'].includes(k)) throw new Error(`${name}: unknown key "${k}" (expected lengths, heads, layers)`);
  return out as unknown as RowsMeta;
}

/** The integer scores of a [rows, cols] array, row-major, checked to fit W bits signed. */
export function scoresMatrix(a: NpyArray | undefined, W: number | null, name = '--in'): { rows: number; cols: number; at: (r: number, c: number) => number } {
  if (!a) throw new Error(`${name} scores.npy is required`);
  if (a.shape.length !== 2) throw new Error(`${name} must have shape [rows, N], got [${a.shape.join(', ')}]`);
  if (a.dtype.startsWith('float') || a.dtype === 'bool') throw new Error(`${name} must hold integers (int32), got dtype ${a.dtype}`);
  const [rows, cols] = a.shape;
  const lo = W === null ? -Infinity : -(2 ** (W - 1));
  const hi = W === null ? Infinity : 2 ** (W - 1) - 1;
  const at = (r: number, c: number) => {
    const v = Number(a.data[r * cols + c] as number | bigint);
    if (v < lo || v > hi) throw new Error(`${name}[${r}, ${c}] = ${v} does not fit ${W}-bit signed (${lo}..${hi})`);
    return v;
  };
  return { rows, cols, at };
}

/** scores.npy + rows.json (+ thresholds.json) → input beats: the table load first, then the rows in order. */
export function selectorFromNpy(cfg: SelectorConfig, arrays: Record<string, NpyArray>, json: Record<string, unknown> = {}, parseTable: (j: unknown) => ThetaTable): StreamData {
  const m = scoresMatrix(arrays.in, cfg.scoreBits);
  const meta = parseRowsMeta(json.meta, m.rows, { maxRow: cfg.maxRow, heads: cfg.heads, layers: cfg.layers });
  const items: InItem[] = [];
  if (json.thresholds !== undefined) {
    if (cfg.mode !== 'threshold') throw new Error('--thresholds is only used in threshold mode');
    for (const w of tableWrites(cfg, parseTable(json.thresholds))) items.push(w); // L·H·B writes: no argument spread
  } else if (cfg.mode === 'threshold' && meta.lengths.some((n) => n > cfg.k)) {
    throw new Error(`threshold mode needs --thresholds thresholds.json (rows longer than k = ${cfg.k} are thresholded)`);
  }
  for (let r = 0; r < m.rows; r++) {
    const n = meta.lengths[r];
    if (n > m.cols) throw new Error(`--meta: lengths[${r}] = ${n} exceeds the ${m.cols} columns of --in`);
    const scores = Array.from({ length: n }, (_, c) => m.at(r, c));
    items.push({ kind: 'row', layer: meta.layers[r], head: meta.heads[r], scores });
  }
  return encodeInput(cfg, items);
}

/** out/sum transactions → indices, counts, rowmax, flags (README "Files"). */
export function selectorToNpy(cfg: SelectorConfig, outputs: StreamData): Record<string, NpyArray> {
  const { out, sum } = outputs;
  const w = selectorWidths(cfg);
  const rows = sum.count;
  const K = maxKept(cfg);
  const indices = new Int32Array(rows * K).fill(-1);
  const counts = new Int32Array(rows * 2);
  const rowmax = new Int32Array(rows);
  const flags = new Uint8Array(rows);
  let row = 0;
  let col = 0;
  for (let b = 0; b < out.count && row < rows; b++) {
    const c = out.lane(b, 'count', w.CW, 0, false);
    for (let j = 0; j < c && col < K; j++) indices[row * K + col++] = out.lane(b, 'idx', w.IW, j, false);
    if (out.lane(b, 'last', 1, 0, false) === 1) {
      row++;
      col = 0;
    }
  }
  for (let i = 0; i < rows; i++) {
    counts[2 * i] = sum.lane(i, 'kept', w.LW, 0, false);
    counts[2 * i + 1] = sum.lane(i, 'pruned', w.LW, 0, false);
    rowmax[i] = sum.lane(i, 'max', w.W, 0, true);
    flags[i] = sum.lane(i, 'overflow', 1, 0, false);
  }
  return {
    indices: { dtype: 'int32', shape: [rows, K], data: indices },
    counts: { dtype: 'int32', shape: [rows, 2], data: counts },
    rowmax: { dtype: 'int32', shape: [rows], data: rowmax },
    flags: { dtype: 'uint8', shape: [rows], data: flags },
  };
}
