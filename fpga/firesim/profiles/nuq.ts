/**
 * The FireSim profile of the nuq unit, quantize mode (gen/nuq/README.md "Hardware"; per-token mode:
 * "Per-token hardware", whose `tk` stream has one record per token).
 */
import { tableBeats, type NuqConfig } from '../../../gen/nuq/config.ts';
import { FLAT_MAX_ROWS, enumIndex, type FiresimProfile } from './types.ts';

const UNSUPPORTED = 'nuq has a FireSim profile for op "quantize" only (op "dequantize" has two input streams, per token three: in, sp, tk; the shell feeds one)';
const quantizeOnly = (cfg: unknown): NuqConfig => {
  const c = cfg as NuqConfig;
  if (c.op !== 'quantize') throw new Error(`handoff firesim: ${UNSUPPORTED}`);
  return c;
};

export const nuqProfile: FiresimProfile = {
  unit: 'nuq',
  unsupported: (cfg) => ((cfg as NuqConfig).op !== 'quantize' ? UNSUPPORTED : undefined),
  sideband: {},
  rowsDoc: 'input records (table-load beats and data beats, in stream order)',
  colsDoc: '1 (the records carry their own framing: load, eos)',
  fixedCols: (cfg) => (quantizeOnly(cfg), 1),
  maxRows: FLAT_MAX_ROWS,
  variable: ['sp'],
  dataFramed: true,
  outCounts: (cfg, _rows, _cols, input) => {
    const c = quantizeOnly(cfg);
    let data = 0;
    let seqs = 0;
    for (let r = 0; r < input.count; r++) {
      if (input.get(r, 'load') !== 0n) continue;
      data++;
      if (input.get(r, 'eos') !== 0n) seqs++;
    }
    // per-token: tk, one record per token (sequences are whole tokens: the input check)
    return { q: data, sp: data * c.lanes + seqs, ...(c.mode === 'per-token' ? { tk: data / (c.channels / c.lanes) } : {}) };
  },
  outEnds: (_cfg, _rows, _cols, input) => {
    let seqs = 0;
    for (let r = 0; r < input.count; r++) if (input.get(r, 'load') === 0n && input.get(r, 'eos') !== 0n) seqs++;
    return { sp: seqs };
  },
  outCountsC: (cfg, field) => {
    const c = quantizeOnly(cfg);
    return [
      'len[@q] = 0; /* q: one record per data beat */',
      'ends[@sp] = 0; /* sp: one last = 1 record per sequence */',
      'for (r = 0; r < rows * cols; r++) {',
      `  if (${field('load', 'r')} != 0) continue;`,
      '  len[@q] += 1u;',
      `  if (${field('eos', 'r')} != 0) ends[@sp] += 1u;`,
      '}',
      `len[@sp] = len[@q] * ${c.lanes}u + ends[@sp]; /* sp: capacity, every element an outlier */`,
      ...(c.mode === 'per-token' ? [`len[@tk] = len[@q] / ${c.channels / c.lanes}u; /* tk: one record per token */`] : []),
      '(void)n;',
    ].join('\n');
  },
  inputCheckC: (cfg, field) => {
    const c = quantizeOnly(cfg);
    const bpt = c.channels / c.lanes;
    return [
      '/* a: data beats of the open sequence, b: table-load beats */',
      'a = 0; b = 0; c = 0;',
      'for (r = 0; r < rows * cols; r++) {',
      `  if (${field('load', 'r')} != 0) { b++; continue; }`,
      '  a++;',
      `  if (${field('eos', 'r')} != 0) { if (a % ${bpt}u != 0u) return r + 1u; a = 0; } /* a sequence is whole tokens */`,
      '}',
      `if (a || b % ${tableBeats(c)}u != 0u) return rows * cols; /* the job ends inside a sequence or a table load */`,
      '(void)n; (void)c;',
    ].join('\n');
  },
  inputDoc: (cfg) => {
    const c = quantizeOnly(cfg);
    const bpt = c.channels / c.lanes;
    const pt = c.mode === 'per-token';
    return [
      `A job is a sequence of \`in\` records exactly as on the unit's input stream (gen/nuq/README.md, "Hardware"${pt ? ', "Per-token hardware"' : ''}):`,
      `table-load beats (\`load\` = 1, ${c.lanes} table words each; a whole ${pt ? 'per-token table (trim, centroids, midpoints)' : 'table'} is ${tableBeats(c)} beats) and data beats`,
      `(\`load\` = 0, ${c.lanes} elements of a token; ${bpt} beats per token), \`eos\` = 1 on the last beat of each sequence.`,
      '**A job must end on a sequence boundary and after whole table loads**, and a sequence is whole tokens: the',
      'unit keeps its table, its beat-in-token count and its load position between jobs. The driver checks every',
      'record before it starts a job and refuses a job that breaks these rules with `ERR_INPUT` (bit 27);',
      '`kvhdl_nuq_check_input` returns 1 + the index of the first bad record (the record count for a job that',
      'ends inside a sequence or a table load). Data before the first complete table load is undefined.',
      '`sp` holds the outliers (token, channel, value) and one `last` record closing each sequence.',
      ...(pt ? [`\`tk\` holds one record per token (its mid and half patterns: a row of scales.npy), ${bpt} data beats per record; per-token codebooks with a trim above ${c.trimMax} (the configuration's \`trimMax\`) are outside this hardware.`] : []),
    ].join('\n');
  },
  testStimulus: (unit, cfg, seed) => unit.randomStimulus(cfg, seed, 64),
  params: (cfg) => {
    const c = quantizeOnly(cfg);
    return {
      format: enumIndex(['fp16', 'bf16'], c.format),
      bits: c.bits,
      channels: c.channels,
      lanes: c.lanes,
      sparse_depth: c.sparseDepth,
      op_stages: c.opStages,
      ...(c.mode === 'per-token' ? { mode: enumIndex(['per-channel', 'per-token'], c.mode), trim_max: c.trimMax } : {}),
    };
  },
};
