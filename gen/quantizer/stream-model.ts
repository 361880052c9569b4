/**
 * quantizer stream model: tensors ↔ the transactions of README.md "Ports" (the RTL's port
 * contract), with golden.ts `quantizeTensor` as the only arithmetic.
 *
 * API (stable; the per-channel author may extend it — coordinate through this comment):
 *
 *   quantizerFields(cfg) -> { in, q, grp, res }: FieldSpec[] per stream, in port order
 *     in:  data (16·P), eos (1)          q:   codes (b·P), last (1)
 *     grp: scale (16), min (16), flags (4)   res: data (16·P), last (1)
 *   inputTransactions(cfg, sequences: Uint16Array[]) -> { in: TxnTable }
 *     each sequence a row-major [T, D] tensor of patterns (T ≥ 1), D/P beats per token, in_eos on
 *     the last beat of each sequence.
 *   expectedStreams(cfg, inputs: { in: TxnTable }) -> { q, grp, res }
 *     the golden output transactions. Complete sequences (ending with in_eos): quantizeTensor on the
 *     sequence's [T, D] tensor, then q / grp / res in README order (both modes). A trailing
 *     sequence without in_eos (an input prefix, as the Icarus subset run uses) yields what the RTL
 *     has emitted so far:
 *       per-token: every complete group of the beats that have left the window — the window holds
 *         the newest R·D/P beats (beat-granular window: rtl-per-token.ts choice 1), so the first
 *         max(0, n − R·D/P) of the n beats received are quantized, and their complete groups
 *         (G/P beats each) appear on q / grp; nothing on res.
 *       per-channel: the complete blocks of R tokens (README "Modes"); nothing on res.
 *         (Written from the README; the per-channel RTL author owns this case and may change it.)
 *   sequenceGolden(cfg, x) -> QuantizedTensor: quantizeTensor (re-exported for tests).
 */
import type { FieldSpec } from '../../hdl/ports/design.ts';
import { TxnTable } from '../../data/transactions.ts';
import type { QuantizerConfig } from './config.ts';
import { quantizeTensor, type QuantizedTensor } from './golden.ts';

export interface QuantizerFields {
  in: FieldSpec[];
  q: FieldSpec[];
  grp: FieldSpec[];
  res: FieldSpec[];
}

export function quantizerFields(cfg: QuantizerConfig): QuantizerFields {
  const P = cfg.lanes;
  const u = (name: string, width: number): FieldSpec => ({ name, width, signed: false });
  return {
    in: [u('data', 16 * P), u('eos', 1)],
    q: [u('codes', cfg.bits * P), u('last', 1)],
    grp: [u('scale', 16), u('min', 16), u('flags', 4)],
    res: [u('data', 16 * P), u('last', 1)],
  };
}

export function inputTransactions(cfg: QuantizerConfig, sequences: readonly Uint16Array[]): { in: TxnTable } {
  const { channels: D, lanes: P } = cfg;
  let beats = 0;
  for (const x of sequences) {
    if (x.length === 0 || x.length % D !== 0) throw new RangeError(`inputTransactions: a sequence of ${x.length} values is not T ≥ 1 whole ${D}-channel tokens`);
    beats += x.length / P;
  }
  const t = new TxnTable(quantizerFields(cfg).in, beats);
  let k = 0;
  for (const x of sequences) {
    const n = x.length / P;
    for (let i = 0; i < n; i++, k++) {
      for (let l = 0; l < P; l++) t.setLane(k, 'data', 16, l, x[i * P + l]);
      t.setLane(k, 'eos', 1, 0, i === n - 1 ? 1 : 0);
    }
  }
  return { in: t };
}

export function sequenceGolden(cfg: QuantizerConfig, x: Uint16Array): QuantizedTensor {
  return quantizeTensor(cfg, x);
}

interface Out {
  q: { codes: number[]; last: number }[];
  grp: { scale: number; min: number; flags: number }[];
  res: { data: number[]; last: number }[];
}

