/**
 * The FireSim profile of the attention unit (gen/attention/README.md "Hardware"): a job is `rows`
 * query records (q, θ, n); the DMA serves the engine's one memory read port from the cache image of
 * README §6 (`gen/attention/layout.ts` `buildImage`; seven regions with valueQuant "nuq"), which the
 * test places in memory as earlyexit's key image.
 */
import { attentionDims, type AttentionConfig } from '../../../gen/attention/config.ts';
import { rtlDims } from '../../../gen/attention/rtl-dims.ts';
import { enumIndex, FLAT_MAX_ROWS, type FiresimProfile } from './types.ts';

/** The package README's cache-image paragraph (README §6: six regions with KIVI values, seven with NUQ values). */
function cacheImageDoc(c: AttentionConfig): string[] {
  const d = attentionDims(c);
  const head = `The cache image (\`mem\`, \`mem_len\` words of ${d.W} bits) is the image of docs/attention.md §6 for those n tokens:`;
  const tail = [
    `for n tokens it has keyPlanes ⌊n/${d.R}⌋·${d.R}·${d.B}·${d.C} words, and so on (the table in §6). Build it on the host (or with the quantizer`,
    `unit${c.valueQuant === 'nuq' ? ' (keys) and the nuq unit (values, per-token mode)' : ''} in hardware) and place it in memory before the job; \`tests/kvhdl_attention_data.h\` holds the image of the test (\`kvhdl_attention_test_mem\`).`,
    `The register \`param_value_quant\` says which value layout the engine reads: 0 KIVI, 1 + valueTrimMax NUQ (here ${c.valueQuant === 'nuq' ? 1 + c.valueTrimMax : 0}).`,
  ];
  if (c.valueQuant !== 'nuq') {
    return [
      `${head} six regions`,
      '(keyPlanes, keyScaleMin, keyResidual, valueCodes, valueScaleMin, valueResidual), each starting where the previous ends, built from',
      "the fp16 K and V by KIVI's quantizer (keys per channel, values per token) exactly as `gen/attention/layout.ts` `buildImage` does;",
      ...tail,
    ];
  }
  return [
    `${head} **seven regions** (valueQuant "nuq", valueTrimMax ${c.valueTrimMax})`,
    '(keyPlanes, keyScaleMin, keyResidual, valueCodes, valueScaleMin, valueResidual, valueCodebook), each starting where the previous ends, built',
    "exactly as `gen/attention/layout.ts` `buildImage` does: the keys by KIVI's quantizer (per channel), the values t < n − R by gen/nuq's",
    `per-token quantizer with one shared ${2 ** d.bv}-entry codebook (\`kvhdl calibrate-nuq --mode per-token\`, its trim at most ${c.valueTrimMax}). valueCodes holds`,
    `their ${d.bv}-bit codes; valueScaleMin holds one ${d.MV}-word record per such token (halves: mid, half, then ${2 * c.valueTrimMax} outlier slots of`,
    '(channel, value pattern), unused slots channel 0xFFFF, the rest zero: §6 "NUQ token records"); after valueResidual, valueCodebook holds',
    `the ${2 ** d.bv} centroid patterns in ${d.KW} words (one image for all rows; the unit reads it once per row when n > R);`,
    ...tail,
  ];
}

/** Rows of the bare-metal test: two query rows over one cache (`attentionUnit.randomStimulus` gives 2 rows for n > 2000). */
const TEST_ROWS_HINT = 4096;

