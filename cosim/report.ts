/**
 * The result of a co-simulation run, the comparison of output transactions against the golden
 * model, and the human-readable rendering of both.
 */
import type { AssertionFailure } from './verilator/assertion.ts';
import type { DesignUnderTest, FieldSpec } from '../hdl/ports/design.ts';
import { fieldWords, type TxnTable } from '../data/transactions.ts';

/** The first output transaction that differs from the golden model. */
export interface Mismatch {
  /** `value`: a field differs; `missing`: the DUT produced fewer transactions; `extra`: more. */
  kind: 'value' | 'missing' | 'extra';
  stream: string;
  /** Transaction index within the stream (0-based). */
  index: number;
  /** Cycle (after reset, 0-based) at which the DUT produced it; null for a missing transaction. */
  cycle: number | null;
  /** First differing field (in field order), for `value`. */
  field?: string;
  /** Expected and produced field values (sign-extended for signed fields), for `value`. */
  expected?: bigint;
  got?: bigint;
  /** For a packed multi-lane field with a lane width given: first differing lane and its values. */
  lane?: number;
  laneWidth?: number;
  expectedLane?: bigint;
  gotLane?: bigint;
  /** Whole records (every field), where they exist. */
  expectedRecord?: Record<string, bigint>;
  gotRecord?: Record<string, bigint>;
  expectedCount: number;
  gotCount: number;
  /** How many transactions of this stream differ in value (over the common length). */
  differing: number;
  seed: number;
  /** One line for people. */
  message: string;
}

/** A DUT output that broke the valid/ready protocol. */
export interface ProtocolError {
  stream: string;
  /**
   * `valid-dropped`: valid fell before the transfer; `payload-changed`: a field changed while valid && !ready;
   * `address-out-of-range`: a memory read request (see `MemorySpec`) for an address outside the image
   * (`before` = the image's word count, `after` = the address).
   */
  kind: 'valid-dropped' | 'payload-changed' | 'address-out-of-range';
  cycle: number;
  field?: string;
  before?: bigint;
  after?: bigint;
  message: string;
}

export interface StreamState {
  stream: string;
  dir: 'in' | 'out';
  valid: boolean;
  ready: boolean;
  /** Transactions transferred so far. */
  count: number;
  /** Transactions to transfer in total: stimulus records (in) or golden transactions (out). */
  total: number;
}

/** Nothing moved for `idleCycles` cycles while work remained. */
export interface HangReport {
  /** Cycle at which the run was stopped. */
  cycle: number;
  /** Cycles since the last transfer (`cycle - since`). */
  idleCycles: number;
  /**
   * Of those, the cycles counted towards `hangCycles`: the ones in which the testbench held nothing
   * back (no input gap, no backpressure, no memory gap). Cycles starved by stalls do not count.
   */
  activeIdleCycles: number;
  /** First cycle of the idle stretch (the cycle after the last transfer). */
  since: number;
  streams: StreamState[];
  message: string;
}

