/** The dequantizer unit: KIVI x̂ = fl(fl(q · scale) + min) in fp16 / bf16, P lanes per cycle. */
import type { UnitDef } from '../unit.ts';
import { dequantizerSchema, type DequantizerConfig } from './config.ts';
import { dequantizerRtl } from './rtl.ts';
import { dequantizerGolden } from './golden.ts';
import { dequantizerFromNpy, dequantizerRandomStimulus, dequantizerToNpy } from './stimulus.ts';

export type { DequantizerConfig } from './config.ts';

export const dequantizerUnit: UnitDef<DequantizerConfig> = {
  name: 'dequantizer',
  summary: 'KIVI dequantization x = q*scale + min in fp16/bf16 (two RNE operations, bit-exact), P lanes per cycle',
  schema: dequantizerSchema,
  build: dequantizerRtl,
  golden: dequantizerGolden,
  randomStimulus: dequantizerRandomStimulus,
  worstStimulus: dequantizerRandomStimulus, // II = 1 whatever the data
  fromNpy: dequantizerFromNpy,
  toNpy: dequantizerToNpy,
  npyInputs: {
    codes: 'integer array [rows, G], codes 0..2^bits-1, G a multiple of lanes; one group per row',
    scale: 'float16 (fp16) or uint16 bit patterns [rows]: each row\'s scale',
    min: 'float16 (fp16) or uint16 bit patterns [rows]: each row\'s minimum',
  },
  referenceConfigs: [
    { format: 'fp16', bits: 2, lanes: 8, stages: 7 },
    { format: 'fp16', bits: 2, lanes: 32, stages: 6 },
    { format: 'bf16', bits: 2, lanes: 16, stages: 4 },
    { format: 'fp16', bits: 4, lanes: 4, stages: 6 },
  ],
  elementsPerBeat: (cfg) => cfg.lanes,
};
