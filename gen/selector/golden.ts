/**
 * selector golden model, written from README.md "Semantics" and "Stream protocol": which scores a
 * row keeps (threshold or top-k), the row summary, and the output beats.
 */
import { TxnTable } from '../../data/transactions.ts';
import type { FieldSpec } from '../../hdl/ports/design.ts';
import type { StreamData } from '../unit.ts';
import { bucketOf, selectorWidths, type SelectorConfig } from './config.ts';

export function inFields(cfg: SelectorConfig): FieldSpec[] {
  const w = selectorWidths(cfg);
  return [
    { name: 'kind', width: 1, signed: false },
    { name: 'data', width: cfg.lanes * w.W, signed: false },
    { name: 'last', width: 1, signed: false },
    { name: 'len', width: w.LW, signed: false },
    { name: 'head', width: w.HW, signed: false },
    { name: 'layer', width: w.YW, signed: false },
    { name: 'bucket', width: w.BW, signed: false },
    { name: 'theta', width: w.TW, signed: true },
  ];
}

export function outFields(cfg: SelectorConfig): FieldSpec[] {
  const w = selectorWidths(cfg);
  return [
    { name: 'idx', width: cfg.outLanes * w.IW, signed: false },
    { name: 'score', width: cfg.outLanes * w.W, signed: false },
    { name: 'count', width: w.CW, signed: false },
    { name: 'last', width: 1, signed: false },
  ];
}

export function sumFields(cfg: SelectorConfig): FieldSpec[] {
  const w = selectorWidths(cfg);
  return [
    { name: 'kept', width: w.LW, signed: false },
    { name: 'pruned', width: w.LW, signed: false },
    { name: 'max', width: w.W, signed: true },
    { name: 'overflow', width: 1, signed: false },
  ];
}

/** One score row as the unit sees it. */
export interface SelectorRow {
  head: number;
  layer: number;
  scores: number[];
}

/** What the unit decides for one row. */
export interface RowResult {
  /** kept indices, ascending */
  kept: number[];
  max: number;
  overflow: boolean;
}

/** Indices of the k largest scores (ties: lower index), ascending; all of them when n <= k. */
export function topkIndices(s: readonly number[], k: number): number[] {
  if (s.length <= k) return s.map((_, i) => i);
  const order = s.map((_, i) => i).sort((a, b) => s[b] - s[a] || a - b);
  return order.slice(0, k).sort((a, b) => a - b);
}

/** README "Semantics": one row's kept set, maximum and overflow flag. `theta` is the row's table entry (threshold mode). */
export function selectRow(cfg: SelectorConfig, s: readonly number[], theta: number | null): RowResult {
  const max = s.reduce((a, b) => (b > a ? b : a), -Infinity);
  if (cfg.mode === 'topk') return { kept: topkIndices(s, cfg.k), max, overflow: false };
  const keepAll = s.length <= cfg.k;
  if (!keepAll && theta === null) throw new Error('threshold mode: theta missing for a row with n > k');
  const surv: number[] = [];
  s.forEach((x, i) => {
    if (keepAll || x > (theta as number)) surv.push(i);
  });
  if (cfg.capK > 0 && surv.length > cfg.capK) {
    const kept = cfg.capPolicy === 'first' ? surv.slice(0, cfg.capK) : surv.slice(surv.length - cfg.capK);
    return { kept, max, overflow: true };
  }
  return { kept: surv, max, overflow: false };
}

/** A signed lane of a packed field. */
function laneOf(v: bigint, i: number, w: number): number {
  return Number(BigInt.asIntN(w, v >> BigInt(i * w)));
}

/**
 * Parses the input stream (README "Stream protocol") into rows with their theta, applying table
 * writes in order. Throws on a protocol violation, naming the beat.
 */
