/**
 * The nuq dequantize mode's streams (README.md "Dequantize mode"): input beats (table loads and
 * code beats), the sparse outlier stream (sorted by token, channel; one record with `last` = 1 closes each
 * sequence's list), and the golden `out` stream: x̂ per lane, the sparse value where the list has
 * one for (token, channel), else fl(fl(c[code] * half) + mid) with the table as loaded so far.
 */
import type { FieldSpec } from '../../hdl/ports/design.ts';
import { TxnTable } from '../../data/transactions.ts';
import { Rng } from '../../data/rng.ts';
import type { StreamData } from '../unit.ts';
import { nuqFormat, tableWordsPerChannel, type NuqConfig } from './config.ts';
import type { Codebook } from './codebook.ts';
import { calibrateNuq } from './calibrate.ts';
import { channelTables, dequantDense, quantizeElement, FLAG_OUTLIER, type ChannelTable } from './golden.ts';
import { heavyTailedKeys } from './synthetic.ts';
import { sprinkle } from './stimulus.ts';
import { channelBits, tableWords } from './stream-model.ts';
import { TOKEN_BITS } from './rtl.ts';

export const deqInFields = (cfg: NuqConfig): FieldSpec[] => [
  { name: 'data', width: 16 * cfg.lanes, signed: false },
  { name: 'codes', width: cfg.bits * cfg.lanes, signed: false },
  { name: 'load', width: 1, signed: false },
  { name: 'eos', width: 1, signed: false },
];
export const deqSpFields = (cfg: NuqConfig): FieldSpec[] => [
  { name: 'token', width: TOKEN_BITS, signed: false },
  { name: 'channel', width: channelBits(cfg), signed: false },
  { name: 'value', width: 16, signed: false },
  { name: 'last', width: 1, signed: false },
];
export const deqOutFields = (cfg: NuqConfig): FieldSpec[] => [{ name: 'deq', width: 16 * cfg.lanes, signed: false }];

/** One item: a table load, or a sequence of codes [T, D] with its outliers (token, channel, pattern triples, sorted). */
export type DeqItem = { load: Codebook } | { codes: Uint8Array; outliers: Int32Array };

export function deqTransactions(cfg: NuqConfig, items: readonly DeqItem[]): StreamData {
  const P = cfg.lanes;
  type Beat = { data?: number[]; codes?: ArrayLike<number>; off: number; load: number; eos: number };
  const beats: Beat[] = [];
  const sp: number[][] = [];
  for (const it of items) {
    if ('load' in it) {
      const w = tableWords(cfg, it.load);
      for (let k = 0; k < w.length; k += P) beats.push({ data: w, off: k, load: 1, eos: 0 });
    } else {
      const n = it.codes.length / P;
      for (let k = 0; k < n; k++) beats.push({ codes: it.codes, off: k * P, load: 0, eos: k === n - 1 ? 1 : 0 });
      for (let k = 0; k < it.outliers.length; k += 3) sp.push([it.outliers[k], it.outliers[k + 1], it.outliers[k + 2], 0]);
      sp.push([0, 0, 0, 1]);
    }
  }
  const t = new TxnTable(deqInFields(cfg), beats.length);
  beats.forEach((b, i) => {
    for (let l = 0; l < P; l++) {
      t.setLane(i, 'data', 16, l, b.data ? b.data[b.off + l] : 0);
      t.setLane(i, 'codes', cfg.bits, l, b.codes ? b.codes[b.off + l] : 0);
    }
    t.setLane(i, 'load', 1, 0, b.load);
    t.setLane(i, 'eos', 1, 0, b.eos);
  });
  const s = new TxnTable(deqSpFields(cfg), sp.length);
  sp.forEach(([tok, ch, v, end], k) => {
    s.set(k, 'token', BigInt(tok));
    s.setLane(k, 'channel', channelBits(cfg), 0, ch);
    s.setLane(k, 'value', 16, 0, v);
    s.setLane(k, 'last', 1, 0, end);
  });
  return { in: t, sp: s };
}

/**
 * The walk both dequantize modes share (README "Dequantize mode"): a load beat writes the next P
 * table words (`tableWordCount` in all, cyclic) and calls `onLoad`; every data beat starts a token at
 * its first beat (`onTokenStart(beat index)`), and each lane takes the sparse value listed for
 * (token, channel), else fl(fl(c[code] * half) + mid) with `tableOf(channel, words)`; an eos beat
 * consumes its sequence's closing `last` record and resets the token count.
 */
