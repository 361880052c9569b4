/** The nuq unit: KVQuant non-uniform quantization with dense-and-sparse outliers (quantize + dequantize). */
import type { TxnTable } from '../../data/transactions.ts';
import type { NpyArray } from '../../data/npy.ts';
import type { StreamData, UnitDef } from '../unit.ts';
import { nuqFormat, nuqSchema, type NuqConfig } from './config.ts';
import { parseCodebook } from './codebook.ts';
import { packNuq } from './golden.ts';
import { nuqInput, nuqOutputs } from './npy.ts';
import { nuqRtl } from './rtl.ts';
import { channelBits, expectedStreams, inputTransactions } from './stream-model.ts';
import { nuqRandomStimulus } from './stimulus.ts';
import { nuqDeqRtl } from './deq-rtl.ts';
import { deqExpected, deqRandomStimulus } from './deq-model.ts';
import { fpIsInf, fpIsNaN, fpToNumber } from '../../hdl/lib/float/golden/index.ts';

export type { NuqConfig } from './config.ts';

/** Indices of the sp records that are outliers (not the last = 1 records closing a sequence). */
function outlierRecords(sp: TxnTable): number[] {
  const out: number[] = [];
  for (let k = 0; k < sp.count; k++) if (!sp.lane(k, 'last', 1, 0, false)) out.push(k);
  return out;
}

/** codes, packed, outliers, dequant, flags from the q / sp streams of one sequence. */
export function nuqToNpy(cfg: NuqConfig, outputs: StreamData): Record<string, NpyArray> {
  if (cfg.op === 'dequantize') {
    const o = outputs.out;
    const deq = new Uint16Array(o.count * cfg.lanes);
    for (let k = 0; k < o.count; k++) for (let l = 0; l < cfg.lanes; l++) deq[k * cfg.lanes + l] = o.lane(k, 'deq', 16, l, false);
    return { dequant: { dtype: cfg.format === 'fp16' ? 'float16' : 'uint16', shape: [deq.length / cfg.channels, cfg.channels], data: deq } };
  }
  const { q, sp } = outputs;
  const { lanes: P, channels: D, bits } = cfg;
  const T = (q.count * P) / D;
  const codes = new Uint8Array(T * D), flags = new Uint8Array(T * D), deq = new Uint16Array(T * D);
  for (let k = 0; k < q.count; k++) {
    for (let l = 0; l < P; l++) {
      codes[k * P + l] = q.lane(k, 'codes', bits, l, false);
      flags[k * P + l] = q.lane(k, 'flags', 3, l, false);
      deq[k * P + l] = q.lane(k, 'deq', 16, l, false);
    }
  }
  const recs = outlierRecords(sp);
  const outliers = new Int32Array(recs.length * 3);
  recs.forEach((k, n) => {
    outliers[3 * n] = Number(sp.get(k, 'token'));
    outliers[3 * n + 1] = sp.lane(k, 'channel', channelBits(cfg), 0, false);
    outliers[3 * n + 2] = sp.lane(k, 'value', 16, 0, false);
  });
  const { packed, shape } = packNuq(codes, T, D, bits);
  return nuqOutputs(cfg, { T, codes, flags, outliers, outlierCount: recs.length, packed, packedShape: shape, dequant: deq });
}

export const nuqUnit: UnitDef<NuqConfig> = {
  name: 'nuq',
  summary: 'KVQuant non-uniform (k-means codebook) quantize + dequantize with dense-and-sparse outliers, run-time table, P lanes per cycle',
  schema: nuqSchema,
  build: (cfg) => (cfg.op === 'dequantize' ? nuqDeqRtl(cfg) : nuqRtl(cfg)),
  golden: (cfg, inputs) => (cfg.op === 'dequantize' ? deqExpected(cfg, inputs as { in: TxnTable; sp: TxnTable }) : expectedStreams(cfg, inputs as { in: TxnTable })),
  randomStimulus: (cfg, seed, n) => (cfg.op === 'dequantize' ? deqRandomStimulus(cfg, seed, n) : nuqRandomStimulus(cfg, seed, n)),
  fromNpy(cfg, arrays, json) {
    if (cfg.op === 'dequantize') throw new Error('op "dequantize" has no tensor input from the command line yet (kvhdl gen/synth/report and the TypeScript API only; README "Dequantize mode")');
    const x = nuqInput(cfg, arrays.in);
    let cb;
    try {
      cb = parseCodebook(json?.codebook, cfg);
    } catch (e) {
      throw new Error(`--codebook: ${(e as Error).message}`);
    }
    return inputTransactions(cfg, x.length ? [{ load: cb }, { data: Uint16Array.from(x) }] : [{ load: cb }]);
  },
  toNpy: nuqToNpy,
  npyInputs: { in: 'x.npy: keys [tokens, channels], float16 (fp16; or uint16 patterns) / uint16 bfloat16 patterns' },
  jsonInputs: { codebook: { help: 'codebook.json written by kvhdl calibrate-nuq (format, bits and channels must match the config)' } },
  goldenReport(cfg, inputs, outputs) {
    const f = nuqFormat(cfg);
    const arr = nuqToNpy(cfg, outputs);
    const inp = inputs.in;
    let num = 0, den = 0, n = 0;
    for (let k = 0, e = 0; k < inp.count; k++) {
      if (inp.lane(k, 'load', 1, 0, false)) continue;
      for (let l = 0; l < cfg.lanes; l++, e++) {
        const x = inp.lane(k, 'data', 16, l, false);
        n++;
        if (fpIsNaN(f, x) || fpIsInf(f, x)) continue;
        const v = fpToNumber(f, x);
        num += (fpToNumber(f, (arr.dequant.data as Uint16Array)[e]) - v) ** 2;
        den += v * v;
      }
    }
    const count = outlierRecords(outputs.sp).length;
    return { outliers: count, outlierFraction: n ? count / n : 0, relMse: den > 0 ? num / den : null };
  },
  referenceConfigs: [
    { format: 'fp16', bits: 3, channels: 16, lanes: 2 },
    { format: 'fp16', bits: 2, channels: 4, lanes: 1 }, // small enough for an iCE40 (up5k)
  ],
  elementsPerBeat: (cfg) => cfg.lanes,
};
