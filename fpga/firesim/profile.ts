/**
 * FireSim profiles: what the accelerator shell must know about a unit beyond its ports.
 *
 * A job is a tensor of `rows` x `cols` input beats (records). The shell generates the input
 * stream's 1-bit side-band fields from the two counters (`row`: set on the last beat of every row,
 * e.g. minmax's `in_last` ends a group; `end`: set on the last beat of the job only, e.g. the
 * quantizer's `in_eos` flushes the residual window). Units whose framing is in the data (the
 * selector's `kind`/`last`, earlyexit's per-row key count) store every input field and use
 * cols = 1: a job is `rows` records.
 *
 * Output streams are fixed or variable. A fixed stream gets exactly `<s>_len` records, which the
 * driver computes with `outCounts` (from rows, cols and, for data-framed units, the input records;
 * the same formulas are emitted as C by `outCountsC`). A variable stream (`variable`, e.g. the
 * selector's compacted `out`) has a data-dependent length: `<s>_len` is the capacity of its buffer
 * (an upper bound), `<s>_ends` the number of records with `last` set that end it (`outEnds`); the
 * shell writes the records as they come, including `last`, and reports the count in `<s>_count`.
 */
import type { AnyUnit, StreamData } from '../../gen/unit.ts';
import type { QuantizerConfig } from '../../gen/quantizer/config.ts';
import type { SelectorConfig } from '../../gen/selector/config.ts';
import { dimsOf, type EarlyexitConfig } from '../../gen/earlyexit/config.ts';
import type { TxnTable } from '../../cosim/transactions.ts';

export type SidebandRule = 'row' | 'end';

/** C expression (uint64_t) of unsigned field `field` of input record `record` (a C expression). */
export type CFieldAccess = (field: string, record: string) => string;

export interface FiresimProfile {
  unit: string;
  /** 1-bit input fields the shell generates (not stored in memory). */
  sideband: Record<string, SidebandRule>;
  /** Meaning of a row and of cols, for the README and the header. */
  rowsDoc: string;
  colsDoc: string;
  /** cols is fixed by the configuration (any other value is a SHAPE error), or free (1..maxCols). */
  fixedCols?: (cfg: unknown) => number;
  /** Largest rows (default: the shell's DEFAULT_MAX_ROWS). */
  maxRows?: number;
  /** Output streams with a data-dependent record count (their `last` field is stored). */
  variable?: readonly string[];
  /** The framing of the input is in its data: an unreadable input (RRESP) may leave the unit waiting, so the fault test injects SLVERR with good data instead of reading an unmapped source. */
  dataFramed?: boolean;
  /**
   * Records of every output stream for a job of the given input records (the driver programs these
   * as `<s>_len`): exact for fixed streams, the capacity (an upper bound) for variable ones.
   */
  outCounts: (cfg: unknown, rows: number, cols: number, input: TxnTable) => Record<string, number>;
  /** Variable streams: the records with `last` that end each (`<s>_ends`). */
  outEnds?: (cfg: unknown, rows: number, cols: number, input: TxnTable) => Record<string, number>;
  /**
   * The same as C statements assigning `len[@<s>]` and, for variable streams, `ends[@<s>]` (`@<s>`
   * stands for the index of output stream <s>) from `rows`, `cols` (uint32_t) and the input records
   * through `field` (uint32_t `r` and `n` may be used as scratch variables).
   */
  outCountsC: (cfg: unknown, field: CFieldAccess) => string;
  /** The job shape of the generated bare-metal test (units without `testStimulus`). */
  testShape?: (cfg: unknown) => { rows: number; cols: number };
  /**
   * Data-framed units: C statements that check the input records of a job (`src`, `rows`, `cols`;
   * uint32_t scratch variables `r`, `n`, `a`, `b`, `c`) and `return r + 1u;` for the first record
   * that breaks the unit's input rules (a job that does not end on a row boundary returns
   * `rows * cols`). The driver refuses such a job with ERR_INPUT before writing any register: the
   * unit keeps its state between jobs, so a broken job would corrupt the next one.
   */
  inputCheckC?: (cfg: unknown, field: CFieldAccess) => string;
  /** What a user must know to build a valid input (README "Input rules"), Markdown. */
  inputDoc?: (cfg: unknown) => string;
  /** Units with a memory port: the memory words a job requests, from the golden model's outputs (checked against register mem_reads). */
  memReads?: (cfg: unknown, outputs: StreamData) => number;
  /** Data-framed units: the whole input (and memory images) of the bare-metal test; rows = records, cols = 1. */
  testStimulus?: (unit: AnyUnit, cfg: unknown, seed: number) => StreamData;
  /** Unit configuration fields shown as read-only parameter registers (numbers; enums as an index). */
  params: (cfg: unknown) => Record<string, number>;
}

