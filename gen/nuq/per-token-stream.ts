/**
 * Per-token mode streams (README.md "Per-token mode"): the table load's words, and the golden q, sp
 * and tk (one record per token: its mid and half) streams decoded from the input stream alone; a
 * token is quantized once its D / P beats are in (the two-pass token buffer a per-token RTL needs).
 */
import type { FieldSpec } from '../../hdl/ports/design.ts';
import { TxnTable } from '../../data/transactions.ts';
import type { StreamData } from '../unit.ts';
import { nuqFormat, tableWordsPerToken, type NuqConfig } from './config.ts';
import type { Codebook } from './codebook.ts';
import { quantizeToken, sharedPatterns } from './per-token.ts';
import { TOKEN_BITS } from './rtl.ts';

export const tkFields: FieldSpec[] = [
  { name: 'mid', width: 16, signed: false },
  { name: 'half', width: 16, signed: false },
];

/** trim, the K centroid patterns, the K - 1 midpoint patterns, zeros up to a multiple of P. */
export function perTokenTableWords(cfg: NuqConfig, cb: Codebook): number[] {
  const { cent, thr } = sharedPatterns(nuqFormat(cfg), cb);
  const w = [cb.trim ?? 0, ...cent, ...thr];
  while (w.length < tableWordsPerToken(cfg)) w.push(0);
  return w;
}

/** Golden q / sp / tk streams of a per-token input stream (sequences are whole tokens). */
export function expectedStreamsPerToken(cfg: NuqConfig, inputs: { in: TxnTable }, fields: { q: FieldSpec[]; sp: FieldSpec[] }, channelBits: number): StreamData {
  const f = nuqFormat(cfg);
  const { lanes: P, channels: D, bits } = cfg;
  const K = 2 ** bits;
  const NW = tableWordsPerToken(cfg);
  const words = new Array<number>(NW).fill(0);
  const inp = inputs.in;
  let ld = 0, token = 0;
  const row: number[] = [];
  const q: number[][] = [], sp: number[] = [], tk: number[] = [];
  for (let i = 0; i < inp.count; i++) {
    const x = Array.from({ length: P }, (_, l) => inp.lane(i, 'data', 16, l, false));
    if (inp.lane(i, 'load', 1, 0, false)) {
      x.forEach((v, l) => (words[ld * P + l] = v));
      ld = (ld + 1) % (NW / P);
      continue;
    }
    row.push(...x);
    const eos = inp.lane(i, 'eos', 1, 0, false);
    if (row.length < D) continue;
    const r = quantizeToken(f, row, words[0], words.slice(1, 1 + K), words.slice(1 + K, 2 * K), token);
    for (let b = 0; b < D / P; b++) q.push([...r.codes.slice(b * P, b * P + P), ...r.flags.slice(b * P, b * P + P), ...r.deq.slice(b * P, b * P + P)]);
    for (let k = 0; k < r.sparse.length; k += 3) sp.push(r.sparse[k], r.sparse[k + 1], r.sparse[k + 2], 0);
    tk.push(r.mid, r.half);
    if (eos) sp.push(0, 0, 0, 1);
    row.length = 0;
    token = eos ? 0 : (token + 1) % 2 ** TOKEN_BITS;
  }
  const qt = new TxnTable(fields.q, q.length);
  q.forEach((v, k) => {
    for (let l = 0; l < P; l++) {
      qt.setLane(k, 'codes', bits, l, v[l]);
      qt.setLane(k, 'flags', 3, l, v[P + l]);
      qt.setLane(k, 'deq', 16, l, v[2 * P + l]);
    }
  });
  const st = new TxnTable(fields.sp, sp.length / 4);
  for (let k = 0; k < sp.length / 4; k++) {
    st.set(k, 'token', BigInt(sp[4 * k]));
    st.setLane(k, 'channel', channelBits, 0, sp[4 * k + 1]);
    st.setLane(k, 'value', 16, 0, sp[4 * k + 2]);
    st.setLane(k, 'last', 1, 0, sp[4 * k + 3]);
  }
  const tt = new TxnTable(tkFields, tk.length / 2);
  for (let k = 0; k < tk.length / 2; k++) {
    tt.setLane(k, 'mid', 16, 0, tk[2 * k]);
    tt.setLane(k, 'half', 16, 0, tk[2 * k + 1]);
  }
  return { q: qt, sp: st, tk: tt };
}