export interface CosimReport {
  ok: boolean;
  simulator: 'verilator';
  top: string;
  seed: number;
  stall: number;
  backpressure: number;
  /**
   * How the simulation ended: `done` (all work done, drained), `extra` (more outputs than expected),
   * `hang`, `max-cycles`, `finish` (the design called $finish), `assertion` (a formal property of the
   * design failed: see `assertion`), `error` (the simulator failed).
   */
  status: 'done' | 'extra' | 'hang' | 'max-cycles' | 'finish' | 'assertion' | 'error';
  /** Cycles simulated after reset. */
  cycles: number;
  /** Transfers per stream: accepted input records and produced output transactions. */
  transactions: Record<string, number>;
  /** Stimulus records per input stream and golden transactions per output stream. */
  expectedTransactions: Record<string, number>;
  throughput: {
    /** (last transfer cycle - first transfer cycle) / (count - 1) per stream; null below 2 transfers. */
    cyclesPerTxn: Record<string, number | null>;
    /** Initiation interval: the largest cyclesPerTxn over the input streams. */
    ii: number | null;
    /** True when the run had no stalls and no backpressure, so the figures are the design's own. */
    measured: boolean;
  };
  /** Cycles from the first accepted input to the first output transfer; null if either is missing. */
  latency: number | null;
  mismatch?: Mismatch;
  protocolErrors: ProtocolError[];
  /** Total protocol errors (the list keeps the first 100). */
  protocolErrorCount: number;
  hang?: HangReport;
  /** The design's assertion (m.assert / m.assume) that failed and stopped the run. */
  assertion?: AssertionFailure;
  /** Simulator failure (non-zero exit), with the end of its output. */
  error?: string;
  /** Shell command that re-runs this simulation with a waveform. */
  rerun: string;
  runDir: string;
  /** False when the run directory was removed after a passing run. */
  runDirKept: boolean;
  /** Waveform file written by this run, if tracing was on. */
  traceFile?: string;
  /** Final values of plain output ports. */
  plainOutputs: Record<string, bigint>;
  buildCached: boolean;
  buildSeconds: number;
  /** Wall time of the simulation loop inside the testbench. */
  simSeconds: number;
  /** Designs with memories: per memory, its image size and the read requests / responses transferred. */
  memories?: Record<string, { words: number; requests: number; responses: number; peakOutstanding: number }>;
  cyclesPerSecond: number;
  /** Verilator warnings of the build (lint-level; the build does not fail on them). */
  buildWarnings: string[];
}

/** Lane width of a field: `laneWidths['<stream>.<field>']`, else `laneWidths['<field>']`. */
export type LaneWidths = Record<string, number | { width: number; signed?: boolean }>;

function laneSpec(laneWidths: LaneWidths | undefined, stream: string, field: string): { width: number; signed: boolean } | undefined {
  const v = laneWidths?.[`${stream}.${field}`] ?? laneWidths?.[field];
  if (v === undefined) return undefined;
  return typeof v === 'number' ? { width: v, signed: false } : { width: v.width, signed: v.signed ?? false };
}

function recordOf(t: TxnTable, i: number): Record<string, bigint> {
  const r: Record<string, bigint> = {};
  for (const f of t.fields) r[f.name] = t.get(i, f.name);
  return r;
}

export function formatValue(v: bigint, width?: number): string {
  const bits = width ?? 0;
  const raw = bits > 0 ? BigInt.asUintN(bits, v) : v < 0n ? -v : v;
  const hex = `0x${raw.toString(16)}`;
  return v >= 0n && v < 10n ? `${v}` : `${v} (${hex})`;
}

export function formatRecord(r: Record<string, bigint>): string {
  return `{ ${Object.entries(r)
    .map(([k, v]) => `${k}: ${v}`)
    .join(', ')} }`;
}

function firstDifferingRecord(e: Uint32Array, g: Uint32Array, stride: number, n: number): { first: number; count: number } {
  let first = -1;
  let count = 0;
  if (stride === 0) return { first, count };
  const words = n * stride;
  for (let k = 0; k < words; k++) {
    if (e[k] !== g[k]) {
      const rec = Math.floor(k / stride);
      if (first < 0) first = rec;
      count++;
      k = (rec + 1) * stride - 1; // next record
    }
  }
  return { first, count };
}

/**
 * Compares produced output transactions with the golden model's, stream by stream, in order.
 * Returns the earliest (by cycle) first difference over all streams, or undefined when all match.
 * `cycles[stream][i]` is the cycle at which output i was produced.
 */
