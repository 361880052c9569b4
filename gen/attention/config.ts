/** attention configuration (README.md "Configuration") and derived widths. */
import { z } from 'zod';
import { FORMATS, type FloatFormat } from '../../hdl/lib/float/format.ts';
import { FP_ADD_MAX_STAGES } from '../../hdl/lib/float/add.ts';
import { FP_MUL_MAX_STAGES } from '../../hdl/lib/float/mul.ts';
import type { PipelinePreset } from '../../hdl/lib/pipeline-preset.ts';
import { fillFromPreset, pipelineField } from '../pipeline-preset.ts';

/** The stage fields of the key rows and the value pipeline (README "Pipeline"). */
export interface AttentionPipeline {
  /** termUnit stages of the key rows' LT term units, 0..3 */
  termStages: number;
  /** fpMul stages of each dequantizer lane, 0..FP_MUL_MAX_STAGES */
  valueMulStages: number;
  /** fpAdd stages of each dequantizer lane, 0..FP_ADD_MAX_STAGES */
  valueAddStages: number;
  /** a register after the dequantizer's fpMul and one after its fpAdd */
  valueOpRegs: boolean;
  /** exp2Weight stages of the weight p, 0..2 (at most the value latency L) */
  weightStages: number;
  /** registers from the dequantized lanes to the accumulators, 1..2 (2: p·significand, then |p·V|) */
  productStages: number;
}

/** The stage fields per `pipeline` preset (README "Pipeline"); explicit fields override. */
export const ATTENTION_PRESETS: Readonly<Record<PipelinePreset, AttentionPipeline>> = {
  area: { termStages: 1, valueMulStages: 1, valueAddStages: 1, valueOpRegs: false, weightStages: 1, productStages: 1 },
  balanced: { termStages: 3, valueMulStages: 3, valueAddStages: 3, valueOpRegs: true, weightStages: 2, productStages: 2 },
  fast: { termStages: 3, valueMulStages: FP_MUL_MAX_STAGES, valueAddStages: FP_ADD_MAX_STAGES, valueOpRegs: true, weightStages: 2, productStages: 2 },
};

/** L: cycles from a value word's response to its dequantized lanes (README "Pipeline"). */
export function valueLatency(p: Pick<AttentionPipeline, 'valueMulStages' | 'valueAddStages' | 'valueOpRegs'>): number {
  return p.valueMulStages + p.valueAddStages + (p.valueOpRegs ? 2 : 0);
}

/**
 * The module-name parts of the stage fields that differ from the balanced preset (none for the
 * default, so its module name is the one of before the fields existed): tm, vm, va, vr, wx, pv.
 */
export function pipelineNameParts(cfg: AttentionPipeline): Record<string, number | boolean> {
  const b = ATTENTION_PRESETS.balanced;
  const parts: [string, keyof AttentionPipeline][] = [['tm', 'termStages'], ['vm', 'valueMulStages'], ['va', 'valueAddStages'], ['vr', 'valueOpRegs'], ['wx', 'weightStages'], ['pv', 'productStages']];
  return Object.fromEntries(parts.filter(([, k]) => cfg[k] !== b[k]).map(([t, k]) => [t, cfg[k]]));
}