/** q / grp of the first `tokens` quantized rows of `r` (both modes' README order). */
function emitQuantized(cfg: QuantizerConfig, r: QuantizedTensor, out: Out, groupLimit = Infinity): void {
  const { channels: D, lanes: P, groupSize: G } = cfg;
  const bpg = G / P;
  if (cfg.mode === 'per-token') {
    const ng = D / G;
    let groups = 0;
    for (let t = 0; t < r.Tq; t++) {
      for (let j = 0; j < ng; j++) {
        if (groups++ >= groupLimit) return;
        out.grp.push({ scale: r.scale[t * ng + j], min: r.min[t * ng + j], flags: r.flags[t * ng + j] });
        for (let k = 0; k < bpg; k++) {
          const c0 = j * G + k * P;
          out.q.push({ codes: Array.from({ length: P }, (_, i) => r.codes[t * D + c0 + i]), last: k === bpg - 1 ? 1 : 0 });
        }
      }
    }
  } else {
    const R = cfg.residual;
    for (let blk = 0; blk < r.Tq / R; blk++) {
      for (let c = 0; c < D; c++) {
        for (let j = 0; j < R / G; j++) {
          const at = (blk * (R / G) + j) * D + c;
          out.grp.push({ scale: r.scale[at], min: r.min[at], flags: r.flags[at] });
          for (let k = 0; k < bpg; k++) {
            const t0 = blk * R + j * G + k * P;
            out.q.push({ codes: Array.from({ length: P }, (_, i) => r.codes[(t0 + i) * D + c]), last: k === bpg - 1 ? 1 : 0 });
          }
        }
      }
    }
  }
}

export function expectedStreams(cfg: QuantizerConfig, inputs: { in: TxnTable }): { q: TxnTable; grp: TxnTable; res: TxnTable } {
  const { channels: D, lanes: P, groupSize: G, residual: R } = cfg;
  const tin = inputs.in;
  const out: Out = { q: [], grp: [], res: [] };
  let seq: number[] = [];
  for (let k = 0; k < tin.count; k++) {
    for (let l = 0; l < P; l++) seq.push(tin.lane(k, 'data', 16, l, false));
    if (tin.lane(k, 'eos', 1, 0, false) === 1) {
      // README: in_eos only on a beat that ends a token
      if (seq.length % D !== 0) throw new RangeError(`expectedStreams: in_eos on beat ${k}, which does not end a token`);
      const r = quantizeTensor(cfg, Uint16Array.from(seq));
      emitQuantized(cfg, r, out);
      const rb = r.residual.length / P;
      for (let i = 0; i < rb; i++) out.res.push({ data: Array.from(r.residual.subarray(i * P, i * P + P)), last: i === rb - 1 ? 1 : 0 });
      seq = [];
    }
  }
  if (seq.length) {
    // an unfinished sequence (no in_eos yet): what has been emitted so far
    if (cfg.mode === 'per-token') {
      const n = seq.length / P;
      const quantBeats = Math.max(0, n - (R * D) / P);
      const groups = Math.floor(quantBeats / (G / P));
      if (groups > 0) {
        const tokens = Math.ceil((groups * G) / D);
        const x = new Uint16Array(tokens * D);
        x.set(seq.slice(0, Math.min(seq.length, tokens * D)));
        const r = quantizeTensor({ ...cfg, residual: 0 }, x); // padding only fills groups past the limit
        emitQuantized({ ...cfg, residual: 0 }, r, out, groups);
      }
    } else {
      const blocks = Math.floor(seq.length / D / R);
      if (blocks > 0) emitQuantized(cfg, quantizeTensor(cfg, Uint16Array.from(seq.slice(0, blocks * R * D))), out);
    }
  }
  const f = quantizerFields(cfg);
  const q = new TxnTable(f.q, out.q.length);
  out.q.forEach((o, k) => {
    o.codes.forEach((c, i) => q.setLane(k, 'codes', cfg.bits, i, c));
    q.setLane(k, 'last', 1, 0, o.last);
  });
  const grp = new TxnTable(f.grp, out.grp.length);
  out.grp.forEach((o, k) => {
    grp.setLane(k, 'scale', 16, 0, o.scale);
    grp.setLane(k, 'min', 16, 0, o.min);
    grp.setLane(k, 'flags', 4, 0, o.flags);
  });
  const res = new TxnTable(f.res, out.res.length);
  out.res.forEach((o, k) => {
    o.data.forEach((v, i) => res.setLane(k, 'data', 16, i, v));
    res.setLane(k, 'last', 1, 0, o.last);
  });
  return { q, grp, res };
}