export function compareOutputs(
  design: DesignUnderTest,
  expected: Record<string, TxnTable>,
  got: Record<string, TxnTable>,
  cycles: Record<string, ArrayLike<number>>,
  opts: { seed: number; laneWidths?: LaneWidths },
): Mismatch | undefined {
  const found: Mismatch[] = [];
  for (const s of design.streams.filter((x) => x.dir === 'out')) {
    const e = expected[s.name];
    const g = got[s.name];
    const n = Math.min(e.count, g.count);
    const { first, count } = firstDifferingRecord(e.words, g.words, e.stride, n);
    const cyc = (i: number): number | null => (i < (cycles[s.name]?.length ?? 0) ? cycles[s.name][i] : null);
    const base = { stream: s.name, expectedCount: e.count, gotCount: g.count, differing: count, seed: opts.seed };
    if (first >= 0) {
      const i = first;
      let off = 0;
      let field: FieldSpec = s.fields[0];
      for (const f of s.fields) {
        let differs = false;
        for (let k = 0; k < fieldWords(f); k++) differs ||= e.words[i * e.stride + off + k] !== g.words[i * g.stride + off + k];
        if (differs) {
          field = f;
          break;
        }
        off += fieldWords(f);
      }
      const ev = e.get(i, field.name);
      const gv = g.get(i, field.name);
      const m: Mismatch = {
        kind: 'value',
        ...base,
        index: i,
        cycle: cyc(i),
        field: field.name,
        expected: ev,
        got: gv,
        expectedRecord: recordOf(e, i),
        gotRecord: recordOf(g, i),
        message: '',
      };
      const lane = laneSpec(opts.laneWidths, s.name, field.name);
      if (lane && lane.width > 0 && lane.width < field.width) {
        const eu = BigInt.asUintN(field.width, ev);
        const gu = BigInt.asUintN(field.width, gv);
        const diff = eu ^ gu;
        let bit = 0;
        while (((diff >> BigInt(bit)) & 1n) === 0n) bit++;
        const l = Math.floor(bit / lane.width);
        const take = (v: bigint): bigint => {
          const u = BigInt.asUintN(lane.width, v >> BigInt(l * lane.width));
          return lane.signed ? BigInt.asIntN(lane.width, u) : u;
        };
        m.lane = l;
        m.laneWidth = lane.width;
        m.expectedLane = take(eu);
        m.gotLane = take(gu);
      }
      m.message = mismatchMessage(m, field.width);
      found.push(m);
    } else if (g.count < e.count) {
      const m: Mismatch = {
        kind: 'missing',
        ...base,
        index: g.count,
        cycle: null,
        expectedRecord: recordOf(e, g.count),
        message: '',
      };
      m.message = mismatchMessage(m);
      found.push(m);
    } else if (g.count > e.count) {
      const m: Mismatch = {
        kind: 'extra',
        ...base,
        index: e.count,
        cycle: cyc(e.count),
        gotRecord: recordOf(g, e.count),
        message: '',
      };
      m.message = mismatchMessage(m);
      found.push(m);
    }
  }
  if (found.length === 0) return undefined;
  // Earliest in simulated time; a missing transaction counts as happening at the end.
  found.sort((a, b) => (a.cycle ?? Infinity) - (b.cycle ?? Infinity));
  return found[0];
}

function mismatchMessage(m: Mismatch, width?: number): string {
  const at = m.cycle !== null ? ` (cycle ${m.cycle})` : '';
  if (m.kind === 'value') {
    let s =
      `stream '${m.stream}' transaction ${m.index}${at}, field '${m.field}': ` +
      `expected ${formatValue(m.expected!, width)}, got ${formatValue(m.got!, width)}`;
    if (m.lane !== undefined) {
      s += `; lane ${m.lane} (${m.laneWidth}-bit lanes): expected ${formatValue(m.expectedLane!, m.laneWidth)}, got ${formatValue(m.gotLane!, m.laneWidth)}`;
    }
    return `${s} [seed ${m.seed}]`;
  }
  if (m.kind === 'missing') {
    return `stream '${m.stream}': got ${m.gotCount} transactions, expected ${m.expectedCount}; the first missing one is transaction ${m.index} ${formatRecord(m.expectedRecord!)} [seed ${m.seed}]`;
  }
  return `stream '${m.stream}': got more than the ${m.expectedCount} expected transactions; the first extra one is transaction ${m.index}${at} ${formatRecord(m.gotRecord!)} [seed ${m.seed}]`;
}

const fmtNum = (x: number | null, digits = 2): string => (x === null ? '-' : Number.isInteger(x) ? `${x}` : x.toFixed(digits));

