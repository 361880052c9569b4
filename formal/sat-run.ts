/**
 * One Yosys run: `read_verilog -formal`, flatten, map memories, then `sat -tempinduct -prove-asserts
 * -set-assumes` (temporal k-induction with Yosys' built-in SAT solver; no external solver). The log
 * says one of: the induction step proven at length k (SUCCESS), a model for the base case (FAIL, a
 * counterexample, dumped as VCD), or the maximum number of steps reached (the base case held for
 * every length up to the depth but the induction step never did: a bounded result, not a proof).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { lastLines, runTool } from '../toolchain/run-tool.ts';
import { FORMAL_TOP } from './design-files.ts';

export type SatOutcome =
  | { status: 'proved'; k: number; seconds: number }
  | { status: 'failed'; steps: number; vcd: string; seconds: number }
  | { status: 'bounded'; depth: number; seconds: number };

export interface SatJob {
  /** Directory for this run's files (Verilog, script, log, VCD). */
  dir: string;
  /** Every Verilog file, the wrapper `kv_formal_top.v` included. */
  files: Map<string, string>;
  depth: number;
  timeoutMs?: number;
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

export async function runSat(job: SatJob): Promise<SatOutcome> {
  mkdirSync(job.dir, { recursive: true });
  const names: string[] = [];
  for (const [f, text] of job.files) {
    writeFileSync(path.join(job.dir, f), text);
    names.push(f);
  }
  const script = satScript(names, job.depth);
  writeFileSync(path.join(job.dir, 'prove.ys'), script + '\n');
  const t0 = performance.now();
  const r = await runTool('yosys', ['-l', 'yosys.log', '-q', '-s', 'prove.ys'], { cwd: job.dir, timeoutMs: job.timeoutMs ?? 10 * 60 * 1000 });
  const seconds = (performance.now() - t0) / 1000;
  if (r.timedOut) throw new Error(`yosys timed out in ${job.dir}`);
  const { readFileSync } = await import('node:fs');
  let log = '';
  try {
    log = readFileSync(path.join(job.dir, 'yosys.log'), 'utf8');
  } catch {
    log = r.stdout + r.stderr;
  }
  if (r.exitCode !== 0) throw new Error(`yosys failed (exit ${r.exitCode}) in ${job.dir}:\n${lastLines(r.stderr || log, 15)}`);
  return parseSatLog(log, job.depth, path.join(job.dir, 'cex.vcd'), seconds);
}

export function parseSatLog(log: string, depth: number, vcd: string, seconds: number): SatOutcome {
  const lengths = [...log.matchAll(/Base case for induction length (\d+) proven\./g)].map((m) => Number(m[1]));
  const last = lengths.length ? lengths[lengths.length - 1] : 0;
  if (/Induction step proven: SUCCESS!/.test(log)) return { status: 'proved', k: last, seconds };
  if (/model found for base case: FAIL!/.test(log)) return { status: 'failed', steps: last + 1, vcd, seconds };
  if (/Reached maximum number of time steps/.test(log)) return { status: 'bounded', depth, seconds };
  throw new Error(`could not read the result of yosys sat:\n${lastLines(log, 15)}`);
}
