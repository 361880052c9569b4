/** The minmax unit: streaming group minimum/maximum over P signed lanes. */
import type { UnitDef } from '../unit.ts';
import { minmaxSchema, type MinmaxConfig } from './config.ts';
import { minmaxRtl } from './rtl.ts';
import { minmaxGolden } from './golden.ts';
import { minmaxFromNpy, minmaxRandomStimulus, minmaxToNpy } from './stimulus.ts';

export const minmaxUnit: UnitDef<MinmaxConfig> = {
  name: 'minmax',
  summary: 'streaming group minimum and maximum over P signed lanes (the quantizer range finder)',
  schema: minmaxSchema,
  build: minmaxRtl,
  golden: minmaxGolden,
  randomStimulus: minmaxRandomStimulus,
  worstStimulus: minmaxRandomStimulus, // II = 1 whatever the data
  fromNpy: minmaxFromNpy,
  toNpy: minmaxToNpy,
  npyInputs: { in: 'integer array [groups, n], n a multiple of lanes; one group per row' },
  referenceConfigs: [{ lanes: 8, width: 16, stages: 1 }, { lanes: 16, width: 16, stages: 2 }, { lanes: 32, width: 16, stages: 2 }, { lanes: 64, width: 8, stages: 3 }],
  elementsPerBeat: (cfg) => cfg.lanes,
};
