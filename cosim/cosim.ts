/**
 * Co-simulation against a golden model with Verilator.
 *
 *   const report = await cosim(design, golden, stimulus, { seed: 3, stall: 0.2, backpressure: 0.3 });
 *   if (!report.ok) console.log(formatReport(report));
 *
 * Steps: check the design and the stimulus; run the golden model; generate the C++ testbench and
 * build it with Verilator (cached by content hash); write the stimulus files; run the simulator
 * (which drives every stream natively and checks the output protocol); compare the output
 * transactions with the golden model's; report. See cosim/README.md.
 */
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { memoryImageFields, withoutMemoryStreams, type DesignUnderTest, type StreamSpec } from '../hdl/ports/design.ts';
import {
  compareOutputs,
  formatValue,
  type CosimReport,
  type HangReport,
  type LaneWidths,
  type ProtocolError,
  type StreamState,
} from './report.ts';
import {
  checkMemoryImages,
  checkTables,
  expectedFile,
  memoryImageFile,
  splitMemoryImages,
  inputFile,
  readOutputCycles,
  readOutputs,
  readTable,
  writeStimulus,
  writeTable,
} from './stimulus-files.ts';
import { TxnTable } from '../data/transactions.ts';
import { formatCommand, lastLines, runTool, shellQuote, ToolError } from '../toolchain/run-tool.ts';
import { buildSimulator, type TraceFormat } from './verilator/build.ts';
import { REPO_ROOT, writableCacheRoot } from './cache-root.ts';
import { rerunLine } from './rerun-command.ts';
import { checkDesign } from './verilator/design-check.ts';
import { generateTestbench } from './verilator/tbgen.ts';
import { assertionFailure, type AssertionFailure } from './verilator/assertion.ts';

export { formatReport, reportToJSON, type CosimReport, type Mismatch, type ProtocolError, type HangReport } from './report.ts';

export type GoldenModel = (inputs: Record<string, TxnTable>) => Record<string, TxnTable>;

export interface CosimOptions {
  /** Seed of the valid gaps, backpressure, idle payloads and Verilator's X randomization (default 1). */
  seed?: number;
  /** Probability (0 <= p < 1) that an input stream does not offer its next record in a cycle (default 0). */
  stall?: number;
  /** Probability (0 <= p < 1) that an output stream's ready is low in a cycle (default 0). */
  backpressure?: number;
  /** Write a waveform into the run dir: `true`/'fst' → wave.fst, 'vcd' → wave.vcd. Separate (cached) build. */
  trace?: boolean | TraceFormat;
  /** Dump only cycles [from, to] (after reset; negative cycles are the reset cycles). Default: whole run. */
  traceWindow?: [number, number];
  /** Stop and report a hang after this many cycles without any transfer while work remains (default 10000). */
  hangCycles?: number;
  /** Run directory (kept). Default: a new directory under `<cache>/runs/`, removed after a passing run. */
  runDir?: string;
  /** Keep the default run directory after a passing run too. */
  keepRunDir?: boolean;
  /** Values of plain (non-stream) input ports, held for the whole run (default 0). */
  staticInputs?: Record<string, bigint | number>;
  /** Lane widths of packed multi-lane fields, by `stream.field` or `field`, for mismatch reports. */
  laneWidths?: LaneWidths;
  /** Reset cycles before the run (default 5). */
  resetCycles?: number;
  /** Cycles run after all work is done, to catch extra outputs (default 100). */
  drainCycles?: number;
  /** Hard cycle limit (default none). */
  maxCycles?: number;
  /** Cache root (default `$KVHDL_CACHE_DIR` or `<repo>/.cache`). */
  cacheDir?: string;
  /** Extra Verilator arguments (e.g. `-Wno-WIDTH`, `-DFOO`). Part of the cache key. */
  verilatorFlags?: string[];
  /**
   * Command that re-runs this co-simulation from a shell, without `--seed`/`--trace` (e.g. what the
   * CLI was invoked with); the report's `rerun` appends ` --seed N --trace`. Default: a command that
   * re-runs from the saved run directory.
   */
  rerunCommand?: string;
  /** Simulator timeout (default 30 minutes). */
  timeoutMs?: number;
  /** Progress lines (e.g. "building ..."); default none. */
  log?: (line: string) => void;
  /**
   * Designs with memories: each read is answered no earlier than a seeded random number of cycles
   * in [min, max] after its request transfer (in request order). Default [1, 8].
   */
  memLatency?: [number, number];
  /** Designs with memories: requests accepted but not yet answered before the request ready is held low (default 64). */
  memOutstanding?: number;
}