export function parseInput(cfg: SelectorConfig, inp: TxnTable): { rows: SelectorRow[]; thetas: (number | null)[]; partial: { row: SelectorRow; len: number; theta: number | null } | null } {
  const W = cfg.scoreBits;
  const P = cfg.lanes;
  const B = cfg.rowBuckets.length;
  const table = new Map<number, number>();
  const rows: SelectorRow[] = [];
  const thetas: (number | null)[] = [];
  const lookup = (len: number, layer: number, head: number, t: number): number | null => {
    if (cfg.mode !== 'threshold' || len <= cfg.k) return null;
    const bucket = bucketOf(cfg.rowBuckets, len);
    const v = table.get((layer * cfg.heads + head) * B + bucket);
    if (v === undefined) throw new Error(`in beat ${t}: row uses theta[layer ${layer}][head ${head}][bucket ${bucket}], which was never written`);
    return v;
  };
  let cur: { len: number; head: number; layer: number; beats: number; scores: number[] } | null = null;
  for (let t = 0; t < inp.count; t++) {
    const kind = inp.get(t, 'kind');
    const head = Number(inp.get(t, 'head'));
    const layer = Number(inp.get(t, 'layer'));
    if (head >= cfg.heads) throw new Error(`in beat ${t}: head ${head} >= heads (${cfg.heads})`);
    if (layer >= cfg.layers) throw new Error(`in beat ${t}: layer ${layer} >= layers (${cfg.layers})`);
    if (kind === 1n) {
      if (cur) throw new Error(`in beat ${t}: table write inside a row (rows and table writes must not interleave)`);
      const bucket = Number(inp.get(t, 'bucket'));
      if (bucket >= B) throw new Error(`in beat ${t}: bucket ${bucket} >= rowBuckets.length (${B})`);
      table.set((layer * cfg.heads + head) * B + bucket, Number(inp.get(t, 'theta')));
      continue;
    }
    const len = Number(inp.get(t, 'len'));
    if (!cur) {
      if (len < 1 || len > cfg.maxRow) throw new Error(`in beat ${t}: row length ${len} outside 1..maxRow (${cfg.maxRow})`);
      cur = { len, head, layer, beats: 0, scores: [] };
    } else if (len !== cur.len || head !== cur.head || layer !== cur.layer) {
      throw new Error(`in beat ${t}: len/head/layer changed inside a row`);
    }
    const data = inp.get(t, 'data');
    for (let i = 0; i < P; i++) if (cur.beats * P + i < cur.len) cur.scores.push(laneOf(data, i, W));
    cur.beats++;
    const need = Math.ceil(cur.len / P);
    const last = inp.get(t, 'last') === 1n;
    if (last !== (cur.beats === need)) throw new Error(`in beat ${t}: a row of length ${cur.len} has exactly ${need} beats with last on the final one`);
    if (last) {
      rows.push({ head: cur.head, layer: cur.layer, scores: cur.scores });
      thetas.push(lookup(cur.len, cur.layer, cur.head, t));
      cur = null;
    }
  }
  const partial = cur ? { row: { head: cur.head, layer: cur.layer, scores: cur.scores }, len: cur.len, theta: lookup(cur.len, cur.layer, cur.head, inp.count - 1) } : null;
  return { rows, thetas, partial };
}

/** Output beats and summaries for decided rows (README "Outputs"). */
export function outputStreams(cfg: SelectorConfig, rows: readonly SelectorRow[], res: readonly RowResult[]): StreamData {
  const Q = cfg.outLanes;
  const w = selectorWidths(cfg);
  const nOut = res.reduce((a, r) => a + Math.max(1, Math.ceil(r.kept.length / Q)), 0);
  const out = new TxnTable(outFields(cfg), nOut);
  const sum = new TxnTable(sumFields(cfg), res.length);
  let o = 0;
  res.forEach((r, ri) => {
    const s = rows[ri].scores;
    const beats = Math.max(1, Math.ceil(r.kept.length / Q));
    for (let b = 0; b < beats; b++) {
      const part = r.kept.slice(b * Q, (b + 1) * Q);
      part.forEach((idx, j) => {
        out.setLane(o, 'idx', w.IW, j, idx);
        out.setLane(o, 'score', w.W, j, s[idx]);
      });
      out.setLane(o, 'count', w.CW, 0, part.length);
      out.setLane(o, 'last', 1, 0, b === beats - 1 ? 1 : 0);
      o++;
    }
    sum.set(ri, 'kept', BigInt(r.kept.length));
    sum.set(ri, 'pruned', BigInt(s.length - r.kept.length));
    sum.set(ri, 'max', BigInt(r.max));
    sum.set(ri, 'overflow', r.overflow ? 1n : 0n);
  });
  return { out, sum };
}

/** Configurations decided beat by beat (README "Unfinished rows"): threshold mode without a "last" cap. */
export function streamsRows(cfg: SelectorConfig): boolean {
  return cfg.mode === 'threshold' && !(cfg.capK > 0 && cfg.capPolicy === 'last');
}

export function selectorGolden(cfg: SelectorConfig, inputs: StreamData): StreamData {
  const { rows, thetas, partial } = parseInput(cfg, inputs.in);
  const res = rows.map((r, i) => selectRow(cfg, r.scores, thetas[i]));
  const streams = outputStreams(cfg, rows, res);
  if (!partial || !streamsRows(cfg)) return streams;
  // an unfinished row: the pairs decided so far leave in full beats while more of them follow
  const keepAll = partial.len <= cfg.k;
  let kept = partial.row.scores.map((_, i) => i).filter((i) => keepAll || partial.row.scores[i] > (partial.theta as number));
  if (cfg.capK > 0) kept = kept.slice(0, cfg.capK);
  const Q = cfg.outLanes;
  const beats = Math.max(0, Math.floor((kept.length - 1) / Q));
  if (beats === 0) return streams;
  const w = selectorWidths(cfg);
  const out = new TxnTable(outFields(cfg), streams.out.count + beats);
  out.words.set(streams.out.words);
  for (let b = 0; b < beats; b++) {
    const o = streams.out.count + b;
    for (let j = 0; j < Q; j++) {
      const idx = kept[b * Q + j];
      out.setLane(o, 'idx', w.IW, j, idx);
      out.setLane(o, 'score', w.W, j, partial.row.scores[idx]);
    }
    out.setLane(o, 'count', w.CW, 0, Q);
  }
  return { out, sum: streams.sum };
}
