/**
 * The attention unit: decode attention over a KIVI cache image with early exit (README.md).
 * `kvhdl golden attention` builds the image with the golden quantizer; `kvhdl cosim attention`
 * builds it with the quantizer RTL (preCosim, cache-rtl.ts) and checks it equals the golden one.
 */
import type { MemorySpec } from '../../hdl/ports/design.ts';
import type { PostCosimResult, PreCosimResult, StreamData, UnitDef } from '../unit.ts';
import { attentionDims, attentionSchema, type AttentionConfig } from './config.ts';
import { attentionGolden, type GoldenInputs, type ThetaTable } from './golden.ts';
import { attentionReport } from './report.ts';
import { attentionRtl } from './rtl.ts';
import { CACHE_MEMORY, attentionRandomStimulus, attentionStreamGolden, imageTable } from './stimulus.ts';
import { attentionFromNpy, attentionToNpy, patternsOf, valueCodebookOf, type RowMeta } from './npy.ts';
import { rtlCacheImage } from './cache-rtl.ts';

export type { AttentionConfig } from './config.ts';

export function cacheMemory(cfg: AttentionConfig): MemorySpec {
  return { name: CACHE_MEMORY, request: 'mem_req', addressField: 'addr', response: 'mem_resp', dataField: 'data', wordWidth: attentionDims(cfg).W };
}

/**
 * The CLI inputs each config object was last given by `fromNpy` (the k/v tensors for the quantizer
 * RTL, and q/k/v/θ for report.json): `kvhdl` passes one config object through fromNpy, preCosim,
 * the simulation, postCosim and goldenReport.
 */
const inputsOf = new WeakMap<object, GoldenInputs>();

function goldenInputs(cfg: AttentionConfig, arrays: Parameters<typeof attentionFromNpy>[1], json: Record<string, unknown> = {}): GoldenInputs {
  const meta = (json.meta ?? {}) as RowMeta;
  const cb = valueCodebookOf(cfg, json);
  return {
    ...(cb ? { valueCodebook: cb } : {}),
    q: patternsOf(cfg, 'q', arrays.q),
    k: patternsOf(cfg, 'k', arrays.k),
    v: patternsOf(cfg, 'v', arrays.v),
    ...(json.thresholds ? { thresholds: json.thresholds as ThetaTable } : {}),
    ...(meta.layers ? { layers: meta.layers } : {}),
    ...(meta.heads ? { heads: meta.heads } : {}),
  };
}

/** report.json's golden facts (README §7): words, baselines, ratios, accuracy. */
function reportOf(cfg: AttentionConfig): Record<string, unknown> {
  const inp = inputsOf.get(cfg);
  if (!inp) return {};
  return { ...attentionReport(cfg, inp, attentionGolden(cfg, inp)) };
}

export const attentionUnit: UnitDef<AttentionConfig> = {
  name: 'attention',
  summary: 'decode attention over a KIVI cache (values KIVI or NUQ): bit-serial key scores with early exit (Top-theta), exp2 softmax, dequantized values, fp16 out',
  schema: attentionSchema,
  build: attentionRtl,
  golden: attentionStreamGolden,
  // One cache per run (the image is the memory): 1–2 rows over a cache just past R + 2G tokens (key
  // groups, residual keys, quantized and residual values), whatever `n` asks: a row is ~10^4 cycles.
  randomStimulus: (cfg, seed, n) => attentionRandomStimulus(cfg, seed, n > 2000 ? 2 : 1, Math.min(cfg.maxKeys, cfg.residual + 2 * cfg.groupSize + 7)),
  fromNpy(cfg, arrays, json) {
    const s = attentionFromNpy(cfg, arrays, json);
    inputsOf.set(cfg, goldenInputs(cfg, arrays, json));
    return s;
  },
  toNpy: attentionToNpy,
  goldenReport: (cfg) => reportOf(cfg),
  async preCosim(cfg, stimulus, run): Promise<PreCosimResult> {
    const inp = inputsOf.get(cfg);
    if (!inp) return { ok: false, stimulus, problem: 'attention preCosim: no k/v known for this config object (give it to fromNpy first)', report: {} };
    const r = await rtlCacheImage(cfg, inp.k, inp.v, run, inp.valueCodebook);
    if (!r.ok) return { ok: false, stimulus, problem: r.problem, report: r.report };
    const golden = stimulus[CACHE_MEMORY];
    const same = golden.count === r.image.length && r.image.every((w, i) => w === golden.get(i, 'data'));
    if (!same) {
      const i = r.image.findIndex((w, j) => j >= golden.count || w !== golden.get(j, 'data'));
      const at = i < 0 ? `${r.image.length} words, the golden image has ${golden.count}` : `first difference at word ${i}: 0x${r.image[i].toString(16)}, golden 0x${i < golden.count ? golden.get(i, 'data').toString(16) : '-'}`;
      return { ok: false, stimulus, problem: `the cache image built from the ${cfg.valueQuant === 'nuq' ? 'quantizer and nuq RTL' : 'quantizer RTL'} differs from the golden model's (${at})`, report: r.report };
    }
    const next: StreamData = { ...stimulus, [CACHE_MEMORY]: imageTable(cfg, r.image) };
    const source = cfg.valueQuant === 'nuq' ? 'quantizer RTL (keys), nuq per-token quantize RTL (values)' : 'quantizer RTL';
    return { ok: true, stimulus: next, problem: '', report: { cacheImage: { words: r.image.length, source, ...r.report } } };
  },
  async postCosim(cfg, outputs, _run, info): Promise<PostCosimResult> {
    const rows = outputs.row.count;
    const cycles = info?.cycles ?? null;
    const measured = { cycles, cyclesPerRow: cycles !== null && rows > 0 ? cycles / rows : null, wordsPerRow: Array.from({ length: rows }, (_, i) => Number(outputs.row.get(i, 'words'))) };
    return { ok: true, arrays: {}, problem: '', report: { ...reportOf(cfg), measured } };
  },
  npyInputs: {
    q: 'q.npy: float16 (bf16: uint16 patterns) [rows, D] queries',
    k: 'k.npy: float16 (bf16: uint16 patterns) [n, D] keys, quantized into the cache image',
    v: 'v.npy: float16 (bf16: uint16 patterns) [n, D] values, quantized into the cache image',
  },
  jsonInputs: {
    thresholds: { help: 'thresholds.json as kvhdl calibrate writes it (selection "threshold")', optional: true },
    meta: { help: 'rows.json {layers, heads} per row (default: layer 0, head r mod heads)', optional: true },
    'value-codebook': { help: 'codebook.json of kvhdl calibrate-nuq --mode per-token (required with valueQuant "nuq")', optional: true },
  },
  memories: (cfg) => [cacheMemory(cfg)],
  // `kvhdl report` synthesizes the small configuration and the default (D = 128, maxKeys 4096:
  // about 36k xc7 LUT, its kept/score memory inferred as 4 RAMB36E1; YoWASP synth_xilinx about
  // 6 min on an idle machine, a run over --synth-timeout-min shows "failed (note)"). Both have more
  // flip-flops than any candidate iCE40 has logic cells, so the report states "does not fit" from
  // the xc7 result instead of running iCE40 synthesis for hours (fpga/ice40-precheck.ts).
  referenceConfigs: [{ dims: 32, maxKeys: 64, groupSize: 8, residual: 16, k: 8, rowBuckets: [64] }, {}],
  elementsPerBeat: (cfg) => cfg.dims,
};
