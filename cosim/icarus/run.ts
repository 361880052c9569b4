/**
 * icarusRun: the `kvhdl_tb` testbench for a design, compiled once (`build.ts`: cached by content
 * hash), then run with `vvp` and this run's values as plusargs; the output transactions are read
 * back. Icarus is ~1000x slower than Verilator: it is the independent second simulator for a small
 * subset of vectors (maxTransactions, default 2000).
 */
import { constants as fsConstants, existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { memoryImageFields, memoryStreamNames, type DesignUnderTest } from '../../hdl/ports/design.ts';
import type { TxnTable } from '../../data/transactions.ts';
import { lastLines, runTool, shellQuote, type RunToolResult } from '../../toolchain/run-tool.ts';
import { hexToRecords, recordsToHex } from './records.ts';
import { buildIcarus, IcarusBuildError, TB_FILE, VVP_FILE, type IcarusBuild } from './build.ts';
import {
  ARGS_FILE,
  checkDesign,
  generateTestbench,
  inputHexName,
  MAX_PRINTED_ERRORS,
  memoryHexName,
  outputHexName,
  testbenchArgs,
  type TestbenchConfig,
} from './testbench.ts';

export interface IcarusOptions {
  /** Base seed of the testbench's `$random` streams (default 1). */
  seed?: number;
  /** Probability (0 <= p < 1) of an idle cycle before each input record is offered (default 0.25). */
  stall?: number;
  /** Probability (0 <= p < 1) that an output's ready is low in a cycle (default 0.25). */
  backpressure?: number;
  /**
   * Report a hang when inputs remain and nothing transferred for this many cycles in which the
   * testbench held nothing back (default 10000; cycles starved by stall/backpressure do not count).
   */
  hangCycles?: number;
  /** Finish when all inputs are consumed and nothing transferred for this many cycles (default 1000). */
  drainCycles?: number;
  /** Hard stop after this many cycles; reported as a hang with reason 'max-cycles' (default 2000000). */
  maxCycles?: number;
  /** Cycles of reset before the run (default 4). */
  resetCycles?: number;
  /**
   * Directory for tb.v, tb.vvp, the hex files and wave.vcd; created if needed and kept. Without it
   * a fresh temporary directory is used, deleted after a clean run (kept after a hang or protocol
   * error, see `runDir` in the result).
   */
  runDir?: string;
  /** Values of plain (non-stream) input ports, held for the whole run (default 0). */
  staticInputs?: Record<string, bigint>;
  /** Records applied per input stream: the first `maxTransactions` of each (default 2000). */
  maxTransactions?: number;
  /** Timeout of the compile and of the simulation, each (default 10 minutes). */
  timeoutMs?: number;
  /**
   * Output transactions expected per output stream (e.g. the golden model's counts for the applied
   * inputs). With them the run waits for every expected output before draining, so heavy
   * backpressure (a high stall) does not cut the run short; without them the run ends
   * `drainCycles` after the last transfer once the inputs are consumed.
   */
  expectedOutputs?: Record<string, number>;
  /** Designs with memories: read latency range [min, max] in cycles, min >= 1 (default [1, 8]). */
  memLatency?: [number, number];
  /** Designs with memories: most unanswered requests before the request ready is held low (default 64). */
  memOutstanding?: number;
  /** Dump a waveform of the whole run to `<runDir>/wave.vcd` (the testbench's `+vcd`); see `traceFile`. */
  trace?: boolean;
  /** Cache root of the compiled testbenches (default `$KVHDL_CACHE_DIR`, else `<repo>/.cache`; see `build.ts`). */
  cacheDir?: string;
  /** Progress lines (a compile, a cache fallback). */
  log?: (line: string) => void;
}

export interface IcarusHang {
  /** 'no-progress': inputs remained and no stream transferred for hangCycles; 'max-cycles': maxCycles reached. */
  reason: 'no-progress' | 'max-cycles';
  /** Cycle (rising edges after reset) at which the testbench stopped. */
  cycle: number;
  /** Cycles since the last transfer on any stream. */
  idleCycles: number;
  /**
   * Of those, the cycles counted towards `hangCycles`: the ones in which the testbench held nothing
   * back (every input with records left offering one, every output ready, due memory words offered).
   */
  activeIdleCycles: number;
  /** Per input stream: records the DUT accepted, of those applied. */
  inputs: Record<string, { consumed: number; applied: number }>;
  /** Per output stream: records produced, and whether valid was high when the run stopped. */
  outputs: Record<string, { produced: number; valid: boolean }>;
  /** One line for people, e.g. "no transfer for 500 cycles at cycle 812; input 'in' consumed 3 of 10; ...". */
  message: string;
}

export interface IcarusResult {
  /** Output transactions per output stream, in StreamSpec field layout. */
  outputs: Record<string, TxnTable>;
  /** Rising edges after reset until the testbench stopped. */
  cycles: number;
  hang?: IcarusHang;
  /** Output-protocol violations and X/Z problems, one line each ("cycle N: output stream 'out': ..."). */
  protocolErrors: string[];
  /** Input records applied per input stream (after maxTransactions). Compare against a golden model of these. */
  applied: Record<string, number>;
  /** Input records the DUT accepted per input stream. */
  consumed: Record<string, number>;
  /** The run directory (deleted if it was temporary and the run was clean). */
  runDir: string;
  /** Shell command that re-runs the simulation and writes wave.vcd (needs the run directory). */
  rerun: string;
  /** With `trace`: the waveform written (`<runDir>/wave.vcd`). */
  traceFile?: string;
  /** Simulator output other than the testbench's own KVHDL: lines (the design's $display output). */
  log: string;
  /** Designs with memories: per memory, read requests and responses transferred and the most outstanding. */
  memories?: Record<string, { requests: number; responses: number; peakOutstanding: number }>;
  /** The compiled testbench used (`build.ts`): its cache entry, whether it was cached, the build step's wall time. */
  build: IcarusBuild;
  /** The vvp command that ran (cwd: `runDir`), with this run's plusargs. */
  command: string;
}

export const ICARUS_DEFAULTS = {
  seed: 1,
  stall: 0.25,
  backpressure: 0.25,
  hangCycles: 10_000,
  drainCycles: 1000,
  maxCycles: 2_000_000,
  resetCycles: 4,
  maxTransactions: 2000,
  timeoutMs: 10 * 60 * 1000,
} as const;

/** A problem running the Icarus flow (bad options, compile error, simulator crash or timeout). */
export class IcarusError extends Error {
  override name = 'IcarusError';
}

function checkOptions(o: IcarusOptions): void {
  const problems: string[] = [];
  const prob = (k: 'stall' | 'backpressure') => {
    const v = o[k];
    if (v !== undefined && !(Number.isFinite(v) && v >= 0 && v < 1)) problems.push(`${k} must be in [0, 1), got ${v}`);
  };
  const int = (k: keyof IcarusOptions, min: number) => {
    const v = o[k];
    if (v !== undefined && !(typeof v === 'number' && Number.isSafeInteger(v) && v >= min)) {
      problems.push(`${k} must be an integer >= ${min}, got ${String(v)}`);
    }
  };
  prob('stall');
  prob('backpressure');
  if (o.seed !== undefined && !Number.isSafeInteger(o.seed)) problems.push(`seed must be an integer, got ${o.seed}`);
  int('hangCycles', 1);
  int('drainCycles', 1);
  int('resetCycles', 1);
  int('maxTransactions', 0);
  int('timeoutMs', 1);
  // Icarus `integer` is 32-bit signed.
  const l = o.memLatency;
  if (l !== undefined && !(Array.isArray(l) && l.length === 2 && l.every((v) => Number.isSafeInteger(v)) && l[0] >= 1 && l[1] >= l[0])) {
    problems.push(`memLatency must be [min, max] with integers 1 <= min <= max, got ${JSON.stringify(l)}`);
  }
  int('memOutstanding', 1);
  if (o.trace !== undefined && typeof o.trace !== 'boolean') problems.push(`trace must be true or false, got ${String(o.trace)}`);
  if (o.maxCycles !== undefined && !(Number.isSafeInteger(o.maxCycles) && o.maxCycles >= 1 && o.maxCycles < 2 ** 31)) {
    problems.push(`maxCycles must be an integer in [1, 2^31), got ${o.maxCycles}`);
  }
  if (problems.length > 0) throw new IcarusError(`icarusRun: ${problems.join('; ')}`);
}

function toolFailure(what: string, r: RunToolResult, runDir: string): IcarusError {
  const why = r.spawnError ?? (r.timedOut ? 'timed out' : r.signal ? `killed by ${r.signal}` : `exit code ${r.exitCode}`);
  const out = `${r.stderr}\n${r.stdout}`.trim();
  return new IcarusError(
    `${what} failed (${why}): cd ${shellQuote(runDir)} && ${r.command}${out ? `\n${lastLines(out, 40)}` : ''}`,
  );
}

/**
 * Simulates `design` with Icarus Verilog on the given input transactions (the first
 * `maxTransactions` of each input stream) and returns the output transactions. Never throws for
 * a misbehaving design (hangs and protocol errors are in the result); throws IcarusError for bad
 * options, an invalid design description, a compile error, or a simulator crash/timeout.
 */
export async function icarusRun(
  design: DesignUnderTest,
  stimulus: Record<string, TxnTable>,
  options: IcarusOptions = {},
): Promise<IcarusResult> {
  checkOptions(options);
  const o = { ...ICARUS_DEFAULTS, ...options };
  const staticInputs = options.staticInputs ?? {};
  try {
    checkDesign(design, staticInputs);
  } catch (e) {
    throw new IcarusError((e as Error).message);
  }

  const memStreams = memoryStreamNames(design);
  const mems = design.memories ?? [];
  const ins = design.streams.filter((s) => s.dir === 'in' && !memStreams.has(s.name));
  const outs = design.streams.filter((s) => s.dir === 'out' && !memStreams.has(s.name));
  const problems: string[] = [];
  for (const m of mems) {
    const t = stimulus[m.name];
    const want = memoryImageFields(m)[0];
    if (!t) problems.push(`no image for memory '${m.name}'`);
    else if (t.fields.length !== 1 || t.fields[0].name !== 'data' || t.fields[0].width !== want.width) {
      problems.push(`the image of memory '${m.name}' must have the single field data:u${want.width}`);
    }
  }
  for (const [name, t] of Object.entries(stimulus)) {
    if (mems.some((m) => m.name === name)) continue;
    const s = design.streams.find((x) => x.name === name && !memStreams.has(x.name));
    if (!s) problems.push(`stimulus for '${name}', which is not a stream of ${design.top}`);
    else if (s.dir !== 'in') problems.push(`stimulus for '${name}', which is an output stream`);
    else {
      const want = s.fields.map((f) => `${f.name}:${f.signed ? 's' : 'u'}${f.width}`).join(',');
      const got = t.fields.map((f) => `${f.name}:${f.signed ? 's' : 'u'}${f.width}`).join(',');
      if (want !== got) problems.push(`stimulus for '${name}' has fields (${got}), the stream has (${want})`);
    }
  }
  if (problems.length > 0) throw new IcarusError(`icarusRun(${design.top}): ${problems.join('; ')}`);

  const applied: Record<string, number> = {};
  for (const s of ins) applied[s.name] = Math.min(stimulus[s.name]?.count ?? 0, o.maxTransactions);

  const temporary = options.runDir === undefined;
  const runDir = temporary
    ? await mkdtemp(path.join(tmpdir(), `kvhdl-icarus-${design.top}-`))
    : path.resolve(options.runDir!);
  await mkdir(runDir, { recursive: true });

  const cfg: TestbenchConfig = {
    seed: o.seed,
    stall: o.stall,
    backpressure: o.backpressure,
    hangCycles: o.hangCycles,
    drainCycles: o.drainCycles,
    maxCycles: o.maxCycles,
    resetCycles: o.resetCycles,
    counts: applied,
    ...(options.expectedOutputs ? { expected: options.expectedOutputs } : {}),
    staticInputs,
    ...(mems.length
      ? {
          memories: {
            latency: o.memLatency ?? [1, 8],
            outstanding: o.memOutstanding ?? 64,
            words: Object.fromEntries(mems.map((m) => [m.name, stimulus[m.name].count])),
          },
        }
      : {}),
  };
  // The build step: the testbench depends on the design only, so this is a cache hit for every run
  // of a design after the first.
  const testbench = generateTestbench(design, cfg);
  let build: IcarusBuild;
  try {
    build = await buildIcarus(design, testbench, { cacheDir: options.cacheDir, timeoutMs: o.timeoutMs, log: options.log });
  } catch (e) {
    if (e instanceof IcarusBuildError) throw new IcarusError(e.message);
    throw e;
  }

  // The run step: this run's values as plusargs, also in tb.args, and a copy of the compiled
  // testbench, so that `vvp -n tb.vvp +vcd` in the run directory repeats the run.
  const args = testbenchArgs(design, cfg);
  await Promise.all([
    writeFile(path.join(runDir, ARGS_FILE), `${args.join('\n')}\n`),
    writeFile(path.join(runDir, TB_FILE), testbench),
    copyFile(build.vvp, path.join(runDir, VVP_FILE), fsConstants.COPYFILE_FICLONE), // a reflink where the file system has them
    ...ins.map(async (s) => {
      const t = stimulus[s.name];
      await writeFile(path.join(runDir, inputHexName(s.name)), t ? recordsToHex(t, applied[s.name]) : '');
    }),
    ...mems.map((m) => writeFile(path.join(runDir, memoryHexName(m.name)), recordsToHex(stimulus[m.name]))),
  ]);
  // Stale output files from an earlier run in the same directory must not be read back.
  await Promise.all(outs.map((s) => rm(path.join(runDir, outputHexName(s.name)), { force: true })));

  const traceFile = options.trace ? path.join(runDir, 'wave.vcd') : undefined;
  if (traceFile) await rm(traceFile, { force: true });
  const sim = await runTool('vvp', ['-n', build.vvp, ...args, ...(traceFile ? ['+vcd'] : [])], { cwd: runDir, timeoutMs: o.timeoutMs });
  if (sim.exitCode !== 0) throw toolFailure(`vvp (simulating ${design.top})`, sim, runDir);

  // Parse the testbench's report lines.
  const logLines: string[] = [];
  const protocolErrors: string[] = [];
  const consumed: Record<string, number> = {};
  const outState: Record<string, { produced: number; valid: boolean }> = {};
  const memState: Record<string, { requests: number; responses: number; peakOutstanding: number }> = {};
  let end: { why: number; cycle: number; idle: number; nerr: number; active: number } | undefined;
  for (const line of sim.stdout.split('\n')) {
    if (!line.startsWith('KVHDL:')) {
      if (line !== '') logLines.push(line);
      continue;
    }
    const [tag, ...rest] = line.slice(6).split(' ');
    if (tag === 'PROTO') protocolErrors.push(rest.join(' '));
    else if (tag === 'IN') consumed[rest[0]] = Number(rest[1]);
    else if (tag === 'OUT') outState[rest[0]] = { produced: Number(rest[1]), valid: rest[2] === '1' };
    else if (tag === 'MEM') memState[rest[0]] = { requests: Number(rest[1]), responses: Number(rest[2]), peakOutstanding: Number(rest[3]) };
    else if (tag === 'END') end = { why: Number(rest[0]), cycle: Number(rest[1]), idle: Number(rest[2]), nerr: Number(rest[3]), active: Number(rest[4] ?? rest[2]) };
    else if (tag === 'FATAL') throw new IcarusError(`testbench for ${design.top}: ${rest.join(' ')} (in ${runDir})`);
  }
  if (!end) {
    throw new IcarusError(
      `vvp (simulating ${design.top}) stopped before the testbench finished (did the design call $finish/$fatal?): ` +
        `cd ${shellQuote(runDir)} && ${sim.command}\n${lastLines(`${sim.stdout}\n${sim.stderr}`, 40)}`,
    );
  }
  if (end.nerr > protocolErrors.length) {
    protocolErrors.push(`... and ${end.nerr - protocolErrors.length} more protocol errors (only the first ${MAX_PRINTED_ERRORS} are listed)`);
  }

  const outputs: Record<string, TxnTable> = {};
  for (const s of outs) {
    const file = path.join(runDir, outputHexName(s.name));
    const text = await readFile(file, 'utf8');
    const parsed = hexToRecords(text, s.fields, file);
    outputs[s.name] = parsed.table;
    if (parsed.table.count !== outState[s.name]?.produced) {
      throw new IcarusError(
        `${file}: ${parsed.table.count} records, the testbench counted ${outState[s.name]?.produced ?? 'none'}`,
      );
    }
  }

  let hang: IcarusHang | undefined;
  if (end.why !== 0) {
    const reason = end.why === 1 ? 'no-progress' : 'max-cycles';
    const inputs: IcarusHang['inputs'] = {};
    for (const s of ins) inputs[s.name] = { consumed: consumed[s.name] ?? 0, applied: applied[s.name] };
    const parts = [
      reason === 'no-progress'
        ? `no transfer for ${end.idle} cycles${end.active !== end.idle ? ` (${end.active} with every input offered and every output ready)` : ''} at cycle ${end.cycle} with ${ins.every((s) => (consumed[s.name] ?? 0) >= applied[s.name]) ? 'outputs missing' : 'inputs remaining'}`
        : `stopped at maxCycles (${end.cycle})`,
      ...ins.map((s) => `input '${s.name}' consumed ${inputs[s.name].consumed} of ${inputs[s.name].applied}`),
      ...outs.map((s) => `output '${s.name}' produced ${outState[s.name].produced}${outState[s.name].valid ? ' (valid high)' : ''}`),
    ];
    hang = { reason, cycle: end.cycle, idleCycles: end.idle, activeIdleCycles: end.active, inputs, outputs: outState, message: `${design.top}: ${parts.join('; ')}` };
  }

  const clean = !hang && protocolErrors.length === 0;
  if (temporary && clean && !traceFile) await rm(runDir, { recursive: true, force: true });

  return {
    outputs,
    cycles: end.cycle,
    ...(hang ? { hang } : {}),
    protocolErrors,
    applied,
    consumed,
    runDir,
    rerun: `cd ${shellQuote(runDir)} && vvp -n tb.vvp +vcd`,
    ...(traceFile && existsSync(traceFile) ? { traceFile } : {}),
    log: logLines.join('\n'),
    ...(mems.length ? { memories: memState } : {}),
    build,
    command: sim.command,
  };
}
