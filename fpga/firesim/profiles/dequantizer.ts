/** The FireSim profile of the dequantizer unit (gen/dequantizer/README.md). */
import { enumIndex, type FiresimProfile } from './types.ts';

export const dequantizerProfile: FiresimProfile = {
  unit: 'dequantizer',
  sideband: { last: 'row' },
  rowsDoc: 'groups',
  colsDoc: 'beats (of `lanes` codes) per group',
  outCounts: (_cfg, rows, cols) => ({ out: rows * cols }),
  outCountsC: () => 'len[@out] = rows * cols;',
  testShape: () => ({ rows: 5, cols: 4 }),
  params: (cfg) => {
    const c = cfg as { format: string; bits: number; lanes: number; stages: number };
    return { format: enumIndex(['fp16', 'bf16'], c.format), bits: c.bits, lanes: c.lanes, stages: c.stages };
  },
};