/** Largest rows of the data-framed profiles (records; cols is 1). */
const FLAT_MAX_ROWS = 0xffffff;

/** Most pairs a selector row of n scores can keep (README "Semantics"). */
function selectorKeepBound(c: SelectorConfig, n: number): number {
  if (c.mode === 'topk') return Math.min(n, c.k);
  return c.capK > 0 ? Math.min(n, c.capK) : n;
}

const enumIndex = (values: readonly string[], v: string): number => values.indexOf(v);

/** Tq of the quantizer's README ("Modes"). */
function quantizedTokens(c: QuantizerConfig, t: number): number {
  return c.mode === 'per-token' ? Math.max(0, t - c.residual) : Math.floor(t / c.residual) * c.residual;
}

const PROFILES: Record<string, FiresimProfile> = {
  minmax: {
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
  },
  dequantizer: {
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
  },
  quantizer: {
    unit: 'quantizer',
    sideband: { eos: 'end' },
    rowsDoc: 'tokens T',
    colsDoc: 'beats per token (must be channels / lanes)',
    fixedCols: (cfg) => {
      const c = cfg as QuantizerConfig;
      return c.channels / c.lanes;
    },
    outCounts: (cfg, rows) => {
      const c = cfg as QuantizerConfig;
      const tq = quantizedTokens(c, rows);
      return { q: (tq * c.channels) / c.lanes, grp: (tq * c.channels) / c.groupSize, res: ((rows - tq) * c.channels) / c.lanes };
    },
    outCountsC: (cfg) => {
      const c = cfg as QuantizerConfig;
      const tq = c.mode === 'per-token' ? `rows > ${c.residual}u ? rows - ${c.residual}u : 0u` : `(rows / ${c.residual}u) * ${c.residual}u`;
      return [
        `uint32_t tq = ${tq};`,
        `len[@q] = tq * ${c.channels / c.lanes}u;`,
        `len[@grp] = tq * ${c.channels / c.groupSize}u;`,
        `len[@res] = (rows - tq) * ${c.channels / c.lanes}u;`,
      ].join('\n');
    },
    testShape: (cfg) => {
      const c = cfg as QuantizerConfig;
      // per-token: 4 quantized tokens plus a full window; per-channel: one block plus half a block
      const rows = c.mode === 'per-token' ? c.residual + 4 : c.residual + Math.max(1, Math.floor(c.residual / 2));
      return { rows, cols: c.channels / c.lanes };
    },
    params: (cfg) => {
      const c = cfg as QuantizerConfig;
      return {
        format: enumIndex(['fp16', 'bf16'], c.format),
        bits: c.bits,
        group_size: c.groupSize,
        channels: c.channels,
        lanes: c.lanes,
        mode: enumIndex(['per-token', 'per-channel'], c.mode),
        residual: c.residual,
      };
    },
  },
  selector: {
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
  },
  earlyexit: {
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
  },
};

/** Units that have a FireSim profile. */
export const FIRESIM_UNITS: readonly string[] = Object.keys(PROFILES);

/** The profile of `unit`; throws a one-line Error for a unit without one. */
export function firesimProfile(unit: AnyUnit | string): FiresimProfile {
  const name = typeof unit === 'string' ? unit : unit.name;
  const p = PROFILES[name];
  if (!p) throw new Error(`handoff firesim: unit '${name}' has no FireSim profile (units with one: ${FIRESIM_UNITS.join(', ')}); add one to fpga/firesim/profile.ts`);
  return p;
}