const DEFAULTS = {
  seed: 1, stall: 0, backpressure: 0, hangCycles: 10000, resetCycles: 5, drainCycles: 100,
  memLatency: [1, 8] as [number, number], memOutstanding: 64,
};
const SIM_TIMEOUT_MS = 30 * 60 * 1000;
const RUN_FILE = 'run.json';

/** What a re-run needs, kept for each report (the run dir may be gone after a pass). */
interface RunContext {
  design: DesignUnderTest;
  stimulus: Record<string, TxnTable>;
  expected: Record<string, TxnTable>;
  options: CosimOptions;
}
const contexts = new WeakMap<CosimReport, RunContext>();

/** The Verilator runtime seed (1..2^31-1) used for a kvhdl seed. */
export function verilatorSeed(seed: number): number {
  return 1 + (seed % 2147483646);
}

function checkOptions(design: DesignUnderTest, o: CosimOptions, plainInputs: Map<string, number>): string[] {
  const p: string[] = [];
  const seed = o.seed ?? DEFAULTS.seed;
  if (!Number.isSafeInteger(seed) || seed < 0) p.push(`seed must be a non-negative integer, got ${seed}`);
  for (const k of ['stall', 'backpressure'] as const) {
    const v = o[k] ?? 0;
    if (typeof v !== 'number' || !(v >= 0 && v < 1)) p.push(`${k} must be a probability 0 <= p < 1, got ${v}`);
  }
  for (const k of ['hangCycles', 'drainCycles', 'resetCycles', 'maxCycles'] as const) {
    const v = o[k];
    if (v !== undefined && (!Number.isSafeInteger(v) || v < (k === 'drainCycles' ? 0 : 1))) p.push(`${k} must be a positive integer, got ${v}`);
  }
  if (o.trace !== undefined && ![true, false, 'fst', 'vcd'].includes(o.trace)) p.push(`trace must be true, false, 'fst' or 'vcd'`);
  if (o.memLatency !== undefined) {
    const l = o.memLatency;
    if (!Array.isArray(l) || l.length !== 2 || !l.every((v) => Number.isSafeInteger(v)) || l[0] < 1 || l[1] < l[0]) {
      p.push(`memLatency must be [min, max] with integers 1 <= min <= max, got ${JSON.stringify(l)}`);
    }
  }
  if (o.memOutstanding !== undefined && (!Number.isSafeInteger(o.memOutstanding) || o.memOutstanding < 1)) {
    p.push(`memOutstanding must be a positive integer, got ${o.memOutstanding}`);
  }
  for (const [name, value] of Object.entries(o.staticInputs ?? {})) {
    const width = plainInputs.get(name);
    if (width === undefined) {
      p.push(`staticInputs: ${design.top} has no plain input port '${name}' (plain inputs: ${[...plainInputs.keys()].join(', ') || 'none'})`);
      continue;
    }
    if (typeof value === 'number' && !Number.isSafeInteger(value)) {
      p.push(`staticInputs.${name}: ${value} is not an integer`);
      continue;
    }
    const v = BigInt(value);
    if (v < -(1n << BigInt(width - 1)) || v >= 1n << BigInt(width)) p.push(`staticInputs.${name}: ${v} does not fit ${width} bits`);
  }
  return p;
}

function traceFormat(t: CosimOptions['trace']): TraceFormat | false {
  return t === true ? 'fst' : t === 'fst' || t === 'vcd' ? t : false;
}

