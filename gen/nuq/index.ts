/** The nuq unit: KVQuant non-uniform quantization with dense-and-sparse outliers (quantize + dequantize). */
import type { TxnTable } from '../../data/transactions.ts';
import type { NpyArray } from '../../data/npy.ts';
import type { PostCosimResult, StreamData, SubUnitRun, UnitDef } from '../unit.ts';
import { nuqFormat, nuqSchema, tableBeats, type NuqConfig } from './config.ts';
import { parseCodebook } from './codebook.ts';
import { packNuq } from './golden.ts';
import { packPerToken } from './per-token.ts';
import { ConfigError } from '../config.ts';
import { nuqDeqInput, nuqInput, nuqOutputs, nuqScalesInput } from './npy.ts';
import { deqConfigFor, deqStimulusFromQuant, dequantArray } from './chain.ts';
import { nuqRtl } from './rtl.ts';
import { channelBits, expectedStreams, inputTransactions } from './stream-model.ts';
import { nuqRandomStimulus } from './stimulus.ts';
import { nuqDeqRtl } from './deq-rtl.ts';
import { deqExpected, deqRandomStimulus, deqTransactions } from './deq-model.ts';
import { deqExpectedPerToken, deqRandomStimulusPerToken, deqTransactionsPerToken } from './deq-per-token.ts';
import { fpIsInf, fpIsNaN, fpToNumber } from '../../hdl/lib/float/golden/index.ts';

export type { NuqConfig } from './config.ts';

/** The dequantize mode's golden `out` stream (per-token: with the tk stream, README "Per-token dequantize"). */
function deqGolden(cfg: NuqConfig, inputs: StreamData): StreamData {
  if (cfg.mode === 'per-token') return deqExpectedPerToken(cfg, inputs as { in: TxnTable; sp: TxnTable; tk: TxnTable });
  return deqExpected(cfg, inputs as { in: TxnTable; sp: TxnTable });
}

/** Indices of the sp records that are outliers (not the last = 1 records closing a sequence). */
function outlierRecords(sp: TxnTable): number[] {
  const out: number[] = [];
  for (let k = 0; k < sp.count; k++) if (!sp.lane(k, 'last', 1, 0, false)) out.push(k);
  return out;
}

/**
 * The input streams each config object was last given by `fromNpy`/`randomStimulus` (as in
 * gen/earlyexit): `toNpy` and `postCosim` only receive the outputs, and the dequantizer needs the
 * quantize run's table loads. `kvhdl golden|cosim` pass one config object through all of them.
 */
const stimulusOf = new WeakMap<object, StreamData>();

/**
 * codes, packed, outliers, dequant, flags from the q / sp streams (quantize mode); dequant from
 * the golden dequantizer run on those codes and sp stream when the config's stimulus is known
 * (`kvhdl golden`), else from q's x̂ (the same arithmetic, README "Hardware"). Dequantize mode:
 * dequant only.
 */
export function nuqToNpy(cfg: NuqConfig, outputs: StreamData): Record<string, NpyArray> {
  if (cfg.op === 'dequantize') return { dequant: dequantArray(cfg, outputs.out) };
  const { q, sp } = outputs;
  const { lanes: P, channels: D, bits } = cfg;
  const T = (q.count * P) / D;
  const codes = new Uint8Array(T * D), flags = new Uint8Array(T * D);
  let deq: Uint16Array = new Uint16Array(T * D);
  for (let k = 0; k < q.count; k++) {
    for (let l = 0; l < P; l++) {
      codes[k * P + l] = q.lane(k, 'codes', bits, l, false);
      flags[k * P + l] = q.lane(k, 'flags', 3, l, false);
      deq[k * P + l] = q.lane(k, 'deq', 16, l, false);
    }
  }
  const stim = stimulusOf.get(cfg);
  if (stim) deq = dequantArray(cfg, deqGolden(deqConfigFor(cfg), deqStimulusFromQuant(cfg, stim, outputs)).out).data as Uint16Array;
  const recs = outlierRecords(sp);
  const outliers = new Int32Array(recs.length * 3);
  recs.forEach((k, n) => {
    outliers[3 * n] = Number(sp.get(k, 'token'));
    outliers[3 * n + 1] = sp.lane(k, 'channel', channelBits(cfg), 0, false);
    outliers[3 * n + 2] = sp.lane(k, 'value', 16, 0, false);
  });
  if (cfg.mode === 'per-token') {
    const tk = outputs.tk;
    const scales = new Uint16Array(2 * tk.count);
    for (let k = 0; k < tk.count; k++) scales.set([tk.lane(k, 'mid', 16, 0, false), tk.lane(k, 'half', 16, 0, false)], 2 * k);
    const p = packPerToken(codes, T, D, bits);
    return nuqOutputs(cfg, { T, codes, flags, outliers, outlierCount: recs.length, packed: p.packed, packedShape: p.shape, dequant: deq, scales });
  }
  const { packed, shape } = packNuq(codes, T, D, bits);
  return nuqOutputs(cfg, { T, codes, flags, outliers, outlierCount: recs.length, packed, packedShape: shape, dequant: deq });
}

