/** The FireSim profile of the minmax unit (gen/minmax/README.md). */
import type { FiresimProfile } from './types.ts';

export const minmaxProfile: FiresimProfile = {
  unit: 'minmax',
  sideband: { last: 'row' },
  rowsDoc: 'groups',
  colsDoc: 'beats (of `lanes` values) per group',
  outCounts: (_cfg, rows) => ({ out: rows }),
  outCountsC: () => 'len[@out] = rows;',
  testShape: () => ({ rows: 6, cols: 3 }),
  params: (cfg) => {
    const c = cfg as { lanes: number; width: number; stages: number };
    return { lanes: c.lanes, width: c.width, stages: c.stages };
  },
};