/** The rerun script beside this module: compiled (dist/, an installed package) or the source (tsx). */
const RERUN_JS = import.meta.url.endsWith('.js') ? fileURLToPath(new URL('./verilator/rerun.js', import.meta.url)) : undefined;

function defaultRerun(runDir: string, window?: [number, number]): string {
  const script = RERUN_JS ? `node ${shellQuote(RERUN_JS)}` : `cd ${shellQuote(REPO_ROOT)} && npx tsx cosim/verilator/rerun.ts`;
  return `${script} ${shellQuote(runDir)} --trace fst` + (window ? ` --window ${window[0]}:${window[1]}` : '');
}

/**
 * Runs `stimulus` through the design in Verilator and compares the output transactions with
 * `golden(stimulus)`. Resolves to a report (also for failing designs); rejects only when the
 * co-simulation cannot run (bad design description or stimulus, build errors, harness errors).
 */
export async function cosim(
  design: DesignUnderTest,
  golden: GoldenModel,
  stimulus: Record<string, TxnTable>,
  options: CosimOptions = {},
): Promise<CosimReport> {
  const roles = checkDesign(design);
  const plainInputs = new Map(roles.plainInputs.map((p) => [p.name, p.width]));
  const { streams: streamStimulus } = splitMemoryImages(design, stimulus);
  const problems = [
    ...checkOptions(design, options, plainInputs),
    ...checkTables(withoutMemoryStreams(design), streamStimulus, 'in', 'stimulus'),
    ...checkMemoryImages(design, stimulus, 'stimulus'),
  ];
  if (problems.length) throw new Error(`cosim ${design.top}:\n  - ${problems.join('\n  - ')}`);

  const expected = golden(stimulus);
  const goldenProblems = checkTables(withoutMemoryStreams(design), expected ?? {}, 'out', 'golden model output');
  if (goldenProblems.length) throw new Error(`cosim ${design.top}:\n  - ${goldenProblems.join('\n  - ')}`);
  return run({ design, stimulus, expected, options });
}