/** Input streams from the command line's tensors (README "From the command line"). */
function nuqFromNpy(cfg: NuqConfig, arrays: Record<string, NpyArray>, json?: Record<string, unknown>): StreamData {
  const given = (['in', 'codes', 'outliers', 'scales'] as const).filter((k) => arrays[k] !== undefined);
  const want = cfg.op === 'dequantize' ? (cfg.mode === 'per-token' ? ['codes', 'outliers', 'scales'] : ['codes', 'outliers']) : ['in'];
  const what = `op "${cfg.op}"${cfg.op === 'dequantize' && cfg.mode === 'per-token' ? ', mode "per-token",' : ''}`;
  const list = want.map((k) => `--${k}`).join(want.length > 2 ? ', ' : ' and ').replace(/, (--\w+)$/, ' and $1');
  const extra = given.filter((k) => !want.includes(k));
  if (extra.length) throw new Error(`${what} takes ${list}, not --${extra[0]}`);
  const missing = want.filter((k) => arrays[k] === undefined);
  if (missing.length) throw new Error(`${what} needs ${list} (missing --${missing[0]})`);
  let cb;
  try {
    cb = parseCodebook(json?.codebook, cfg);
  } catch (e) {
    throw new Error(`--codebook: ${(e as Error).message}`);
  }
  if (cfg.op === 'dequantize' && cfg.mode === 'per-token') {
    const d = nuqDeqInput(cfg, arrays.codes, arrays.outliers);
    const scales = nuqScalesInput(cfg, arrays.scales, d.T);
    return deqTransactionsPerToken(cfg, d.T ? [{ load: cb }, { codes: d.codes, outliers: d.outliers, scales }] : [{ load: cb }]);
  }
  if (cfg.op === 'dequantize') {
    const d = nuqDeqInput(cfg, arrays.codes, arrays.outliers);
    return deqTransactions(cfg, d.T ? [{ load: cb }, { codes: d.codes, outliers: d.outliers }] : [{ load: cb }]);
  }
  const x = nuqInput(cfg, arrays.in);
  return inputTransactions(cfg, x.length ? [{ load: cb }, { data: Uint16Array.from(x) }] : [{ load: cb }]);
}

/** dequant.npy of a quantize run from the dequantize RTL on the run's codes and sp stream. */
async function nuqPostCosim(cfg: NuqConfig, outputs: StreamData, run: SubUnitRun): Promise<PostCosimResult> {
  if (cfg.op === 'dequantize') return { ok: true, arrays: {}, problem: '', report: {} };
  const stim = stimulusOf.get(cfg);
  if (!stim) return { ok: false, arrays: {}, problem: 'nuq postCosim: no stimulus known for this config object (give it to fromNpy first)', report: {} };
  const dcfg = deqConfigFor(cfg);
  if (outputs.q.count === 0) return { ok: true, arrays: {}, problem: '', report: { dequantize: { config: dcfg, skipped: 'no tokens' } } };
  const ds = deqStimulusFromQuant(cfg, stim, outputs);
  const r = await run(nuqUnit, dcfg, ds, 'dequantize');
  const beats = outputs.q.count;
  return {
    ok: r.ok,
    arrays: r.ok ? { dequant: dequantArray(cfg, r.outputs.out) } : {},
    problem: r.ok ? '' : `dequantize: ${r.problem}`,
    report: { dequantize: { config: dcfg, top: r.top, ok: r.ok, cycles: r.cycles, cyclesPerTxn: r.cyclesPerTxn ?? null, codeBeats: beats, loadBeats: ds.in.count - beats, sparseRecords: ds.sp.count, ...(ds.tk ? { tkRecords: ds.tk.count } : {}) } },
  };
}

