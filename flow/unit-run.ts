/**
 * Runs a generator unit end to end: elaborate the config, write its Verilog, simulate it on the
 * given stimulus with one of the back ends (`backends.ts`: Verilator, Icarus), compare with the
 * golden model, and return the DUT's own output transactions with the report.
 */
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import type { AnyUnit, StreamData } from '../gen/unit.ts';
import type { SimulationResult, Simulator } from '../cosim/backend.ts';
import { backendFor } from '../cosim/backends.ts';
import { designFromModule } from '../hdl/ports/from-module.ts';
import { laneWidthsOf } from '../cosim/lane-widths.ts';

export type { Simulator } from '../cosim/backend.ts';

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
  /** The golden model's outputs for this stimulus, when the caller already computed them (else computed here). */
  expected?: StreamData;
}

/** A back end's result plus what the unit run adds (the traceFile is `<workDir>/run/wave.fst` or `.vcd`). */
export interface UnitRunResult extends SimulationResult {
  /** The golden model's outputs for the same stimulus. */
  expected: StreamData;
  seed: number;
}

export async function runUnit(unit: AnyUnit, cfg: unknown, stimulus: StreamData, o: UnitRunOptions): Promise<UnitRunResult> {
  const seed = o.seed ?? 1;
  const top = unit.build(cfg);
  const dut = designFromModule(top, path.join(o.workDir, 'rtl'), unit.memories?.(cfg));
  const expected = o.expected ?? unit.golden(cfg, stimulus);
  const runDir = path.join(o.workDir, 'run');
  mkdirSync(runDir, { recursive: true });
  const r = await backendFor(o.simulator ?? 'verilator').run(dut, stimulus, expected, {
    seed,
    stall: o.stall ?? 0,
    trace: o.trace === true,
    runDir,
    laneWidths: laneWidthsOf(top, dut.streams),
    rerunCommand: o.rerunCommand,
    log: o.log,
    cacheDir: o.cacheDir,
    ...(o.memLatency ? { memLatency: o.memLatency } : {}),
  });
  return { ...r, expected, seed };
}