async function run(ctx: RunContext): Promise<CosimReport> {
  const { design, stimulus, expected, options } = ctx;
  const roles = checkDesign(design);
  const fileDesign = withoutMemoryStreams(design);
  const { streams: streamStimulus, images } = splitMemoryImages(design, stimulus);
  const memLatency = options.memLatency ?? DEFAULTS.memLatency;
  const seed = options.seed ?? DEFAULTS.seed;
  const stall = options.stall ?? DEFAULTS.stall;
  const backpressure = options.backpressure ?? DEFAULTS.backpressure;
  const hangCycles = options.hangCycles ?? DEFAULTS.hangCycles;
  const resetCycles = options.resetCycles ?? DEFAULTS.resetCycles;
  const drainCycles = options.drainCycles ?? DEFAULTS.drainCycles;
  const trace = traceFormat(options.trace);
  const ins = fileDesign.streams.filter((s) => s.dir === 'in');
  const outs = fileDesign.streams.filter((s) => s.dir === 'out');

  // Run directory.
  const autoDir = options.runDir === undefined;
  let runDir: string;
  if (autoDir) {
    const runs = path.join(await writableCacheRoot(options.cacheDir, 'runs', options.log), 'runs');
    runDir = await fs.mkdtemp(path.join(runs, `${design.top}-seed${seed}-`));
  } else {
    runDir = path.resolve(options.runDir!);
    await fs.mkdir(runDir, { recursive: true });
  }

  // Build (cached) while the files are written.
  const tb = generateTestbench(design);
  const [build] = await Promise.all([
    buildSimulator(design, { designHeader: tb }, { trace, cacheDir: options.cacheDir, verilatorFlags: options.verilatorFlags, log: options.log }),
    writeStimulus(runDir, fileDesign, streamStimulus),
    ...Object.entries(images).map(([name, t]) => writeTable(memoryImageFile(runDir, name), t)),
    ...outs.map((s) => writeTable(expectedFile(runDir, s.name), expected[s.name])),
    fs.writeFile(path.join(runDir, RUN_FILE), runFileText(ctx)),
    // Stale outputs of an earlier run in the same directory must not be read back.
    ...outs.flatMap((s) => [`${s.name}.out.bin`, `${s.name}.out.cycles.bin`].map((f) => fs.rm(path.join(runDir, f), { force: true }))),
    fs.rm(path.join(runDir, 'result.json'), { force: true }),
  ]);

  // Simulator arguments.
  const traceFile = trace ? path.join(runDir, `wave.${trace}`) : undefined;
  const args = [
    '--dir',
    runDir,
    '--seed',
    String(seed),
    '--stall',
    String(stall),
    '--backpressure',
    String(backpressure),
    '--hang',
    String(hangCycles),
    '--drain',
    String(drainCycles),
    '--reset-cycles',
    String(resetCycles),
    ...(options.maxCycles !== undefined ? ['--max-cycles', String(options.maxCycles)] : []),
    ...(design.memories?.length
      ? ['--mem-latency', `${memLatency[0]}:${memLatency[1]}`, '--mem-outstanding', String(options.memOutstanding ?? DEFAULTS.memOutstanding)]
      : []),
    ...ins.flatMap((s) => ['--count', `${s.name}=${stimulus[s.name].count}`]),
    ...outs.flatMap((s) => ['--expect', `${s.name}=${expected[s.name].count}`]),
    ...Object.entries(options.staticInputs ?? {}).flatMap(([name, v]) => [
      '--set',
      `${name}=${BigInt.asUintN(plainWidth(roles.plainInputs, name), BigInt(v)).toString(16)}`,
    ]),
    ...(traceFile ? ['--trace', traceFile] : []),
    ...(traceFile && options.traceWindow ? ['--trace-from', String(options.traceWindow[0]), '--trace-to', String(options.traceWindow[1])] : []),
    `+verilator+seed+${verilatorSeed(seed)}`,
    '+verilator+rand+reset+2',
  ];
  await fs.writeFile(path.join(runDir, 'sim.sh'), `#!/bin/sh\n# Re-runs the simulator on this directory's files.\n${formatCommand(build.exe, args)}\n`, { mode: 0o755 });
  const r = await runTool(build.exe, args, { cwd: runDir, timeoutMs: options.timeoutMs ?? SIM_TIMEOUT_MS });

  let result: SimResult | undefined;
  try {
    result = JSON.parse(await fs.readFile(path.join(runDir, 'result.json'), 'utf8')) as SimResult;
  } catch {
    result = undefined;
  }
  if (r.exitCode !== 0 && /kvhdl-tb:/.test(r.stderr)) throw new ToolError(r); // the harness itself failed
  if (!result && r.exitCode === 0) throw new Error(`cosim ${design.top}: the simulator wrote no result.json in ${runDir}`);

  const report = await assemble(ctx, {
    runDir,
    seed,
    stall,
    backpressure,
    build,
    result,
    error: r.exitCode !== 0 ? `simulator exited with code ${r.exitCode}: ${lastLines(r.stderr || r.stdout, 20)}` : undefined,
    traceFile,
    resetCycles,
    assertion: result?.status === 'assertion' ? (assertionFailure(r.stdout, design.files, result.assertionAt ?? -1) ?? undefined) : undefined,
  });
  contexts.set(report, ctx);

  if (report.ok && autoDir && !options.keepRunDir && !trace) {
    await fs.rm(runDir, { recursive: true, force: true });
    report.runDirKept = false;
    report.rerun = rerunLine({
      seed,
      command: options.rerunCommand,
      direct: `rerunWithTrace(report), or cosim(..., { seed: ${seed}, trace: 'fst' }) (this passing run's directory was removed)`,
    });
  }
  return report;
}

function plainWidth(ports: { name: string; width: number }[], name: string): number {
  return ports.find((p) => p.name === name)!.width;
}

