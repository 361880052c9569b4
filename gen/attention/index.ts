/** The attention unit: decode attention over a KIVI cache image with early exit (README.md). */
import type { MemorySpec } from '../../cosim/design.ts';
import type { UnitDef } from '../unit.ts';
import { attentionDims, attentionSchema, type AttentionConfig } from './config.ts';
import { attentionRtl } from './rtl.ts';
import { CACHE_MEMORY, attentionRandomStimulus, attentionStreamGolden } from './stimulus.ts';
import { attentionFromNpy, attentionToNpy } from './npy.ts';

export type { AttentionConfig } from './config.ts';

export function cacheMemory(cfg: AttentionConfig): MemorySpec {
  return { name: CACHE_MEMORY, request: 'mem_req', addressField: 'addr', response: 'mem_resp', dataField: 'data', wordWidth: attentionDims(cfg).W };
}

export const attentionUnit: UnitDef<AttentionConfig> = {
  name: 'attention',
  summary: 'decode attention over a KIVI cache: bit-serial key scores with early exit (Top-theta), exp2 softmax, dequantized values, fp16 out',
  schema: attentionSchema,
  build: attentionRtl,
  golden: attentionStreamGolden,
  randomStimulus: (cfg, seed, n) => attentionRandomStimulus(cfg, seed, Math.max(1, Math.min(4, Math.ceil(n / 100))), Math.min(cfg.maxKeys, Math.max(1, n))),
  fromNpy: attentionFromNpy,
  toNpy: attentionToNpy,
  npyInputs: {
    q: 'q.npy: float16 (bf16: uint16 patterns) [rows, D] queries',
    k: 'k.npy: float16 [n, D] keys (quantized into the cache image)',
    v: 'v.npy: float16 [n, D] values (quantized into the cache image)',
  },
  jsonInputs: {
    thresholds: { help: 'thresholds.json as kvhdl calibrate writes it (threshold selection)', optional: true },
    meta: { help: 'rows.json {layers, heads} per row (default: layer 0, head r mod heads)', optional: true },
  },
  memories: (cfg) => [cacheMemory(cfg)],
  referenceConfigs: [{}, { selection: 'none' }, { earlyExit: false }],
  elementsPerBeat: (cfg) => cfg.dims,
};
