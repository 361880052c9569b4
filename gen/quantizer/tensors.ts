/**
 * The inverse of stream-model.ts: the q / grp / res output transactions (README.md "Ports", order
 * of transactions) back into the tensors of README.md "Files" (codes, scale, min, flags, packed,
 * residual, dequant).
 *
 *   qBeatIndices(cfg, k) -> the flat [Tq, D] indices of the P codes of q beat k (lane order)
 *   grpIndex(cfg, k)     -> the flat index of grp transaction k in the [rows, cols] group arrays
 *   tensorsFromStreams(cfg, outputs, dequant?) -> QuantizedTensor
 *
 * The streams of one sequence are assumed (what `fromNpy` produces: one sequence ending with
 * in_eos). Streams of several sequences are read as if concatenated: all quantized rows first,
 * then all residual rows (per-channel: every block of R tokens stays whole, so this is exact for
 * the quantized part).
 */
import type { TxnTable } from '../../data/transactions.ts';
import type { StreamData } from '../unit.ts';
import { quantizerFormat, type QuantizerConfig } from './config.ts';
import { dequantValue, packCodes, type QuantizedTensor } from './golden.ts';

/** Flat indices into the row-major [Tq, D] codes of the P lanes of q beat k. */
export function qBeatIndices(cfg: QuantizerConfig, k: number): number[] {
  const { channels: D, lanes: P, residual: R } = cfg;
  if (cfg.mode === 'per-token') {
    const bpt = D / P;
    const t = Math.floor(k / bpt);
    const c0 = (k % bpt) * P;
    return Array.from({ length: P }, (_, i) => t * D + c0 + i);
  }
  const bpc = R / P; // beats per channel per block
  const bpb = D * bpc; // beats per block
  const blk = Math.floor(k / bpb);
  const rem = k % bpb;
  const c = Math.floor(rem / bpc);
  const t0 = blk * R + (rem % bpc) * P;
  return Array.from({ length: P }, (_, i) => (t0 + i) * D + c);
}

/** Flat index into the [rows, cols] scale/min/flags arrays of grp transaction k. */
export function grpIndex(cfg: QuantizerConfig, k: number): number {
  if (cfg.mode === 'per-token') return k; // [Tq, D/G] in token, then group order
  const { channels: D, groupSize: G, residual: R } = cfg;
  const gpc = R / G; // groups per channel per block
  const gpb = D * gpc;
  const blk = Math.floor(k / gpb);
  const rem = k % gpb;
  const c = Math.floor(rem / gpc);
  return (blk * gpc + (rem % gpc)) * D + c;
}

/** Reads lane i of field `name` of every transaction of `t` (width bits per lane). */
function lanes(t: TxnTable, name: string, width: number, n: number): number[][] {
  const out: number[][] = [];
  for (let k = 0; k < t.count; k++) out.push(Array.from({ length: n }, (_, i) => t.lane(k, name, width, i, false)));
  return out;
}

/**
 * The tensors of the output streams. `dequant`, when given, is the dequantizer's output: one beat of
 * P values per q beat, in q order (as the dequantizer RTL returns them); otherwise x̂ is computed
 * with the golden dequantValue.
 */
export function tensorsFromStreams(cfg: QuantizerConfig, outputs: StreamData, dequant?: TxnTable): QuantizedTensor {
  const f = quantizerFormat(cfg);
  const { channels: D, lanes: P, groupSize: G, bits: b } = cfg;
  const { q, grp, res } = outputs;
  const Tq = (q.count * P) / D;
  const T = Tq + (res.count * P) / D;
  if (!Number.isInteger(Tq) || !Number.isInteger(T)) throw new RangeError(`quantizer outputs: ${q.count} q beats, ${res.count} res beats are not whole tokens`);
  const groupShape: [number, number] = cfg.mode === 'per-token' ? [Tq, D / G] : [Tq / G, D];
  const ngroups = groupShape[0] * groupShape[1];
  if (grp.count !== ngroups) throw new RangeError(`quantizer outputs: ${grp.count} grp transactions for ${ngroups} groups`);
  const scale = new Uint16Array(ngroups);
  const min = new Uint16Array(ngroups);
  const flags = new Uint8Array(ngroups);
  for (let k = 0; k < grp.count; k++) {
    const at = grpIndex(cfg, k);
    scale[at] = grp.lane(k, 'scale', 16, 0, false);
    min[at] = grp.lane(k, 'min', 16, 0, false);
    flags[at] = grp.lane(k, 'flags', 4, 0, false);
  }
  const codes = new Uint8Array(Tq * D);
  const xhat = new Uint16Array(Tq * D);
  const codeLanes = lanes(q, 'codes', b, P);
  const dqLanes = dequant ? lanes(dequant, 'values', 16, P) : undefined;
  if (dequant && dequant.count !== q.count) throw new RangeError(`dequantizer returned ${dequant.count} beats for ${q.count} code beats`);
  const bpg = G / P;
  for (let k = 0; k < q.count; k++) {
    const idx = qBeatIndices(cfg, k);
    const g = grpIndex(cfg, Math.floor(k / bpg));
    idx.forEach((at, i) => {
      codes[at] = codeLanes[k][i];
      xhat[at] = dqLanes ? dqLanes[k][i] : dequantValue(f, codeLanes[k][i], scale[g], min[g]);
    });
  }
  const residual = new Uint16Array(res.count * P);
  lanes(res, 'data', 16, P).forEach((v, k) => residual.set(v, k * P));
  const packed = cfg.mode === 'per-token' ? packCodes(codes, Tq, D, b, 'cols') : packCodes(codes, Tq, D, b, 'rows');
  const packedShape: [number, number] = cfg.mode === 'per-token' ? [Tq, (D * b) / 32] : [D, (Tq * b) / 32];
  return { T, Tq, codes, groupShape, scale, min, flags, packed, packedShape, residual, dequant: xhat };
}