export const attentionSchema = z
  .strictObject({
    format: z.enum(['fp16', 'bf16']).default('fp16').describe('element format of q, K, V, scales, mins and the output'),
    dims: z.number().int().min(32).max(1024).default(128).describe('D: head dimension (a multiple of 32)'),
    maxKeys: z.number().int().min(1).max(65536).default(4096).describe('largest number of cache tokens n'),
    keyBits: z.literal([2, 4, 8]).default(4).describe('B: key code bits = bit-planes per key'),
    valueBits: z.literal([2, 4, 8]).default(4).describe('b_v: value code bits (valueQuant "nuq": 2 or 4, the codebook\'s bits)'),
    valueQuant: z.enum(['kivi', 'nuq']).default('kivi').describe('values t < Tv: "kivi" uniform per-token groups (scale, min); "nuq" gen/nuq per-token non-uniform codes with a shared codebook (--value-codebook) and up to 2*trim exact outliers per token; keys are always KIVI'),
    valueTrimMax: z.number().int().min(0).max(7).default(1).describe('valueQuant "nuq": the largest codebook trim the image and RTL hold (2*valueTrimMax outlier slots per token)'),
    groupSize: z.number().int().min(1).max(1024).default(32).describe('G: KIVI group (keys: G tokens per channel; values: G channels per token)'),
    residual: z.number().int().min(1).max(4096).default(128).describe('R: KIVI residual window (a positive multiple of G and of 32/keyBits)'),
    selection: z.enum(['none', 'threshold', 'topk']).default('threshold').describe('none: dense; threshold: Top-theta (keep S > theta); topk: the k best candidates'),
    k: z.number().int().min(1).max(65536).default(256).describe('topk: candidates kept; threshold: the calibration K (must equal thresholds.json k)'),
    sink: z.number().int().min(0).max(65536).default(1).describe('the first sink tokens are always kept'),
    earlyExit: z.boolean().default(true).describe('stop fetching a key once its bound proves it cannot be kept; false: fetch every word (same kept set)'),
    keyLanes: z.number().int().min(1).max(64).default(8).describe('Nk: keys in flight; also the top-k running-threshold lag (positions)'),
    dimsPerCycle: z.number().int().min(0).max(1024).default(32).describe('W: memory word width in bits = dims per key-plane word, a multiple of 32 dividing dims (0: dims)'),
    queryBits: z.number().int().min(8).max(30).default(20).describe('WQ: bits of the scaled query q~ (signed, saturated)'),
    scoreFrac: z.number().int().min(7).max(24).default(16).describe('F: score fraction bits (units of 2^-F in the log2 domain)'),
    layers: z.number().int().min(1).max(256).default(1).describe('L: layers in the threshold table'),
    heads: z.number().int().min(1).max(256).default(8).describe('H: heads in the threshold table'),
    rowBuckets: z.array(z.number().int().min(1)).min(1).max(64).default([4096]).describe('threshold table n-buckets (nearest, tie to the smaller)'),
    pipeline: pipelineField(
      `termStages / valueMulStages / valueAddStages / valueOpRegs / weightStages / productStages = area 1 / 1 / 1 / false / 1 / 1, balanced 3 / 3 / 3 / true / 2 / 2, fast 3 / ${FP_MUL_MAX_STAGES} / ${FP_ADD_MAX_STAGES} / true / 2 / 2 (README "Pipeline")`,
    ),
    termStages: z.number().int().min(0).max(3).optional().describe('registers in each key-row term unit, 0..3: after the product, after the result, after the shifts (the key rows\' latency; default: from pipeline)'),
    valueMulStages: z.number().int().min(0).max(FP_MUL_MAX_STAGES).optional().describe(`fpMul pipeline registers of each dequantizer lane (code·scale), 0..${FP_MUL_MAX_STAGES} (hdl/lib/float/mul.ts; default: from pipeline)`),
    valueAddStages: z.number().int().min(0).max(FP_ADD_MAX_STAGES).optional().describe(`fpAdd pipeline registers of each dequantizer lane (+ min), 0..${FP_ADD_MAX_STAGES} (hdl/lib/float/add.ts; default: from pipeline)`),
    valueOpRegs: z.boolean().optional().describe('a register after the dequantizer\'s fpMul and one after its fpAdd (L = valueMulStages + valueAddStages + 2 when true, + 0 when false; default: from pipeline)'),
    weightStages: z.number().int().min(0).max(2).optional().describe('exp2Weight pipeline registers of the softmax weight p, 0..2: after the ROMs, on the result; at most L (default: from pipeline)'),
    productStages: z.number().int().min(1).max(2).optional().describe('registers from the dequantized lanes to the accumulators, 1..2: 2 registers p·significand, then |p·V| (the shifted product); 1 only |p·V| (default: from pipeline)'),
  })
  .transform((c) => fillFromPreset(c, ATTENTION_PRESETS))
  .superRefine((c, ctx) => {
    const bad = (field: string, message: string) => ctx.addIssue({ code: 'custom', path: [field], message });
    const W = c.dimsPerCycle || c.dims;
    if (c.dims % 32 !== 0) bad('dims', `must be a multiple of 32, got ${c.dims}`);
    if (W % 32 !== 0 || c.dims % W !== 0) bad('dimsPerCycle', `must be a multiple of 32 dividing dims (${c.dims}), got ${c.dimsPerCycle}`);
    if (c.dims % c.groupSize !== 0) bad('groupSize', `must divide dims (${c.dims}) (value groups tile a token), got ${c.groupSize}`);
    if (c.residual % c.groupSize !== 0) bad('residual', `must be a multiple of groupSize (${c.groupSize}), got ${c.residual}`);
    if (c.residual % (32 / c.keyBits) !== 0) bad('residual', `must be a multiple of 32/keyBits = ${32 / c.keyBits}, got ${c.residual}`);
    if (c.valueQuant === 'nuq' && c.valueBits === 8) bad('valueBits', 'must be 2 or 4 with valueQuant "nuq" (nuq codes have 1..4 bits and must pack evenly into a word), got 8');
    const L = valueLatency(c);
    if (c.weightStages > L) bad('weightStages', `must be at most the value latency L = valueMulStages + valueAddStages (+ 2 with valueOpRegs) = ${L}, got ${c.weightStages}`);
    if (c.k > c.maxKeys) bad('k', `must be at most maxKeys (${c.maxKeys}), got ${c.k}`);
    if (c.sink > c.maxKeys) bad('sink', `must be at most maxKeys (${c.maxKeys}), got ${c.sink}`);
    for (let i = 0; i < c.rowBuckets.length; i++) {
      if (c.rowBuckets[i] > c.maxKeys) bad('rowBuckets', `entry ${i} (${c.rowBuckets[i]}) exceeds maxKeys (${c.maxKeys})`);
      if (i > 0 && c.rowBuckets[i] <= c.rowBuckets[i - 1]) bad('rowBuckets', `must be strictly increasing, got ${c.rowBuckets[i - 1]} then ${c.rowBuckets[i]}`);
    }
  });