interface SimStream {
  name: string;
  count: number;
  accepted?: number;
  expected?: number;
  first: number;
  last: number;
  valid: number;
  ready: number;
}
interface SimResult {
  status: CosimReport['status'];
  cycles: number;
  resetCycles: number;
  idleCycles: number;
  /** First cycle after the last transfer (testbench version 7+). */
  idleSince?: number;
  doneAt: number;
  firstInput: number;
  simSeconds: number;
  in: SimStream[];
  out: SimStream[];
  plainOutputs: Record<string, string>;
  memories?: { name: string; words: number; requests: number; responses: number; peakOutstanding: number }[];
  protocolErrorCount: number;
  protocolErrors: { stream: string; kind: ProtocolError['kind']; cycle: number; field: string; before: string; after: string }[];
  /** Cycle of a failed assertion (status 'assertion'), else -1. */
  assertionAt?: number;
}

async function assemble(
  ctx: RunContext,
  x: {
    runDir: string;
    seed: number;
    stall: number;
    backpressure: number;
    build: Awaited<ReturnType<typeof buildSimulator>>;
    result?: SimResult;
    error?: string;
    traceFile?: string;
    resetCycles: number;
    assertion?: AssertionFailure;
  },
): Promise<CosimReport> {
  const { stimulus, expected, options } = ctx;
  const fullDesign = ctx.design;
  // Memory request/response streams are the testbench's business: not driven from files, not compared.
  const design = withoutMemoryStreams(fullDesign);
  const res = x.result;
  const outs = design.streams.filter((s) => s.dir === 'out');
  const ins = design.streams.filter((s) => s.dir === 'in');
  const streamOf = (name: string): StreamSpec => fullDesign.streams.find((s) => s.name === name)!;

  const got = await readOutputs(x.runDir, design);
  const cycles: Record<string, Float64Array> = {};
  for (const s of outs) cycles[s.name] = await readOutputCycles(x.runDir, s.name);

  const transactions: Record<string, number> = {};
  const expectedTransactions: Record<string, number> = {};
  const cyclesPerTxn: Record<string, number | null> = {};
  const all = [...(res?.in ?? []), ...(res?.out ?? [])];
  for (const s of ins) expectedTransactions[s.name] = stimulus[s.name].count;
  for (const s of outs) expectedTransactions[s.name] = expected[s.name].count;
  for (const s of design.streams) {
    const st = all.find((a) => a.name === s.name);
    const n = st ? (s.dir === 'in' ? (st.accepted ?? 0) : st.count) : s.dir === 'out' ? got[s.name].count : 0;
    transactions[s.name] = n;
    cyclesPerTxn[s.name] = st && n > 1 ? (st.last - st.first) / (n - 1) : null;
  }
  const inRates = ins.map((s) => cyclesPerTxn[s.name]).filter((v): v is number => v !== null);
  const ii = inRates.length ? Math.max(...inRates) : null;
  const firstOuts = (res?.out ?? []).map((o) => o.first).filter((c) => c >= 0);
  const latency = res && res.firstInput >= 0 && firstOuts.length ? Math.min(...firstOuts) - res.firstInput : null;

  const mismatch = compareOutputs(design, expected, got, cycles, { seed: x.seed, laneWidths: options.laneWidths });

  const protocolErrors: ProtocolError[] = (res?.protocolErrors ?? []).map((e) => {
    const f = streamOf(e.stream).fields.find((ff) => ff.name === e.field);
    const val = (h: string): bigint | undefined => {
      if (!f || !h) return undefined;
      const u = BigInt(h);
      return f.signed ? BigInt.asIntN(f.width, u) : u;
    };
    const before = e.kind === 'address-out-of-range' ? BigInt(e.before) : val(e.before);
    const after = e.kind === 'address-out-of-range' ? BigInt(e.after) : val(e.after);
    const message =
      e.kind === 'valid-dropped'
        ? `stream '${e.stream}': valid dropped at cycle ${e.cycle} before the transfer (valid was high, ready low, in cycle ${e.cycle - 1})`
        : e.kind === 'address-out-of-range'
          ? `stream '${e.stream}': read address ${BigInt(e.after)} at cycle ${e.cycle} is outside the memory image (${BigInt(e.before)} words)`
          : `stream '${e.stream}': field '${e.field}' changed at cycle ${e.cycle} while valid && !ready: ${formatValue(before!, f!.width)} -> ${formatValue(after!, f!.width)}`;
    return { stream: e.stream, kind: e.kind, cycle: e.cycle, ...(e.field ? { field: e.field } : {}), ...(before !== undefined ? { before, after } : {}), message };
  });

  let hang: HangReport | undefined;
  if (res?.status === 'hang') {
    const streams: StreamState[] = [
      ...res.in.map((s) => ({ stream: s.name, dir: 'in' as const, valid: !!s.valid, ready: !!s.ready, count: s.accepted ?? 0, total: s.count })),
      ...res.out.map((s) => ({ stream: s.name, dir: 'out' as const, valid: !!s.valid, ready: !!s.ready, count: s.count, total: s.expected ?? 0 })),
    ];
    const waiting = streams.filter((s) => s.count < s.total).map((s) => `${s.stream} ${s.count}/${s.total}`);
    const since = res.idleSince ?? res.cycles - res.idleCycles;
    const quiet = res.cycles - since;
    hang = {
      cycle: res.cycles,
      idleCycles: quiet,
      activeIdleCycles: res.idleCycles,
      since,
      streams,
      message:
        `no transfer on any stream for ${quiet} cycles (since cycle ${since}` +
        (quiet !== res.idleCycles ? `; ${res.idleCycles} of them with every input offered and every output ready` : '') +
        `) while work remained (${waiting.join(', ')})` +
        (res.memories ?? []).map((m) => `; memory '${m.name}': ${m.requests} requests, ${m.responses} answered`).join(''),
    };
  }

  const plainOutputs: Record<string, bigint> = {};
  for (const [name, h] of Object.entries(res?.plainOutputs ?? {})) {
    const p = design.ports.find((pp) => pp.name === name);
    const u = BigInt(h);
    plainOutputs[name] = p?.signed ? BigInt.asIntN(p.width, u) : u;
  }

  const status: CosimReport['status'] = res?.status ?? 'error';
  const ok = !x.error && status === 'done' && !mismatch && protocolErrors.length === 0 && (res?.protocolErrorCount ?? 0) === 0;
  const report: CosimReport = {
    ok,
    simulator: 'verilator',
    top: design.top,
    seed: x.seed,
    stall: x.stall,
    backpressure: x.backpressure,
    status,
    cycles: res?.cycles ?? 0,
    transactions,
    expectedTransactions,
    throughput: { cyclesPerTxn, ii, measured: x.stall === 0 && x.backpressure === 0 },
    latency,
    ...(mismatch ? { mismatch } : {}),
    protocolErrors,
    protocolErrorCount: res?.protocolErrorCount ?? 0,
    ...(hang ? { hang } : {}),
    ...(x.assertion ? { assertion: x.assertion } : {}),
    ...(x.error ? { error: x.error } : {}),
    rerun: '',
    runDir: x.runDir,
    runDirKept: true,
    ...(x.traceFile && existsSync(x.traceFile) ? { traceFile: x.traceFile } : {}),
    plainOutputs,
    buildCached: x.build.cached,
    buildSeconds: x.build.seconds,
    simSeconds: res?.simSeconds ?? 0,
    cyclesPerSecond: res && res.simSeconds > 0 ? (res.cycles + x.resetCycles) / res.simSeconds : 0,
    buildWarnings: x.build.warnings,
    ...(fullDesign.memories?.length
      ? {
          memories: Object.fromEntries(
            (res?.memories ?? []).map((m) => [m.name, { words: m.words, requests: m.requests, responses: m.responses, peakOutstanding: m.peakOutstanding }]),
          ),
        }
      : {}),
  };
  const window = traceWindowFor(report, x.resetCycles);
  report.rerun = rerunLine({ seed: x.seed, command: options.rerunCommand, direct: defaultRerun(x.runDir, window) });
  return report;
}

