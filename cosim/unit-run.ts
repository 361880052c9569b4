/**
 * Runs a generator unit end to end: elaborate the config, write its Verilog, simulate it on the
 * given stimulus (Verilator through the harness, or Icarus), compare with the golden model, and
 * return the DUT's own output transactions with the report.
 */
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import type { AnyUnit, StreamData } from '../gen/unit.ts';
import { designFromModule, laneWidthsOf } from './from-module.ts';
import { cosim, type CosimOptions, type CosimReport } from './cosim.ts';
import { readOutputs } from './stimulus-files.ts';
import { icarusRun, type IcarusResult } from './icarus/index.ts';
import { compareOutputs, formatReport } from './report.ts';
import { withoutMemoryStreams } from './design.ts';

export type Simulator = 'verilator' | 'icarus';

export interface UnitRunOptions {
  simulator?: Simulator;
  seed?: number;
  /** Probability of an input valid gap and of output backpressure per cycle (default 0). */
  stall?: number;
  trace?: boolean;
  /** Where the Verilog (`rtl/`) and the simulator's run directory (`run/`) go. */
  workDir: string;
  rerunCommand?: string;
  log?: (line: string) => void;
  cacheDir?: string;
  /** Units with memories: read latency range in cycles (CosimOptions.memLatency; default [1, 8]). */
  memLatency?: [number, number];
}

export interface UnitRunResult {
  ok: boolean;
  simulator: Simulator;
  top: string;
  /** The DUT's outputs as simulated. */
  outputs: StreamData;
  /** The golden model's outputs for the same stimulus. */
  expected: StreamData;
  cycles: number;
  transactions: Record<string, number>;
  /** Cycles per input transaction (Verilator only; null when not measured). */
  ii: number | null;
  /** True when `ii` was measured with stalls/backpressure (stall > 0): the testbench's pace, not the design's own II. */
  iiUnderStall: boolean;
  latency: number | null;
  seed: number;
  /** Units with memories: read requests per memory. */
  memoryRequests?: Record<string, number>;
  /** The waveform written with `trace` (Verilator: `<workDir>/run/wave.fst`; Icarus: `<workDir>/run/wave.vcd`). */
  traceFile?: string;
  /** Human-readable account of a failure (first mismatch, protocol errors, hang), or ''. */
  problem: string;
  rerun: string;
  verilator?: CosimReport;
}

export async function runUnit(unit: AnyUnit, cfg: unknown, stimulus: StreamData, o: UnitRunOptions): Promise<UnitRunResult> {
  const seed = o.seed ?? 1;
  const stall = o.stall ?? 0;
  const top = unit.build(cfg);
  const dut = designFromModule(top, path.join(o.workDir, 'rtl'), unit.memories?.(cfg));
  const golden = (ins: StreamData) => unit.golden(cfg, ins);
  const expected = golden(stimulus);
  const runDir = path.join(o.workDir, 'run');
  mkdirSync(runDir, { recursive: true });

  if ((o.simulator ?? 'verilator') === 'verilator') {
    const opts: CosimOptions = {
      seed, stall, backpressure: stall, trace: o.trace ? 'fst' : false, runDir, keepRunDir: true,
      rerunCommand: o.rerunCommand, log: o.log, cacheDir: o.cacheDir, laneWidths: laneWidthsOf(top, dut.streams),
      ...(o.memLatency ? { memLatency: o.memLatency } : {}),
    };
    const r = await cosim(dut, () => expected, stimulus, opts);
    const outputs = await readOutputs(runDir, dut);
    const problem = r.ok ? '' : formatReport(r);
    if (r.traceFile) o.log?.(`waveform: ${r.traceFile}`);
    return {
      ok: r.ok, simulator: 'verilator', top: top.name, outputs, expected, cycles: r.cycles, transactions: r.transactions,
      ii: r.throughput.ii, iiUnderStall: !r.throughput.measured, latency: r.latency, ...(r.traceFile ? { traceFile: r.traceFile } : {}), seed, problem, rerun: r.rerun, verilator: r,
      ...(r.memories ? { memoryRequests: Object.fromEntries(Object.entries(r.memories).map(([k, m]) => [k, m.requests])) } : {}),
    };
  }

  o.log?.(`icarus: compiling and simulating ${top.name}`);
  const maxTransactions = Math.max(...Object.values(stimulus).map((t) => t.count), 1);
  // The golden counts let the testbench wait for outputs that backpressure delays (a high stall).
  const expectedOutputs = Object.fromEntries(Object.entries(expected).map(([k, t]) => [k, t.count]));
  const iv: IcarusResult = await icarusRun(dut, stimulus, {
    seed, stall, backpressure: stall, runDir, maxTransactions, expectedOutputs, trace: o.trace === true, ...(o.memLatency ? { memLatency: o.memLatency } : {}),
  });
  if (iv.traceFile) o.log?.(`waveform: ${iv.traceFile}`);
  const cmp = compareOutputs(withoutMemoryStreams(dut), expected, iv.outputs, {}, { seed, laneWidths: laneWidthsOf(top, dut.streams) });
  const problems = [
    ...(iv.hang ? [iv.hang.message] : []),
    ...iv.protocolErrors,
    ...(cmp ? [cmp.message] : []),
  ];
  return {
    ok: problems.length === 0, simulator: 'icarus', top: top.name, outputs: iv.outputs, expected, cycles: iv.cycles,
    transactions: Object.fromEntries(Object.entries(iv.outputs).map(([k, t]) => [k, t.count]).concat(Object.entries(iv.consumed))),
    ii: null, iiUnderStall: stall > 0, latency: null, seed, ...(iv.traceFile ? { traceFile: iv.traceFile } : {}), problem: problems.join('\n'), rerun: iv.rerun,
    ...(iv.memories ? { memoryRequests: Object.fromEntries(Object.entries(iv.memories).map(([k, m]) => [k, m.requests])) } : {}),
  };
}