export type AttentionConfig = z.infer<typeof attentionSchema>;

export function attentionConfig(partial: Partial<AttentionConfig> = {}): AttentionConfig {
  return attentionSchema.parse(partial);
}

export function attentionFormat(cfg: AttentionConfig): FloatFormat {
  return FORMATS[cfg.format];
}

/** Derived sizes and widths (README "Configuration"). */
export interface AttentionDims {
  D: number;
  B: number;
  bv: number;
  G: number;
  R: number;
  /** memory word width in bits */
  W: number;
  /** words per key plane */
  C: number;
  /** words per fp16 row of D halves */
  H16: number;
  /** words per value scale/min record (nuq: the token record: mid, half and 2·valueTrimMax outlier slots) */
  MV: number;
  /** valueQuant "nuq" */
  nuq: boolean;
  /** outlier slots per token record (nuq: 2·valueTrimMax; kivi: 0) */
  OS: number;
  /** words of the value codebook region (nuq: ⌈16·2^b_v / W⌉; kivi: 0) */
  KW: number;
  WQ: number;
  WC: number;
  SW: number;
  F: number;
}

export function attentionDims(cfg: AttentionConfig): AttentionDims {
  const D = cfg.dims;
  const W = cfg.dimsPerCycle || D;
  const B = cfg.keyBits;
  const nuq = cfg.valueQuant === 'nuq';
  const OS = nuq ? 2 * cfg.valueTrimMax : 0;
  return {
    D,
    B,
    bv: cfg.valueBits,
    G: cfg.groupSize,
    R: cfg.residual,
    W,
    C: D / W,
    H16: (16 * D) / W,
    MV: nuq ? Math.ceil((32 * (1 + OS)) / W) : Math.ceil((32 * (D / cfg.groupSize)) / W),
    nuq,
    OS,
    KW: nuq ? Math.ceil((16 * 2 ** cfg.valueBits) / W) : 0,
    WQ: cfg.queryBits,
    WC: cfg.queryBits + B,
    SW: cfg.queryBits + B + Math.ceil(Math.log2(D)) + 1,
    F: cfg.scoreFrac,
  };
}
