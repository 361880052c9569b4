/** The FireSim profile of the earlyexit unit (gen/earlyexit/README.md). */
import { dimsOf, type EarlyexitConfig } from '../../../gen/earlyexit/config.ts';
import { FLAT_MAX_ROWS, type FiresimProfile } from './types.ts';

export const earlyexitProfile: FiresimProfile = {
  unit: 'earlyexit',
  sideband: {},
  rowsDoc: 'query records (one row each: q, theta, keys)',
  colsDoc: '1 (one query record per row)',
  fixedCols: () => 1,
  maxRows: FLAT_MAX_ROWS,
  dataFramed: true,
  outCounts: (_cfg, _rows, _cols, input) => {
    let keys = 0;
    for (let r = 0; r < input.count; r++) keys += Number(input.get(r, 'keys'));
    return { key: keys, row: input.count };
  },
  outCountsC: (_cfg, field) =>
    [
      'len[@key] = 0; /* key: one record per key of every row */',
      `for (r = 0; r < rows * cols; r++) len[@key] += (uint32_t)${field('keys', 'r')};`,
      'len[@row] = rows * cols; /* row: one record per row */',
    ].join('\n'),
  inputCheckC: (cfg, field) => {
    const c = cfg as EarlyexitConfig;
    return [`for (r = 0; r < rows * cols; r++) if (${field('keys', 'r')} > ${c.maxKeys}u) return r + 1u; /* n <= maxKeys */`, '(void)n; (void)a; (void)b; (void)c;'].join('\n');
  },
  inputDoc: (cfg) => {
    const c = cfg as EarlyexitConfig;
    const d = dimsOf(c);
    return [
      `A job is \`rows\` query records, one per row: \`q\` (${d.D} signed ${d.Wq}-bit lanes), \`theta\` and \`keys\` = n, the row scores`,
      `keys 0 .. n-1 of the key image (0 <= n <= ${c.maxKeys}; the driver refuses a larger n with \`ERR_INPUT\`, bit 27).`,
      `\`theta\` is ${d.SW} bits signed: **saturate** a wider threshold to [-2^${d.SW - 1}, 2^${d.SW - 1} - 1] (this changes no`,
      `decision, docs/earlyexit.md "Arithmetic"); truncating it would change its sign.`,
      `The key image (\`mem\`, \`mem_len\` words) must hold at least max(n) x ${d.B} x ${d.C} words (keyBits x ceil(dims / dimsPerCycle)):`,
      'word (t * keyBits + (keyBits - 1 - j)) * C + c holds beat c of bit-plane j of key t (docs/earlyexit.md, "Memory layout");',
      'a request at or above `mem_len` sets MEM_RANGE and is answered with a zero word without reading memory.',
      'The unit keeps no state between jobs.',
    ].join('\n');
  },
  testStimulus: (unit, cfg, seed) => unit.randomStimulus(cfg, seed, 48),
  memReads: (_cfg, outputs) => {
    let words = 0;
    for (let r = 0; r < outputs.row.count; r++) words += Number(outputs.row.get(r, 'words'));
    return words;
  },
  params: (cfg) => {
    const c = cfg as EarlyexitConfig;
    const d = dimsOf(c);
    return {
      dims: c.dims,
      query_bits: c.queryBits,
      key_bits: c.keyBits,
      key_signed: c.keySigned ? 1 : 0,
      key_lanes: c.keyLanes,
      dims_per_cycle: d.W,
      early_exit: c.earlyExit ? 1 : 0,
      max_keys: c.maxKeys,
    };
  },
};