export const attentionProfile: FiresimProfile = {
  unit: 'attention',
  sideband: {},
  rowsDoc: 'query records (one row each: q, theta, n)',
  colsDoc: '1 (one query record per row)',
  fixedCols: () => 1,
  maxRows: FLAT_MAX_ROWS,
  dataFramed: true,
  outCounts: (cfg, _rows, _cols, input) => {
    const c = cfg as AttentionConfig;
    let keys = 0;
    for (let r = 0; r < input.count; r++) keys += Number(input.get(r, 'n'));
    return { key: keys, out: input.count * c.dims, row: input.count };
  },
  outCountsC: (cfg, field) => {
    const c = cfg as AttentionConfig;
    return [
      'len[@key] = 0; /* key: one record per cache token of every row */',
      `for (r = 0; r < rows * cols; r++) len[@key] += (uint32_t)${field('n', 'r')};`,
      `len[@out] = rows * cols * ${c.dims}u; /* out: D records per row */`,
      'len[@row] = rows * cols; /* row: one record per row */',
    ].join('\n');
  },
  inputCheckC: (cfg, field) => {
    const c = cfg as AttentionConfig;
    return [
      `for (r = 0; r < rows * cols; r++) if (${field('n', 'r')} > ${c.maxKeys}u) return r + 1u; /* n <= maxKeys */`,
      `a = (rows * cols != 0u) ? (uint32_t)${field('n', '0u')} : 0u;`,
      `for (r = 1; r < rows * cols; r++) if ((uint32_t)${field('n', 'r')} != a) return r + 1u; /* one cache image: every row has the n of row 0 */`,
      '(void)n; (void)b; (void)c;',
    ].join('\n');
  },
  inputDoc: (cfg) => {
    const c = cfg as AttentionConfig;
    const d = attentionDims(c);
    const r = rtlDims(c);
    return [
      `A job is \`rows\` query records, one per row: \`q\` (${d.D} ${c.format} patterns, lane d = q_d), \`theta\` (${r.THW} bits signed) and \`n\``,
      `(${r.NW} bits), the number of cache tokens (0 <= n <= ${c.maxKeys}). **Every row of a job has the same n** (the rows share one cache`,
      'image, e.g. the query heads of one GQA group); the driver refuses a job whose row has a larger n or another n than row 0',
      'with `ERR_INPUT` (bit 27) before writing any register.',
      c.selection === 'threshold'
        ? `\`theta\` is used (selection "threshold"): the row keeps candidates with score > theta on the engine's score scale; **saturate** a wider θ to [-2^${r.SW}, 2^${r.SW} - 1] (docs/attention.md "Hardware", \`clampTheta\`: no decision changes); truncating it would change its sign.`
        : `\`theta\` is ignored (selection "${c.selection}"); write 0.`,
      ...cacheImageDoc(c),
      'A request at or above `mem_len` sets MEM_RANGE and is answered with a zero word without reading memory.',
      'The unit keeps no state between jobs; its outputs per row: n `key` records (token order), D `out` records, one `row` record.',
    ].join('\n');
  },
  testStimulus: (unit, cfg, seed) => unit.randomStimulus(cfg, seed, TEST_ROWS_HINT),
  memReads: (_cfg, outputs) => {
    let words = 0;
    for (let r = 0; r < outputs.row.count; r++) words += Number(outputs.row.get(r, 'words'));
    return words;
  },
  params: (cfg) => {
    const c = cfg as AttentionConfig;
    const d = attentionDims(c);
    return {
      format: enumIndex(['fp16', 'bf16'], c.format),
      dims: c.dims,
      max_keys: c.maxKeys,
      key_bits: c.keyBits,
      value_bits: c.valueBits,
      // 0: KIVI values; 1 + valueTrimMax: NUQ values (one register: the shell has at most 16 parameters)
      value_quant: c.valueQuant === 'nuq' ? 1 + c.valueTrimMax : 0,
      group_size: c.groupSize,
      residual: c.residual,
      selection: enumIndex(['none', 'threshold', 'topk'], c.selection),
      k: c.k,
      sink: c.sink,
      early_exit: c.earlyExit ? 1 : 0,
      key_lanes: c.keyLanes,
      dims_per_cycle: d.W,
      query_bits: c.queryBits,
      score_frac: c.scoreFrac,
    };
  },
};
