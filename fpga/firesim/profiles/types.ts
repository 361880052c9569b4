/** What a FireSim profile says about a unit (`../profile.ts` explains jobs, side-band fields and output streams). */
import type { AnyUnit, StreamData } from '../../../gen/unit.ts';
import type { TxnTable } from '../../../data/transactions.ts';

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
  /** Optional: why the profile cannot serve this configuration (one line), or undefined when it can. */
  unsupported?: (cfg: unknown) => string | undefined;
  /** Unit configuration fields shown as read-only parameter registers (numbers; enums as an index). */
  params: (cfg: unknown) => Record<string, number>;
}

/** Largest rows of the data-framed profiles (records; cols is 1). */
export const FLAT_MAX_ROWS = 0xffffff;

/** Index of an enum value (parameter registers hold enums as an index). */
export const enumIndex = (values: readonly string[], v: string): number => values.indexOf(v);
