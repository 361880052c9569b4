/**
 * The per-token dequantize mode's streams (README.md "Per-token dequantize"): input beats (per-token
 * table loads and code beats), the sparse outlier stream (as in "Dequantize mode"), the `tk` stream
 * (one record per token: its mid and half, in token order across sequences), and the golden `out`
 * stream: x̂ per lane, the sparse value where the list has one for (token, channel), else
 * fl(fl(c[code] · half_t) + mid_t) with the shared centroids as loaded so far. Written from the
 * README, not from the RTL.
 */
import { TxnTable } from '../../data/transactions.ts';
import { Rng } from '../../data/rng.ts';
import type { StreamData } from '../unit.ts';
import { nuqFormat, tableWordsPerToken, type NuqConfig } from './config.ts';
import type { Codebook } from './codebook.ts';
import { calibrateNuqPerToken } from './calibrate.ts';
import { nuqTensorPerToken } from './per-token.ts';
import { tkFields } from './per-token-stream.ts';
import { heavyTailedKeys } from './synthetic.ts';
import { sprinkle } from './stimulus.ts';
import { deqTransactions, walkDequant } from './deq-model.ts';

/** One item: a per-token table load, or a sequence of codes [T, D] with its sorted outliers and its scales [T, 2] (mid, half patterns). */
export type DeqTokenItem = { load: Codebook } | { codes: Uint8Array; outliers: Int32Array; scales: Uint16Array };

/** in and sp as in the per-channel dequantize mode (per-token table words), plus tk: the scales rows in order. */
export function deqTransactionsPerToken(cfg: NuqConfig, items: readonly DeqTokenItem[]): StreamData {
  const s = deqTransactions(cfg, items);
  const scales: number[] = [];
  for (const it of items) if ('scales' in it) scales.push(...it.scales);
  const tk = new TxnTable(tkFields, scales.length / 2);
  for (let k = 0; k < tk.count; k++) {
    tk.setLane(k, 'mid', 16, 0, scales[2 * k]);
    tk.setLane(k, 'half', 16, 0, scales[2 * k + 1]);
  }
  return { ...s, tk };
}

/** Golden `out` stream of the per-token dequantize mode. */
export function deqExpectedPerToken(cfg: NuqConfig, inputs: { in: TxnTable; sp: TxnTable; tk: TxnTable }): StreamData {
  const K = 2 ** cfg.bits;
  const { tk } = inputs;
  let k = 0;
  let mid = 0, half = 0;
  return walkDequant(cfg, inputs, tableWordsPerToken(cfg), {
    onTokenStart: (beat) => {
      if (k >= tk.count) throw new Error(`per-token dequantize: the tk stream has ${tk.count} records, data beat ${beat} starts token ${k + 1}`);
      mid = tk.lane(k, 'mid', 16, 0, false);
      half = tk.lane(k++, 'half', 16, 0, false);
    },
    tableOf: (_c, words) => ({ lo: 0, hi: 0, rcp: 0, mid, half, cent: words.slice(1, 1 + K), thr: [] }),
  });
}

/** Codes, sorted outliers and scales of x quantized per token with cb (the per-token quantize mode's outputs). */
export function quantizeForDeqPerToken(cfg: NuqConfig, cb: Codebook, x: Uint16Array): { codes: Uint8Array; outliers: Int32Array; scales: Uint16Array } {
  const q = nuqTensorPerToken(nuqFormat(cfg), cb, x);
  return { codes: q.codes, outliers: q.outliers, scales: q.scales };
}

/**
 * About `n` code beats: a per-token table (trim min(1, ⌊(D − 1)/2⌋)), a sequence with a 3-token
 * outlier burst on every lane, a second table (other centroids, trim 0), a sequence of random codes
 * with random scale patterns (NaN, ±Inf, subnormal, huge: every case of the arithmetic) and random
 * outliers, one token of zeros and a last sequence; codes, outliers and scales otherwise from
 * quantizing heavy-tailed values with specials (the per-token quantize mode's outputs).
 */
export function deqRandomStimulusPerToken(cfg: NuqConfig, seed: number, n: number): StreamData {
  const r = new Rng(seed);
  const f = nuqFormat(cfg);
  const D = cfg.channels;
  const K = 2 ** cfg.bits;
  const tokens = Math.max(6, Math.floor((Math.max(n, 8) * cfg.lanes) / D));
  const calT = 64;
  const all = heavyTailedKeys(f, calT + tokens, D, seed * 19 + 5);
  const rows = (t0: number, T: number) => all.slice(t0 * D, (t0 + T) * D);
  const cb1 = { ...calibrateNuqPerToken(f, rows(0, calT), calT, D, { bits: cfg.bits, outlierFraction: 0, shared: true }), trim: Math.min(1, Math.floor((D - 1) / 2)) };
  const cb2 = { ...cb1, trim: 0, centroids: [cb1.centroids[0].map((c) => -c).reverse()] };
  const a = r.int(2, tokens - 4);
  const b = r.int(1, tokens - a - 2);
  const seq = (cb: Codebook, t0: number, T: number, burst = false) => {
    const x = sprinkle(cfg, rows(calT + t0, T), r, 0.01);
    // 3 tokens of NaNs with payloads: every lane an outlier (P per beat for the one-per-cycle merge)
    const nan = cfg.format === 'fp16' ? 0x7e00 : 0x7fc0;
    if (burst) for (let e = 0; e < Math.min(x.length, 3 * D); e++) x[e] = (nan | (e & 0x3f)) ^ (e & 1 ? 0x8000 : 0);
    return quantizeForDeqPerToken(cfg, cb, x);
  };
  const specials = cfg.format === 'fp16' ? [0x7e00, 0x7c00, 0xfc00, 0x8000, 0x0000, 0x0001, 0x7bff, 0xfbff, 0x3c00] : [0x7fc0, 0x7f80, 0xff80, 0x8000, 0x0000, 0x0001, 0x7f7f, 0xff7f, 0x3f80];
  const scaleOf = () => (r.chance(0.3) ? specials[r.int(0, specials.length - 1)] : r.int(0, 0xffff));
  const T3 = Math.max(2, tokens - a - b);
  const codes3 = Uint8Array.from({ length: T3 * D }, () => r.int(0, K - 1));
  const out3: number[] = [];
  for (let e = 0; e < T3 * D; e++) if (r.chance(0.1)) out3.push(Math.floor(e / D), e % D, r.int(0, 0xffff));
  const scales3 = Uint16Array.from({ length: 2 * T3 }, scaleOf);
  const zeros = quantizeForDeqPerToken(cfg, cb2, new Uint16Array(D));
  return deqTransactionsPerToken(cfg, [
    { load: cb1 }, seq(cb1, 0, a, true),
    { load: cb2 }, seq(cb2, a, b), { codes: codes3, outliers: Int32Array.from(out3), scales: scales3 }, zeros, seq(cb2, a + b, 2),
  ]);
}
