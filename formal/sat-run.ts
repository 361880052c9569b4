/**
 * One Yosys run: `read_verilog -formal`, flatten, map memories, then `sat -tempinduct -prove-asserts
 * -set-assumes` (temporal k-induction with Yosys' built-in SAT solver; no external solver). The log
 * says one of: the induction step proven at length k (SUCCESS), a model for the base case (FAIL, a
 * counterexample, dumped as VCD), or the maximum number of steps reached (the base case held for
 * every length up to the depth but the induction step never did: a bounded result, not a proof).
 * Yosys writes its log as it goes: the run reads it while it runs, reports each completed base case
 * (a BMC step without a counterexample) and, when the time limit kills Yosys, says how deep the BMC
 * got (`timeout`, `steps` completed: a bounded result, never a proof).
 */
import { mkdirSync, openSync, readSync, closeSync, writeFileSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { lastLines, runTool } from '../toolchain/run-tool.ts';
import { FORMAL_TOP } from './design-files.ts';

export type SatOutcome =
  | { status: 'proved'; k: number; seconds: number }
  | { status: 'failed'; steps: number; vcd: string; seconds: number }
  | { status: 'bounded'; depth: number; seconds: number }
  /** The time limit ran out; `steps`: the deepest BMC step (base case) that completed without a counterexample. */
  | { status: 'timeout'; steps: number; seconds: number };

export interface SatJob {
  /** Directory for this run's files (Verilog, script, log, VCD). */
  dir: string;
  /** Every Verilog file, the wrapper `kv_formal_top.v` included. */
  files: Map<string, string>;
  depth: number;
  /** Kill Yosys after this long and report a `timeout` outcome (default 10 minutes). */
  timeoutMs?: number;
  /** Called with each completed BMC step (base case for induction length n proven) while Yosys runs. */
  onStep?: (n: number, seconds: number) => void;
}

export function satScript(files: string[], depth: number): string {
  return [
    `read_verilog -formal -DFORMAL ${files.join(' ')}`,
    `prep -top ${FORMAL_TOP}`,
    'flatten',
    'memory_map',
    'opt -fast',
    'async2sync',
    'dffunmap',
    `sat -tempinduct -prove-asserts -set-assumes -maxsteps ${depth} -show-inputs -show-public -dump_vcd cex.vcd`,
  ].join('\n');
}

const BASE_CASE = /Base case for induction length (\d+) proven\./g;

/** Follows a growing log file: each poll reads what was appended since the last one. */
class LogFollower {
  private offset = 0;
  private tail = '';
  deepest = 0;
  constructor(private readonly file: string) {}
  poll(): number[] {
    let fd: number;
    try {
      fd = openSync(this.file, 'r');
    } catch {
      return [];
    }
    const found: number[] = [];
    try {
      const buf = Buffer.alloc(1 << 20);
      for (;;) {
        const n = readSync(fd, buf, 0, buf.length, this.offset);
        if (n <= 0) break;
        this.offset += n;
        const text = this.tail + buf.subarray(0, n).toString('latin1');
        const cut = text.lastIndexOf('\n');
        this.tail = text.slice(cut + 1);
        for (const m of text.slice(0, cut + 1).matchAll(BASE_CASE)) {
          const s = Number(m[1]);
          if (s > this.deepest) {
            this.deepest = s;
            found.push(s);
          }
        }
      }
    } finally {
      closeSync(fd);
    }
    return found;
  }
}

export async function runSat(job: SatJob): Promise<SatOutcome> {
  mkdirSync(job.dir, { recursive: true });
  const names: string[] = [];
  for (const [f, text] of job.files) {
    writeFileSync(path.join(job.dir, f), text);
    names.push(f);
  }
  const script = satScript(names, job.depth);
  writeFileSync(path.join(job.dir, 'prove.ys'), script + '\n');
  const logFile = path.join(job.dir, 'yosys.log');
  writeFileSync(logFile, '');
  const follower = new LogFollower(logFile);
  const t0 = performance.now();
  const seconds = () => (performance.now() - t0) / 1000;
  const report = () => {
    for (const s of follower.poll()) job.onStep?.(s, seconds());
  };
  const timer = setInterval(report, 1000);
  let r;
  try {
    r = await runTool('yosys', ['-l', 'yosys.log', '-q', '-s', 'prove.ys'], { cwd: job.dir, timeoutMs: Math.max(1, Math.round(job.timeoutMs ?? 10 * 60 * 1000)) });
  } finally {
    clearInterval(timer);
  }
  report();
  if (r.timedOut) return { status: 'timeout', steps: follower.deepest, seconds: seconds() };
  let log = '';
  try {
    log = readFileSync(logFile, 'utf8');
  } catch {
    log = r.stdout + r.stderr;
  }
  if (r.exitCode !== 0) throw new Error(`yosys failed (exit ${r.exitCode}) in ${job.dir}:\n${lastLines(r.stderr || log, 15)}`);
  return parseSatLog(log, job.depth, path.join(job.dir, 'cex.vcd'), seconds());
}

export function parseSatLog(log: string, depth: number, vcd: string, seconds: number): SatOutcome {
  const lengths = [...log.matchAll(BASE_CASE)].map((m) => Number(m[1]));
  const last = lengths.length ? lengths[lengths.length - 1] : 0;
  if (/Induction step proven: SUCCESS!/.test(log)) return { status: 'proved', k: last, seconds };
  if (/model found for base case: FAIL!/.test(log)) return { status: 'failed', steps: last + 1, vcd, seconds };
  if (/Reached maximum number of time steps/.test(log)) return { status: 'bounded', depth, seconds };
  throw new Error(`could not read the result of yosys sat:\n${lastLines(log, 15)}`);
}
