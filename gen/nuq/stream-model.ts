/**
 * The nuq unit's streams (README.md "Hardware"): input beats (table loads and data), and the
 * golden model of the q / sp output streams, decoded from the input stream alone: a load beat
 * writes P table words in order; a data beat is quantized with the table as loaded so far.
 */
import type { FieldSpec } from '../../hdl/ports/design.ts';
import { TxnTable } from '../../data/transactions.ts';
import { fpFromNumber } from '../../hdl/lib/float/golden/index.ts';
import type { StreamData } from '../unit.ts';
import { nuqFormat, tableWordsPerChannel, type NuqConfig } from './config.ts';
import { midpoints, centroidsOf, type Codebook } from './codebook.ts';
import { FLAG_OUTLIER, dequantDense, quantizeElement, type ChannelTable } from './golden.ts';
import { TOKEN_BITS } from './rtl.ts';
import { expectedStreamsPerToken, perTokenTableWords } from './per-token-stream.ts';

export const channelBits = (cfg: NuqConfig): number => Math.max(1, Math.ceil(Math.log2(cfg.channels)));

export const inFields = (cfg: NuqConfig): FieldSpec[] => [
  { name: 'data', width: 16 * cfg.lanes, signed: false },
  { name: 'load', width: 1, signed: false },
  { name: 'eos', width: 1, signed: false },
];
export const qFields = (cfg: NuqConfig): FieldSpec[] => [
  { name: 'codes', width: cfg.bits * cfg.lanes, signed: false },
  { name: 'flags', width: 3 * cfg.lanes, signed: false },
  { name: 'deq', width: 16 * cfg.lanes, signed: false },
];
export const spFields = (cfg: NuqConfig): FieldSpec[] => [
  { name: 'token', width: TOKEN_BITS, signed: false },
  { name: 'channel', width: channelBits(cfg), signed: false },
  { name: 'value', width: 16, signed: false },
  { name: 'last', width: 1, signed: false },
];

/** The table words of a codebook, channel-major: lo, hi, mid, rcp, half, K centroids, K - 1 midpoints (per-token: perTokenTableWords). */
export function tableWords(cfg: NuqConfig, cb: Codebook): number[] {
  if (cfg.mode === 'per-token') return perTokenTableWords(cfg, cb);
  const f = nuqFormat(cfg);
  const P = (v: number) => fpFromNumber(f, v);
  const out: number[] = [];
  for (let c = 0; c < cfg.channels; c++) {
    const cs = centroidsOf(cb, c);
    out.push(P(cb.lo[c]), P(cb.hi[c]), P(cb.mid[c]), P(cb.rcp[c]), P(cb.half[c]), ...cs.map(P), ...midpoints(f, cs).map(P));
  }
  return out;
}

/** One item of an input sequence: a table load or a [T, D] tensor ending with eos. */
export type InputItem = { load: Codebook } | { data: Uint16Array };

export function inputTransactions(cfg: NuqConfig, items: readonly InputItem[]): StreamData {
  const P = cfg.lanes;
  const beats: { data: ArrayLike<number>; off: number; load: number; eos: number }[] = [];
  for (const it of items) {
    if ('load' in it) {
      const w = tableWords(cfg, it.load);
      for (let k = 0; k < w.length; k += P) beats.push({ data: w, off: k, load: 1, eos: 0 });
    } else {
      const n = it.data.length / P;
      for (let k = 0; k < n; k++) beats.push({ data: it.data, off: k * P, load: 0, eos: k === n - 1 ? 1 : 0 });
    }
  }
  const t = new TxnTable(inFields(cfg), beats.length);
  beats.forEach((b, i) => {
    for (let l = 0; l < P; l++) t.setLane(i, 'data', 16, l, b.data[b.off + l]);
    t.setLane(i, 'load', 1, 0, b.load);
    t.setLane(i, 'eos', 1, 0, b.eos);
  });
  return { in: t };
}

/** Golden q and sp streams for the input stream (per-token mode: q, sp and tk, per-token-stream.ts). */
export function expectedStreams(cfg: NuqConfig, inputs: { in: TxnTable }): StreamData {
  if (cfg.mode === 'per-token') return expectedStreamsPerToken(cfg, inputs, { q: qFields(cfg), sp: spFields(cfg) }, channelBits(cfg));
  const f = nuqFormat(cfg);
  const { lanes: P, channels: D, bits } = cfg;
  const K = 2 ** bits;
  const W = tableWordsPerChannel(cfg);
  const words = new Array<number>(D * W).fill(0);
  const inp = inputs.in;
  let ld = 0, bt = 0, token = 0;
  const qRows: { codes: number[]; flags: number[]; deq: number[] }[] = [];
  const sp: number[] = [];
  let tables: ChannelTable[] | null = null;
  const tableOf = (c: number): ChannelTable => {
    const w = words.slice(c * W, (c + 1) * W);
    return { lo: w[0], hi: w[1], mid: w[2], rcp: w[3], half: w[4], cent: w.slice(5, 5 + K), thr: w.slice(5 + K) };
  };
  for (let i = 0; i < inp.count; i++) {
    const x = Array.from({ length: P }, (_, l) => inp.lane(i, 'data', 16, l, false));
    if (inp.lane(i, 'load', 1, 0, false)) {
      x.forEach((v, l) => (words[ld * P + l] = v));
      ld = (ld + 1) % ((D * W) / P);
      tables = null;
      continue;
    }
    tables ??= Array.from({ length: D }, (_, c) => tableOf(c));
    const row = { codes: [] as number[], flags: [] as number[], deq: [] as number[] };
    x.forEach((v, l) => {
      const c = bt * P + l;
      const q = quantizeElement(f, v, tables![c]);
      row.codes.push(q.code);
      row.flags.push(q.flags);
      row.deq.push(q.flags & FLAG_OUTLIER ? v : dequantDense(f, q.code, tables![c]));
      if (q.flags & FLAG_OUTLIER) sp.push(token, c, v, 0);
    });
    if (inp.lane(i, 'eos', 1, 0, false)) sp.push(0, 0, 0, 1); // closes the sequence's list
    qRows.push(row);
    const endTok = bt === D / P - 1;
    bt = endTok ? 0 : bt + 1;
    token = inp.lane(i, 'eos', 1, 0, false) ? 0 : endTok ? (token + 1) % 2 ** TOKEN_BITS : token;
  }
  const q = new TxnTable(qFields(cfg), qRows.length);
  qRows.forEach((r, i) => {
    for (let l = 0; l < P; l++) {
      q.setLane(i, 'codes', bits, l, r.codes[l]);
      q.setLane(i, 'flags', 3, l, r.flags[l]);
      q.setLane(i, 'deq', 16, l, r.deq[l]);
    }
  });
  const s = new TxnTable(spFields(cfg), sp.length / 4);
  for (let k = 0; k < sp.length / 4; k++) {
    s.set(k, 'token', BigInt(sp[4 * k]));
    s.setLane(k, 'channel', channelBits(cfg), 0, sp[4 * k + 1]);
    s.setLane(k, 'value', 16, 0, sp[4 * k + 2]);
    s.setLane(k, 'last', 1, 0, sp[4 * k + 3]);
  }
  return { q, sp: s };
}
