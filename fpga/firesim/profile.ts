/**
 * FireSim profiles: what the accelerator shell must know about a unit beyond its ports.
 *
 * A job is a tensor of `rows` x `cols` input beats (records). The shell generates the input
 * stream's 1-bit side-band fields from the two counters (`row`: set on the last beat of every row,
 * e.g. minmax's `in_last` ends a group; `end`: set on the last beat of the job only, e.g. the
 * quantizer's `in_eos` flushes the residual window), and writes exactly `<s>_len` records of every
 * output stream, which the driver computes from rows and cols with `outCounts` (the same formulas
 * are emitted as C by `outCountsC`).
 */
import type { AnyUnit } from '../../gen/unit.ts';
import type { QuantizerConfig } from '../../gen/quantizer/config.ts';

export type SidebandRule = 'row' | 'end';

export interface FiresimProfile {
  unit: string;
  /** 1-bit input fields the shell generates (not stored in memory). */
  sideband: Record<string, SidebandRule>;
  /** Meaning of a row and of cols, for the README and the header. */
  rowsDoc: string;
  colsDoc: string;
  /** cols is fixed by the configuration (any other value is a SHAPE error), or free (1..maxCols). */
  fixedCols?: (cfg: unknown) => number;
  /** Records every output stream produces for a job (the driver programs these as `<s>_len`). */
  outCounts: (cfg: unknown, rows: number, cols: number) => Record<string, number>;
  /** The same as C statements assigning `len[<i>]` (output streams in port order) from `rows`, `cols` (uint32_t). */
  outCountsC: (cfg: unknown) => string;
  /** The job shape of the generated bare-metal test. */
  testShape: (cfg: unknown) => { rows: number; cols: number };
  /** Unit configuration fields shown as read-only parameter registers (numbers; enums as an index). */
  params: (cfg: unknown) => Record<string, number>;
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
    outCountsC: () => 'len[0] = rows;',
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
    outCountsC: () => 'len[0] = rows * cols;',
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
        `len[0] = tq * ${c.channels / c.lanes}u;`,
        `len[1] = tq * ${c.channels / c.groupSize}u;`,
        `len[2] = (rows - tq) * ${c.channels / c.lanes}u;`,
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