function fmtRate(x: number): string {
  if (!Number.isFinite(x) || x <= 0) return '-';
  if (x >= 1e6) return `${(x / 1e6).toFixed(1)}M`;
  if (x >= 1e3) return `${(x / 1e3).toFixed(1)}k`;
  return x.toFixed(0);
}

/** A multi-line summary for people (no trailing newline). */
export function formatReport(r: CosimReport): string {
  const lines: string[] = [];
  const mode = r.stall || r.backpressure ? `, stall ${r.stall}, backpressure ${r.backpressure}` : ', no stalls';
  lines.push(`cosim ${r.top} (${r.simulator}, seed ${r.seed}${mode}): ${r.ok ? 'PASS' : 'FAIL'}${r.status !== 'done' ? ` [${r.status}]` : ''}`);
  const counts = Object.entries(r.transactions)
    .map(([s, n]) => `${s} ${n}${r.expectedTransactions[s] !== undefined && r.expectedTransactions[s] !== n ? `/${r.expectedTransactions[s]}` : ''}`)
    .join(', ');
  lines.push(`  ${r.cycles} cycles (${fmtRate(r.cyclesPerSecond)} cycles/s); transactions: ${counts || 'none'}`);
  const tp = Object.entries(r.throughput.cyclesPerTxn)
    .map(([s, c]) => `${s} ${fmtNum(c)}`)
    .join(', ');
  lines.push(
    `  cycles/transaction: ${tp || '-'}; II ${fmtNum(r.throughput.ii)}${r.throughput.measured ? '' : ' (with stalls: not the design\'s own II)'}; latency ${fmtNum(r.latency)} cycles`,
  );
  if (r.mismatch) {
    const m = r.mismatch;
    lines.push(`  MISMATCH ${m.message}`);
    if (m.kind === 'value') {
      lines.push(`    expected ${formatRecord(m.expectedRecord!)}`);
      lines.push(`    got      ${formatRecord(m.gotRecord!)}`);
      lines.push(`    ${m.differing} of ${Math.min(m.expectedCount, m.gotCount)} compared transactions differ; ${m.gotCount} produced, ${m.expectedCount} expected`);
    }
  }
  if (r.protocolErrorCount > 0) {
    lines.push(`  PROTOCOL ${r.protocolErrorCount} error${r.protocolErrorCount === 1 ? '' : 's'}:`);
    for (const e of r.protocolErrors.slice(0, 5)) lines.push(`    ${e.message}`);
    if (r.protocolErrorCount > 5) lines.push(`    ... ${r.protocolErrorCount - 5} more`);
  }
  if (r.hang) {
    lines.push(`  HANG ${r.hang.message}`);
    for (const s of r.hang.streams) {
      lines.push(
        `    ${s.dir === 'in' ? 'in ' : 'out'} '${s.stream}': valid=${s.valid ? 1 : 0} ready=${s.ready ? 1 : 0}, ${s.dir === 'in' ? 'accepted' : 'produced'} ${s.count}/${s.total}`,
      );
    }
  }
  if (r.assertion) {
    const a = r.assertion;
    lines.push(`  ASSERTION failed at cycle ${a.cycle}: ${a.message} (${a.loc}; ${a.kind} at ${a.file}:${a.line} in ${a.instance})`);
  }
  if (r.error) lines.push(`  ERROR ${r.error}`);
  if (r.buildWarnings.length) lines.push(`  ${r.buildWarnings.length} Verilator warning(s) (see build.log in the cache entry)`);
  lines.push(`  build: ${r.buildCached ? 'cached' : 'compiled'} (${r.buildSeconds.toFixed(2)} s); simulation ${r.simSeconds.toFixed(3)} s`);
  if (r.traceFile) lines.push(`  waveform: ${r.traceFile}`);
  if (!r.ok) lines.push(`  re-run with a waveform: ${r.rerun}`);
  lines.push(`  run dir: ${r.runDir}${r.runDirKept ? '' : ' (removed)'}`);
  return lines.join('\n');
}

/** JSON text of a report (bigints as decimal strings). */
export function reportToJSON(r: CosimReport, space = 2): string {
  return JSON.stringify(r, (_k, v) => (typeof v === 'bigint' ? v.toString() : v), space);
}
