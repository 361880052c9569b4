/**
 * `kvhdl prove`: every assertion of a design (and every assumption of its submodules, which its
 * parent must guarantee) proved by k-induction with Yosys' `sat -tempinduct`, under the top's
 * assumptions (the input stream contracts). First all together; when that does not succeed, each on
 * its own (failures get a counterexample), then the rest together again without the failed ones.
 * Results: proved (induction length k) / bounded (no counterexample within the depth, but the
 * induction step did not succeed: not a proof) / failed (counterexample VCD + Verilator replay).
 * Covers: the first cycle at which each is reached, unreachable (proved), or not reached within N.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Module } from '../hdl/index.ts';
import { formalDesign, selectProperties, type DesignProperty, type FormalDesign } from './design-files.ts';
import { runSat, type SatOutcome } from './sat-run.ts';
import { readVcdSteps } from './vcd.ts';
import { replayCommand, runReplay, writeReplay, type ReplayFailure } from './replay.ts';
import { compareWithGolden, type GoldenCheck } from './replay-golden.ts';
import type { AnyUnit } from '../gen/unit.ts';

export interface Counterexample {
  /** The VCD Yosys wrote. */
  vcd: string;
  /** Steps in the counterexample (step 0 is the reset cycle). */
  steps: number;
  /** The cycle at which the property is violated (0 = the reset cycle). */
  cycle: number;
  /** Directory with the Verilator replay; `command` re-runs it. */
  replayDir: string;
  command: string;
  /** What the Verilator replay reported (when `replay` was requested). */
  replay?: ReplayFailure | null;
  /** The replay's outputs against the unit's golden model (when `replay` and `golden` were given). */
  golden?: GoldenCheck;
}

export interface PropertyResult {
  kind: 'assert' | 'assume';
  module: string;
  loc: string;
  message: string;
  /** `<module>.v:<line>` */
  id: string;
  status: 'proved' | 'bounded' | 'failed';
  /** Induction length (proved). */
  k?: number;
  /** Cycles checked without a counterexample (bounded). */
  bound?: number;
  reason?: string;
  /** Bounded because the time budget ran out (`bound` is the deepest BMC step that completed). */
  timedOut?: boolean;
  cex?: Counterexample;
  seconds: number;
}

export interface CoverResult {
  module: string;
  loc: string;
  message: string;
  id: string;
  status: 'reached' | 'unreachable' | 'not-reached';
  /** First cycle it holds (reached; 0 = the reset cycle). */
  cycle?: number;
  bound?: number;
  /** Why it is not-reached short of the depth (the time budget ran out). */
  reason?: string;
  seconds: number;
}

export interface ProveResult {
  top: string;
  depth: number;
  engine: string;
  properties: PropertyResult[];
  covers: CoverResult[];
  seconds: number;
  /** The time budget (minutes) when one was set; `timedOut` when it ran out before every run finished. */
  timeoutMin?: number;
  timedOut?: boolean;
}

export interface ProveOptions {
  /** Maximum induction length / BMC depth (steps). */
  depth: number;
  /** Scratch directory for the runs. */
  workDir: string;
  /** Replay each counterexample in Verilator (slower: one Verilator build each). */
  replay?: boolean;
  log?: (line: string) => void;
  /** Only the properties and covers whose message contains this text. */
  only?: string;
  /**
   * Time budget of the whole proof in milliseconds. When it runs out, Yosys is stopped and every
   * obligation not yet proved or failed is reported bounded to the deepest BMC step that completed
   * (in the joint run or its own run), with the reason; covers not yet checked say so.
   */
  timeoutMs?: number;
  /** The unit and configuration the top was built from: replays compare its outputs with the golden model. */
  golden?: { unit: AnyUnit; config: unknown };
}

export const ENGINE = 'yosys sat -tempinduct (built-in SAT solver)';

export async function proveModule(top: Module, opts: ProveOptions): Promise<ProveResult> {
  return proveDesign(formalDesign(top), opts);
}