/**
 * The cycles worth dumping to see a failure: from 2000 cycles before the first problem (mismatching
 * output, protocol error, start of a hang) to a little after it. Undefined for a passing run.
 */
export function traceWindowFor(r: CosimReport, resetCycles = DEFAULTS.resetCycles): [number, number] | undefined {
  const events: number[] = [];
  if (r.mismatch) events.push(r.mismatch.cycle ?? r.cycles);
  if (r.protocolErrors.length) events.push(r.protocolErrors[0].cycle);
  if (r.hang) events.push(r.hang.since);
  if (events.length === 0) return r.ok ? undefined : [-resetCycles, r.cycles];
  const at = Math.min(...events);
  const from = at - 2000 < 0 ? -resetCycles : at - 2000;
  const to = r.hang && at === r.hang.since ? r.cycles : at + 50;
  return [from, to];
}

function runFileText(ctx: RunContext): string {
  const { log: _log, ...opts } = ctx.options;
  const saved = {
    version: 1,
    design: ctx.design,
    options: { ...opts, staticInputs: Object.fromEntries(Object.entries(opts.staticInputs ?? {}).map(([k, v]) => [k, String(v)])) },
    counts: Object.fromEntries([
      ...withoutMemoryStreams(ctx.design).streams.map((s) => [s.name, s.dir === 'in' ? ctx.stimulus[s.name].count : ctx.expected[s.name].count]),
      ...(ctx.design.memories ?? []).map((m) => [m.name, ctx.stimulus[m.name].count]),
    ]),
  };
  return `${JSON.stringify(saved, null, 2)}\n`;
}

