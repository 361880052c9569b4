/** The FireSim profile of the selector unit (gen/selector/README.md). */
import type { SelectorConfig } from '../../../gen/selector/config.ts';
import { FLAT_MAX_ROWS, enumIndex, type FiresimProfile } from './types.ts';

/** Most pairs a selector row of n scores can keep (README "Semantics"). */
function selectorKeepBound(c: SelectorConfig, n: number): number {
  if (c.mode === 'topk') return Math.min(n, c.k);
  return c.capK > 0 ? Math.min(n, c.capK) : n;
}

export const selectorProfile: FiresimProfile = {
  unit: 'selector',
  sideband: {},
  rowsDoc: 'input records (theta-table writes and score-row beats, in stream order)',
  colsDoc: '1 (the records carry their own framing: kind, last, len)',
  fixedCols: () => 1,
  maxRows: FLAT_MAX_ROWS,
  variable: ['out'],
  dataFramed: true,
  outCounts: (cfg, _rows, _cols, input) => {
    const c = cfg as SelectorConfig;
    let rows = 0;
    let cap = 0;
    for (let r = 0; r < input.count; r++) {
      if (input.get(r, 'kind') !== 0n || input.get(r, 'last') !== 1n) continue;
      rows++;
      cap += Math.max(1, Math.ceil(selectorKeepBound(c, Number(input.get(r, 'len'))) / c.outLanes));
    }
    return { out: cap, sum: rows };
  },
  outEnds: (_cfg, _rows, _cols, input) => {
    let rows = 0;
    for (let r = 0; r < input.count; r++) if (input.get(r, 'kind') === 0n && input.get(r, 'last') === 1n) rows++;
    return { out: rows };
  },
  outCountsC: (cfg, field) => {
    const c = cfg as SelectorConfig;
    const bound = c.mode === 'topk' ? `(n < ${c.k}u ? n : ${c.k}u)` : c.capK > 0 ? `(n < ${c.capK}u ? n : ${c.capK}u)` : 'n';
    return [
      '/* a row ends with a kind = 0 record with last = 1; its len field is n */',
      'len[@out] = 0; /* out: capacity, at most max(1, ceil(kept / outLanes)) beats per row */',
      'len[@sum] = 0; /* sum: one record per row */',
      'for (r = 0; r < rows * cols; r++) {',
      `  if (${field('kind', 'r')} != 0 || ${field('last', 'r')} != 1) continue;`,
      `  n = (uint32_t)${field('len', 'r')};`,
      ...(bound === 'n' ? [] : [`  n = ${bound};`]),
      `  len[@out] += n == 0 ? 1u : (n + ${c.outLanes - 1}u) / ${c.outLanes}u;`,
      '  len[@sum] += 1u;',
      '}',
      'ends[@out] = len[@sum]; /* out: one last per row */',
    ].join('\n');
  },
  inputCheckC: (cfg, field) => {
    const c = cfg as SelectorConfig;
    const F = (f: string) => field(f, 'r');
    return [
      '/* a: inside a row (0/1), b: beats of the row so far, c: head and layer of the row (packed), n: its length */',
      'a = 0; b = 0; c = 0;',
      'for (r = 0; r < rows * cols; r++) {',
      `  if (${F('kind')} != 0) { /* theta-table write: only between rows, indices in range */`,
      `    if (a || ${F('head')} >= ${c.heads}u || ${F('layer')} >= ${c.layers}u || ${F('bucket')} >= ${c.rowBuckets.length}u) return r + 1u;`,
      '    continue;',
      '  }',
      '  if (!a) {',
      `    n = (uint32_t)${F('len')};`,
      `    if (n < 1u || n > ${c.maxRow}u || ${F('head')} >= ${c.heads}u || ${F('layer')} >= ${c.layers}u) return r + 1u;`,
      `    a = 1; b = 0; c = (uint32_t)(${F('head')} << 16 | ${F('layer')});`,
      `  } else if ((uint32_t)${F('len')} != n || (uint32_t)(${F('head')} << 16 | ${F('layer')}) != c) {`,
      '    return r + 1u;',
      '  }',
      '  b++;',
      `  if (${F('last')} != 0) {`,
      `    if (b != (n + ${c.lanes - 1}u) / ${c.lanes}u) return r + 1u;`,
      '    a = 0;',
      `  } else if (b >= (n + ${c.lanes - 1}u) / ${c.lanes}u) {`,
      '    return r + 1u;',
      '  }',
      '}',
      'if (a) return rows * cols; /* the job ends inside a row */',
    ].join('\n');
  },
  inputDoc: (cfg) => {
    const c = cfg as SelectorConfig;
    return [
      `A job is a sequence of \`in\` records exactly as on the unit's input stream (docs/selector.md, "Stream protocol"):`,
      `theta-table writes (\`kind\` = 1) and score rows (\`kind\` = 0), a row of n scores (1 <= n <= ${c.maxRow}) being`,
      `ceil(n / ${c.lanes}) records with the same \`len\` = n, \`head\` and \`layer\` and \`last\` on the final one. Table writes`,
      'may come only between rows. **A job must end on a row boundary.** The unit keeps its state between',
      'jobs: the theta table loaded by one job stays loaded for the next ones (a job may hold rows only),',
      'and a row left open at the end of a job would be continued by the next job. The driver therefore',
      'checks every record before it starts a job and refuses a job that breaks these rules with',
      '`ERR_INPUT` (bit 27; nothing is written or started); `kvhdl_selector_check_input` returns 1 + the',
      'index of the first bad record (the record count for a job that ends inside a row).',
      `The threshold-mode table must hold every entry a row with n > ${c.k} reads before that row (after reset its contents are unspecified).`,
    ].join('\n');
  },
  testStimulus: (unit, cfg, seed) => unit.randomStimulus(cfg, seed, 48),
  params: (cfg) => {
    const c = cfg as SelectorConfig;
    return {
      mode: enumIndex(['threshold', 'topk'], c.mode),
      arch: enumIndex(['insertion', 'radix', 'systolic'], c.arch),
      score_bits: c.scoreBits,
      max_row: c.maxRow,
      lanes: c.lanes,
      out_lanes: c.outLanes,
      k: c.k,
      cap_k: c.capK,
      cap_policy: enumIndex(['first', 'last'], c.capPolicy),
      heads: c.heads,
      layers: c.layers,
      radix_bits: c.radixBits,
    };
  },
};
