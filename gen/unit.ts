/**
 * The contract every generator unit in gen/<unit>/ fulfils. The CLI, `npm run gen`, the
 * co-simulation tests and the benchmarks all work from this description and nothing else.
 */
import type { z } from 'zod';
import type { Module } from '../hdl/index.ts';
import type { TxnTable } from '../data/transactions.ts';
import type { NpyArray } from '../data/npy.ts';

/** Transactions per stream name (input streams for stimulus, output streams for results). */
export type StreamData = Record<string, TxnTable>;

export interface UnitDef<C> {
  /** Short unit name used on the command line: `kvhdl gen minmax`. */
  name: string;
  /** One sentence for `kvhdl list`. */
  summary: string;
  /** zod schema: strict (unknown fields rejected), every field documented with `.describe()`, defaults set. */
  schema: z.ZodType<C>;
  /** Elaborates the top module (and through instances, its children) for a validated config. */
  build(cfg: C): Module;
  /** Bit-exact golden model: output transactions per output stream for the given input streams. */
  golden(cfg: C, inputs: StreamData): StreamData;
  /** Seeded random stimulus for the input streams (about `n` input transactions). */
  randomStimulus(cfg: C, seed: number, n: number): StreamData;
  /**
   * Optional: stimulus of about `n` input transactions on which the unit's throughput is lowest
   * (`kvhdl report`'s worst-case columns; e.g. ascending rows for a top-k core). A unit whose II
   * does not depend on the data may return its random stimulus. Absent: the report prints '–'.
   */
  worstStimulus?(cfg: C, seed: number, n: number): StreamData;
  /**
   * Converts a user's tensors (named .npy arrays) and JSON inputs (parsed, by name; an optional one
   * that was not given is absent) into input transactions. Throws an Error whose message names the
   * offending input (`--scores[3, 1] = ...`) on bad input.
   */
  fromNpy(cfg: C, arrays: Record<string, NpyArray>, json?: Record<string, unknown>): StreamData;
  /** Converts output transactions into named tensors to write as .npy files. */
  toNpy(cfg: C, outputs: StreamData): Record<string, NpyArray>;
  /** Names and meaning of the .npy inputs `fromNpy` expects, for --help. */
  npyInputs: Record<string, string>;
  /**
   * Optional: names in `npyInputs` that may be omitted on the command line (`fromNpy` then gets
   * only the arrays given and checks which combination its config needs). Absent: all required.
   */
  npyOptional?: readonly string[];
  /** JSON inputs (`--<name> f.json`), e.g. row metadata or a threshold table; absent: none. */
  jsonInputs?: Record<string, JsonInput>;
  /** Configurations (partial; defaults fill the rest) that `kvhdl report` characterises. */
  referenceConfigs: Record<string, unknown>[];
  /**
   * Optional: configurations `kvhdl report` lists without synthesizing or simulating them (e.g. a
   * default too large for the tools here), each with the reason, so the report says so instead of
   * leaving them out.
   */
  reportNotRun?: { config: Record<string, unknown>; reason: string }[];
  /** Input elements carried by one transaction of each input stream (for elements/cycle figures). */
  elementsPerBeat(cfg: C): number;
  /**
   * Optional: after `kvhdl cosim` has simulated the unit, computes further output tensors with
   * other units' RTL (the quantizer's dequant.npy comes from the dequantizer RTL). The returned
   * arrays replace `toNpy`'s arrays of the same name (which the golden path writes from the golden
   * model). `run` simulates another unit in the same simulator, seed and stall settings.
   */
  postCosim?(cfg: C, outputs: StreamData, run: SubUnitRun, info?: { cycles: number }): Promise<PostCosimResult>;
  /**
   * Optional: before `kvhdl cosim` simulates the unit, replaces parts of its stimulus with other
   * units' RTL results (the attention engine reads a cache image written by the quantizer RTL).
   * `run` is as in `postCosim`; a result that is not ok stops the command with its problem.
   */
  preCosim?(cfg: C, stimulus: StreamData, run: SubUnitRun): Promise<PreCosimResult>;
  /**
   * Optional: memories the unit reads through request/response streams (cosim/README.md,
   * "Memories"). Their images are tables in the stimulus (from `randomStimulus`/`fromNpy`) under
   * the memory's name; the testbench (Verilator or Icarus) answers the requests.
   */
  memories?(cfg: C): import('../hdl/ports/design.ts').MemorySpec[];
  /** Optional: extra facts for `kvhdl golden`'s report.json (e.g. counters the golden model computes). */
  goldenReport?(cfg: C, inputs: StreamData, outputs: StreamData): Record<string, unknown>;
}

/**
 * Simulates `unit` (config `cfg`) on `stimulus`, under the name `name` (its work directory).
 * `cyclesPerTxn`: per stream, as in the Verilator report's throughput (absent with Icarus).
 */
export type SubUnitRun = (
  unit: AnyUnit,
  cfg: unknown,
  stimulus: StreamData,
  name: string,
) => Promise<{ ok: boolean; outputs: StreamData; problem: string; top: string; cycles: number; cyclesPerTxn?: Record<string, number | null> }>;

export interface PostCosimResult {
  ok: boolean;
  /** Arrays to write (override toNpy's of the same name). */
  arrays: Record<string, NpyArray>;
  /** What failed ('' when ok). */
  problem: string;
  /** Extra facts for report.json (e.g. the sub-unit's top module and cycles). */
  report: Record<string, unknown>;
}

export interface PreCosimResult {
  ok: boolean;
  /** The stimulus to simulate (the given one with some tables replaced). */
  stimulus: StreamData;
  /** What failed ('' when ok). */
  problem: string;
  /** Extra facts for report.json. */
  report: Record<string, unknown>;
}

/** A JSON file a unit reads besides its .npy tensors. */
export interface JsonInput {
  /** What it holds, for --help. */
  help: string;
  /** May be omitted on the command line. */
  optional?: boolean;
  /** Integers beyond 2^53 are read exactly, as bigint (gen/json-text.ts), for the unit to clamp. */
  exactIntegers?: boolean;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyUnit = UnitDef<any>;