/**
 * Re-runs the co-simulation of `report` with a waveform (default FST) dumped around the first
 * failure (or the whole run if it passed), in the same run directory when it still exists.
 */
export async function rerunWithTrace(
  report: CosimReport,
  opts: { trace?: TraceFormat; window?: [number, number]; runDir?: string } = {},
): Promise<CosimReport> {
  const ctx = contexts.get(report);
  const window = opts.window ?? traceWindowFor(report, ctx?.options.resetCycles);
  if (ctx) {
    const runDir = opts.runDir ?? (report.runDirKept ? report.runDir : undefined);
    return run({
      ...ctx,
      options: { ...ctx.options, seed: report.seed, trace: opts.trace ?? 'fst', traceWindow: window, runDir, keepRunDir: true },
    });
  }
  return rerunFromDir(report.runDir, { trace: opts.trace ?? 'fst', traceWindow: window });
}

/** Re-runs a saved run directory (its run.json, stimulus and expected files), with option overrides. */
export async function rerunFromDir(runDir: string, overrides: CosimOptions = {}): Promise<CosimReport> {
  const dir = path.resolve(runDir);
  let saved: { version: number; design: DesignUnderTest; options: CosimOptions & { staticInputs?: Record<string, string> }; counts: Record<string, number> };
  try {
    saved = JSON.parse(await fs.readFile(path.join(dir, RUN_FILE), 'utf8'));
  } catch (e) {
    throw new Error(`cannot re-run ${dir}: no readable ${RUN_FILE} (${(e as Error).message})`);
  }
  const { design, counts } = saved;
  const stimulus: Record<string, TxnTable> = {};
  const expected: Record<string, TxnTable> = {};
  for (const s of withoutMemoryStreams(design).streams) {
    const file = s.dir === 'in' ? inputFile(dir, s.name) : expectedFile(dir, s.name);
    const t = await readTable(file, s.fields, { count: counts[s.name] });
    (s.dir === 'in' ? stimulus : expected)[s.name] = t;
  }
  for (const m of design.memories ?? []) stimulus[m.name] = await readTable(memoryImageFile(dir, m.name), memoryImageFields(m), { count: counts[m.name] });
  const staticInputs = Object.fromEntries(Object.entries(saved.options.staticInputs ?? {}).map(([k, v]) => [k, BigInt(v)]));
  const options: CosimOptions = { ...saved.options, staticInputs, ...overrides, runDir: dir };
  return cosim(design, () => expected, stimulus, options);
}