/** Proves a design's files as given (tests mutate the Verilog text of `formalDesign(top)` to inject bugs). */
export async function proveDesign(d: FormalDesign, opts: ProveOptions): Promise<ProveResult> {
  const t0 = performance.now();
  const top = d.top;
  const log = opts.log ?? (() => {});
  const deadline = opts.timeoutMs === undefined ? Infinity : t0 + opts.timeoutMs;
  const budgetText = opts.timeoutMs === undefined ? '' : `${+(opts.timeoutMs / 60_000).toFixed(2)} min`;
  let timedOut = false;
  let runNo = 0;
  const run = (keep: DesignProperty[], tag: string): Promise<SatOutcome> => {
    const name = `${String(runNo++).padStart(3, '0')}-${tag}`;
    const left = deadline - performance.now();
    if (left <= 0) return Promise.resolve({ status: 'timeout', steps: 0, seconds: 0 });
    return runSat({
      dir: path.join(opts.workDir, name),
      files: selectProperties(d, new Set(keep.map((p) => p.id))),
      depth: opts.depth,
      timeoutMs: Math.min(left, 24 * 3600_000),
      onStep: (n, s) => log(`  ${name}: BMC step ${n}/${opts.depth} done, no counterexample (${s.toFixed(0)} s)`),
    });
  };
  const outOfTime = (steps: number, where: string) => {
    timedOut = true;
    if (steps >= opts.depth) return `no counterexample within ${steps} cycles; induction did not converge, and the time budget of ${budgetText} ran out ${where}`;
    return `time budget of ${budgetText} ran out ${where}: no counterexample within ${steps} cycles (BMC step ${steps + 1} did not finish); induction not tried further`;
  };

  const selected = d.props.filter((p) => opts.only === undefined || p.message.includes(opts.only));
  const obligations = selected.filter((p) => p.kind === 'assert' || (p.kind === 'assume' && !p.top));
  const results = new Map<string, PropertyResult>();
  const base = (p: DesignProperty) => ({ kind: p.kind as 'assert' | 'assume', module: p.module, loc: p.loc, message: p.message, id: p.id });
  if (obligations.length) {
    log(`proving ${obligations.length} properties of ${top.name} together (depth ${opts.depth}${budgetText ? `, time budget ${budgetText}` : ''})`);
    const joint = await run(obligations, 'all');
    if (joint.status === 'proved') {
      for (const p of obligations) results.set(p.id, { ...base(p), status: 'proved', k: joint.k, seconds: joint.seconds });
    } else if (joint.status === 'timeout') {
      const reason = outOfTime(joint.steps, 'in the joint run of all properties');
      for (const p of obligations) results.set(p.id, { ...base(p), status: 'bounded', bound: joint.steps, timedOut: true, reason, seconds: joint.seconds });
    } else {
      const pending: DesignProperty[] = [];
      const ownTimeout = new Map<string, { steps: number; seconds: number }>();
      for (const p of obligations) {
        log(`  ${p.id} (${p.message})`);
        const r = obligations.length === 1 ? joint : await run([p], `p${p.line}-${p.module}`);
        if (r.status === 'proved') results.set(p.id, { ...base(p), status: 'proved', k: r.k, seconds: r.seconds });
        else if (r.status === 'failed') results.set(p.id, { ...base(p), status: 'failed', seconds: r.seconds, cex: await counterexample(d, r.vcd, opts) });
        else {
          if (r.status === 'timeout') ownTimeout.set(p.id, r);
          pending.push(p);
        }
      }
      const failed = obligations.filter((p) => results.get(p.id)?.status === 'failed');
      if (pending.length && failed.length && performance.now() < deadline) {
        const rest = obligations.filter((p) => !failed.includes(p));
        const r = await run(rest, 'rest');
        if (r.status === 'proved') for (const p of pending) results.set(p.id, { ...base(p), status: 'proved', k: r.k, seconds: r.seconds });
      }
      // The joint run found a counterexample at step `joint.steps` for some property: every
      // property held in the steps before it.
      const jointSteps = joint.status === 'failed' ? joint.steps - 1 : opts.depth;
      for (const p of pending) {
        if (results.has(p.id)) continue;
        const t = ownTimeout.get(p.id);
        if (t) {
          const bound = Math.max(t.steps, jointSteps);
          results.set(p.id, { ...base(p), status: 'bounded', bound, timedOut: true, reason: outOfTime(bound, 'in its own run'), seconds: t.seconds });
        } else {
          results.set(p.id, { ...base(p), status: 'bounded', bound: opts.depth, reason: `no counterexample within ${opts.depth} cycles; induction did not converge up to length ${opts.depth}`, seconds: 0 });
        }
      }
    }
  }
  const covers: CoverResult[] = [];
  for (const c of selected.filter((p) => p.kind === 'cover')) {
    const r = await run([c], `c${c.line}-${c.module}`);
    const cb = { module: c.module, loc: c.loc, message: c.message, id: c.id, seconds: r.seconds };
    if (r.status === 'failed') covers.push({ ...cb, status: 'reached', cycle: readVcdSteps(readFileSync(r.vcd, 'utf8')).steps.length - 2 });
    else if (r.status === 'proved') covers.push({ ...cb, status: 'unreachable' });
    else if (r.status === 'timeout') {
      timedOut = true;
      covers.push({ ...cb, status: 'not-reached', bound: r.steps, reason: `time budget of ${budgetText} ran out` });
    } else covers.push({ ...cb, status: 'not-reached', bound: opts.depth });
  }
  const result: ProveResult = {
    top: top.name,
    depth: opts.depth,
    engine: ENGINE,
    properties: obligations.map((p) => results.get(p.id)!),
    covers,
    seconds: (performance.now() - t0) / 1000,
  };
  if (opts.timeoutMs !== undefined) {
    result.timeoutMin = opts.timeoutMs / 60_000;
    result.timedOut = timedOut;
  }
  return result;
}

async function counterexample(d: FormalDesign, vcd: string, opts: ProveOptions): Promise<Counterexample> {
  const cex = readVcdSteps(readFileSync(vcd, 'utf8'));
  const replayDir = path.join(path.dirname(vcd), 'replay');
  writeReplay(replayDir, d.top, d.files, cex, opts.golden ? { name: opts.golden.unit.name, config: opts.golden.config } : undefined);
  const c: Counterexample = { vcd, steps: cex.steps.length, cycle: cex.steps.length - 2, replayDir, command: replayCommand(replayDir) };
  if (opts.replay) {
    const r = await runReplay(replayDir);
    c.replay = r.failure;
    if (opts.golden) c.golden = compareWithGolden(opts.golden.unit, opts.golden.config, d.top, r.txns);
  }
  return c;
}