export function walkDequant(
  cfg: NuqConfig,
  inputs: { in: TxnTable; sp: TxnTable },
  tableWordCount: number,
  hooks: { onLoad?: () => void; onTokenStart?: (beat: number) => void; tableOf: (channel: number, words: readonly number[]) => ChannelTable },
): StreamData {
  const f = nuqFormat(cfg);
  const { lanes: P, channels: D, bits } = cfg;
  const words = new Array<number>(tableWordCount).fill(0);
  const { in: inp, sp } = inputs;
  let ld = 0, bt = 0, token = 0, s = 0;
  const rows: number[][] = [];
  for (let i = 0; i < inp.count; i++) {
    if (inp.lane(i, 'load', 1, 0, false)) {
      for (let l = 0; l < P; l++) words[ld * P + l] = inp.lane(i, 'data', 16, l, false);
      ld = (ld + 1) % (tableWordCount / P);
      hooks.onLoad?.();
      continue;
    }
    if (bt === 0) hooks.onTokenStart?.(i);
    const row: number[] = [];
    for (let l = 0; l < P; l++) {
      const c = bt * P + l;
      const code = inp.lane(i, 'codes', bits, l, false);
      const hit = s < sp.count && !sp.lane(s, 'last', 1, 0, false) && Number(sp.get(s, 'token')) === token && sp.lane(s, 'channel', channelBits(cfg), 0, false) === c;
      row.push(hit ? sp.lane(s++, 'value', 16, 0, false) : dequantDense(f, code, hooks.tableOf(c, words)));
    }
    rows.push(row);
    const eos = inp.lane(i, 'eos', 1, 0, false);
    if (eos && s < sp.count && sp.lane(s, 'last', 1, 0, false)) s++;
    const endTok = bt === D / P - 1;
    bt = endTok ? 0 : bt + 1;
    token = eos ? 0 : endTok ? (token + 1) % 2 ** TOKEN_BITS : token;
  }
  const out = new TxnTable(deqOutFields(cfg), rows.length);
  rows.forEach((r, i) => r.forEach((v, l) => out.setLane(i, 'deq', 16, l, v)));
  return { out };
}

/** Golden `out` stream: sequences in order, each merged with its own sparse list. */
export function deqExpected(cfg: NuqConfig, inputs: { in: TxnTable; sp: TxnTable }): StreamData {
  const { channels: D, bits } = cfg;
  const K = 2 ** bits;
  const W = tableWordsPerChannel(cfg);
  let tables: ChannelTable[] | null = null;
  return walkDequant(cfg, inputs, D * W, {
    onLoad: () => { tables = null; },
    tableOf: (c, words) => {
      tables ??= Array.from({ length: D }, (_, ch) => {
        const w = words.slice(ch * W, (ch + 1) * W);
        return { lo: w[0], hi: w[1], mid: w[2], rcp: w[3], half: w[4], cent: w.slice(5, 5 + K), thr: w.slice(5 + K) };
      });
      return tables[c];
    },
  });
}

/** Codes and sorted outliers of x quantized with cb (the quantize mode's outputs). */
export function quantizeForDeq(cfg: NuqConfig, cb: Codebook, x: Uint16Array): { codes: Uint8Array; outliers: Int32Array } {
  const f = nuqFormat(cfg);
  const D = cfg.channels;
  const tb = channelTables(f, cb);
  const codes = new Uint8Array(x.length);
  const out: number[] = [];
  for (let e = 0; e < x.length; e++) {
    const q = quantizeElement(f, x[e], tb[e % D]);
    codes[e] = q.code;
    if (q.flags & FLAG_OUTLIER) out.push(Math.floor(e / D), e % D, x[e]);
  }
  return { codes, outliers: Int32Array.from(out) };
}

/**
 * About `n` code beats: a calibrated table, a sequence, a second table and two more sequences, the
 * codes and outliers coming from quantizing heavy-tailed keys with specials (the quantize mode's
 * outputs), one sequence with an outlier burst (several per beat) and one with none.
 */
export function deqRandomStimulus(cfg: NuqConfig, seed: number, n: number): StreamData {
  const r = new Rng(seed);
  const f = nuqFormat(cfg);
  const D = cfg.channels;
  const tokens = Math.max(4, Math.floor((Math.max(n, 8) * cfg.lanes) / D));
  const calT = 64;
  const all = heavyTailedKeys(f, 2 * calT + tokens, D, seed * 17 + 3);
  const rows = (t0: number, T: number) => all.slice(t0 * D, (t0 + T) * D);
  const cb1 = calibrateNuq(f, rows(0, calT), calT, D, { bits: cfg.bits, outlierFraction: 0.05, shared: false });
  const cb2 = calibrateNuq(f, rows(calT, calT), calT, D, { bits: cfg.bits, outlierFraction: 0.01, shared: true });
  const a = r.int(1, tokens - 3);
  const b = r.int(1, tokens - a - 2);
  const seq = (cb: Codebook, t0: number, T: number, burst = false) => {
    const x = sprinkle(cfg, rows(2 * calT + t0, T), r, 0.01);
    if (burst) for (let e = 0; e < Math.min(x.length, 3 * D); e++) x[e] = 0x7bff ^ (e & 1 ? 0x8000 : 0); // fp16/bf16: huge values, all outliers
    return quantizeForDeq(cfg, cb, x);
  };
  const zeros = quantizeForDeq(cfg, cb2, new Uint16Array(D)); // one token of zeros (few or no outliers)
  return deqTransactions(cfg, [{ load: cb1 }, seq(cb1, 0, a, true), { load: cb2 }, seq(cb2, a, b), zeros, seq(cb2, a + b, tokens - a - b)]);
}
