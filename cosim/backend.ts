/**
 * One interface for every simulator back end (`verilator/`, `icarus/`): a back end checks a
 * design, builds and runs it on a stimulus, and answers in one result type; comparison with the
 * golden model (`report.ts` `compareOutputs`), the problem text and the re-run command come back
 * in the same shape whichever simulator ran. `backends.ts` lists them: adding a simulator (e.g.
 * Yosys' CXXRTL) is one folder with a `backend.ts` and one line there.
 */
import type { DesignUnderTest } from '../hdl/ports/design.ts';
import type { LaneWidths } from './report.ts';
import type { CosimReport } from './report.ts';
import type { TxnTable } from '../data/transactions.ts';

export type Simulator = 'verilator' | 'icarus';

/** Records per stream (stimulus, golden outputs, simulated outputs; memory images by memory name). */
export type Streams = Record<string, TxnTable>;

export interface BackendRunOptions {
  seed: number;
  /** Probability of an input valid gap and of output backpressure per cycle. */
  stall: number;
  /** Write a waveform (each back end's own format) into `runDir`. */
  trace: boolean;
  /** The simulator's run directory (created and kept). */
  runDir: string;
  /** Lane widths of packed fields, to name the first differing lane. */
  laneWidths: LaneWidths;
  /** The command the run came from, without --seed/--trace (`rerun-command.ts` `cliRerunCommand`). */
  rerunCommand?: string;
  log?: (line: string) => void;
  cacheDir?: string;
  /** Designs with memories: read latency range in cycles. */
  memLatency?: [number, number];
}

export interface BackendBuildOptions {
  /** Cache root (default `$KVHDL_CACHE_DIR`, else `<repo>/.cache`). */
  cacheDir?: string;
  /** Build what a traced run needs (Verilator: a separate FST build; Icarus: the same build). */
  trace?: boolean;
  log?: (line: string) => void;
}

/** A build step's outcome: the cache entry, whether it was already there, the step's wall time. */
export interface BuildInfo {
  cached: boolean;
  seconds: number;
  /** The cache entry directory. */
  dir: string;
}

/** What a run produced, in one vocabulary for every simulator. */
export interface SimulationResult {
  ok: boolean;
  simulator: Simulator;
  top: string;
  /** The DUT's outputs as simulated. */
  outputs: Streams;
  cycles: number;
  /** Transfers per stream (outputs produced, inputs accepted). */
  transactions: Record<string, number>;
  /** Cycles per input transaction (null when the simulator does not measure it). */
  ii: number | null;
  /** True when `ii` was measured with stalls/backpressure: the testbench's pace, not the design's own II. */
  iiUnderStall: boolean;
  latency: number | null;
  /** Units with memories: read requests per memory. */
  memoryRequests?: Record<string, number>;
  traceFile?: string;
  /** Human-readable account of a failure (first mismatch, protocol errors, hang), or ''. */
  problem: string;
  /** Shell command that re-runs the simulation with a waveform (`rerun-command.ts`: one shape for every back end). */
  rerun: string;
  /** The build step: whether the compiled simulation came from the cache, and its wall time. */
  build: { cached: boolean; seconds: number };
  /** The Verilator back end's full report. */
  verilator?: CosimReport;
}

export interface SimBackend {
  readonly name: Simulator;
  /** Every problem that keeps `design` from running on this simulator (empty: none). */
  check(design: DesignUnderTest): string[];
  /**
   * The build step alone: compiles `design` with the back end's testbench into the content-hash
   * cache, or finds it there. `run` does the same lookup, so a design built once runs any number
   * of times (seeds, stalls, stimulus) without compiling again.
   */
  build(design: DesignUnderTest, o?: BackendBuildOptions): Promise<BuildInfo>;
  /**
   * Builds (compiled once per design and cached by content hash: every run-time value, such as
   * seeds, counts and probabilities, reaches the simulation at run time), runs on `stimulus` and
   * compares with `expected`.
   */
  run(design: DesignUnderTest, stimulus: Streams, expected: Streams, o: BackendRunOptions): Promise<SimulationResult>;
}