/** What `kvhdl cosim` says for a per-token codebook with trim > 0 (exit 2). */
export const PER_TOKEN_TRIM_NO_RTL = 'the per-token RTL computes trims up to its config\'s trimMax';

/** The trims (word 0) of a per-token stimulus' table loads. */
export function perTokenTrims(cfg: NuqConfig, stim: StreamData): number[] {
  const out: number[] = [];
  const LB = tableBeats(cfg);
  for (let i = 0, ld = 0; i < stim.in.count; i++) {
    if (!stim.in.lane(i, 'load', 1, 0, false)) continue;
    if (ld === 0) out.push(stim.in.lane(i, 'data', 16, 0, false));
    ld = (ld + 1) % LB;
  }
  return out;
}

export const nuqUnit: UnitDef<NuqConfig> = {
  name: 'nuq',
  summary: 'KVQuant non-uniform (k-means codebook) quantize + dequantize with dense-and-sparse outliers, run-time table, P lanes per cycle; per-channel (keys) or per-token (values: token buffer, each token\'s trimmed range at run time, trims up to trimMax)',
  schema: nuqSchema,
  build(cfg) {
    return cfg.op === 'dequantize' ? nuqDeqRtl(cfg) : nuqRtl(cfg);
  },
  golden: (cfg, inputs) => (cfg.op === 'dequantize' ? deqGolden(cfg, inputs) : expectedStreams(cfg, inputs as { in: TxnTable })),
  randomStimulus(cfg, seed, n) {
    const s = cfg.op === 'dequantize' ? (cfg.mode === 'per-token' ? deqRandomStimulusPerToken(cfg, seed, n) : deqRandomStimulus(cfg, seed, n)) : nuqRandomStimulus(cfg, seed, n);
    stimulusOf.set(cfg, s);
    return s;
  },
  fromNpy(cfg, arrays, json) {
    const s = nuqFromNpy(cfg, arrays, json);
    stimulusOf.set(cfg, s);
    return s;
  },
  toNpy: nuqToNpy,
  postCosim: (cfg, outputs, run) => nuqPostCosim(cfg, outputs, run),
  // per-token quantize: the RTL computes trims up to trimMax (README "Per-token hardware"); refuse a larger one before simulating
  async preCosim(cfg, stimulus) {
    const trim = cfg.mode === 'per-token' && cfg.op === 'quantize' ? perTokenTrims(cfg, stimulus).find((t) => t > cfg.trimMax) : undefined;
    if (trim !== undefined) throw new ConfigError([`${PER_TOKEN_TRIM_NO_RTL} (${cfg.trimMax}); this codebook has trim ${trim} (set "trimMax": ${trim} in the config, up to 7, or calibrate with a smaller --outlier-fraction; kvhdl golden nuq models any trim; gen/nuq/README.md "Per-token hardware")`]);
    return { ok: true, stimulus, problem: '', report: {} };
  },
  npyInputs: {
    in: 'x.npy (op quantize): keys [tokens, channels], float16 (fp16; or uint16 patterns) / uint16 bfloat16 patterns',
    codes: 'codes.npy (op dequantize): integer codes [tokens, channels], as kvhdl golden nuq writes',
    outliers: 'outliers.npy (op dequantize): integer [count, 3] token, channel, 16-bit pattern, sorted by (token, channel)',
    scales: 'scales.npy (op dequantize, mode per-token): [tokens, 2] each token\'s mid, half patterns, float16 (fp16; or uint16) / uint16 (bf16), as kvhdl golden nuq writes',
  },
  npyOptional: ['in', 'codes', 'outliers', 'scales'],
  jsonInputs: { codebook: { help: 'codebook.json written by kvhdl calibrate-nuq (format, bits, channels and mode must match the config)' } },
  goldenReport(cfg, inputs, outputs) {
    if (cfg.op === 'dequantize') return { outliers: outlierRecords(inputs.sp).length };
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
    // small enough for an iCE40 up5k (with opStages 3 nextpnr needs 5288 of its 5280 cells and fails)
    { format: 'fp16', bits: 2, channels: 4, lanes: 1, opStages: 1 },
  ],
  elementsPerBeat: (cfg) => cfg.lanes,
};
