/**
 * Quantize -> dequantize chaining (README.md "Files", "Dequantize mode"): the dequantize mode's
 * input streams made from a quantize run's input stream (its table loads) and outputs (q codes, the
 * sp stream as it comes), so that `dequant.npy` is the dequantizer's output: the golden
 * dequantizer's in `kvhdl golden nuq`, the dequantize RTL's in `kvhdl cosim nuq`.
 */
import { TxnTable } from '../../data/transactions.ts';
import type { NpyArray } from '../../data/npy.ts';
import type { StreamData } from '../unit.ts';
import { nuqSchema, type NuqConfig } from './config.ts';
import { deqInFields, deqSpFields } from './deq-model.ts';
import { tkFields } from './per-token-stream.ts';

/** The dequantize-mode configuration that reconstructs a quantize configuration's output. */
export function deqConfigFor(cfg: NuqConfig): NuqConfig {
  return nuqSchema.parse({ ...cfg, op: 'dequantize' });
}

/**
 * Dequantize-mode input streams from a quantize run: each input beat in order, a load beat copied
 * (its P table words), the k-th data beat replaced by the codes of the k-th q transaction (with its
 * eos); the sparse stream is the quantize run's sp stream, record for record; per-token mode: the
 * tk stream too (README "Per-token dequantize").
 */
export function deqStimulusFromQuant(cfg: NuqConfig, inputs: StreamData, outputs: StreamData): StreamData {
  const dcfg = deqConfigFor(cfg);
  const { in: inp } = inputs;
  const { q, sp } = outputs;
  const P = cfg.lanes;
  const t = new TxnTable(deqInFields(dcfg), inp.count);
  let k = 0;
  for (let i = 0; i < inp.count; i++) {
    const load = inp.lane(i, 'load', 1, 0, false);
    t.setLane(i, 'load', 1, 0, load);
    t.setLane(i, 'eos', 1, 0, inp.lane(i, 'eos', 1, 0, false));
    if (load) {
      for (let l = 0; l < P; l++) t.setLane(i, 'data', 16, l, inp.lane(i, 'data', 16, l, false));
    } else {
      if (k >= q.count) throw new Error(`quantize run: ${q.count} q transactions for more data beats`);
      for (let l = 0; l < P; l++) t.setLane(i, 'codes', cfg.bits, l, q.lane(k, 'codes', cfg.bits, l, false));
      k++;
    }
  }
  if (k !== q.count) throw new Error(`quantize run: ${q.count} q transactions for ${k} data beats`);
  const s = new TxnTable(deqSpFields(dcfg), sp.count);
  for (let r = 0; r < sp.count; r++) for (const f of ['token', 'channel', 'value', 'last']) s.set(r, f, sp.get(r, f));
  if (cfg.mode !== 'per-token') return { in: t, sp: s };
  // per-token: the quantize run's tk stream (each token's mid, half), record for record
  const { tk } = outputs;
  if (!tk) throw new Error('quantize run (per-token): no tk stream');
  const k2 = new TxnTable(tkFields, tk.count);
  for (let r = 0; r < tk.count; r++) for (const f of ['mid', 'half']) k2.set(r, f, tk.get(r, f));
  return { in: t, sp: s, tk: k2 };
}

/** dequant.npy ([T, D]) from a dequantize-mode `out` stream. */
export function dequantArray(cfg: NuqConfig, out: TxnTable): NpyArray {
  const deq = new Uint16Array(out.count * cfg.lanes);
  for (let k = 0; k < out.count; k++) for (let l = 0; l < cfg.lanes; l++) deq[k * cfg.lanes + l] = out.lane(k, 'deq', 16, l, false);
  return { dtype: cfg.format === 'fp16' ? 'float16' : 'uint16', shape: [deq.length / cfg.channels, cfg.channels], data: deq };
}
