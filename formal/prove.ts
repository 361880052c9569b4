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
  seconds: number;
}

export interface ProveResult {
  top: string;
  depth: number;
  engine: string;
  properties: PropertyResult[];
  covers: CoverResult[];
  seconds: number;
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
  let runNo = 0;
  const run = (keep: DesignProperty[], tag: string): Promise<SatOutcome> =>
    runSat({ dir: path.join(opts.workDir, `${String(runNo++).padStart(3, '0')}-${tag}`), files: selectProperties(d, new Set(keep.map((p) => p.id))), depth: opts.depth });

  const selected = d.props.filter((p) => opts.only === undefined || p.message.includes(opts.only));
  const obligations = selected.filter((p) => p.kind === 'assert' || (p.kind === 'assume' && !p.top));
  const results = new Map<string, PropertyResult>();
  const base = (p: DesignProperty) => ({ kind: p.kind as 'assert' | 'assume', module: p.module, loc: p.loc, message: p.message, id: p.id });
  if (obligations.length) {
    log(`proving ${obligations.length} properties of ${top.name} together (depth ${opts.depth})`);
    const joint = await run(obligations, 'all');
    if (joint.status === 'proved') {
      for (const p of obligations) results.set(p.id, { ...base(p), status: 'proved', k: joint.k, seconds: joint.seconds });
    } else {
      const pending: DesignProperty[] = [];
      for (const p of obligations) {
        log(`  ${p.id} (${p.message})`);
        const r = obligations.length === 1 ? joint : await run([p], `p${p.line}-${p.module}`);
        if (r.status === 'proved') results.set(p.id, { ...base(p), status: 'proved', k: r.k, seconds: r.seconds });
        else if (r.status === 'failed') results.set(p.id, { ...base(p), status: 'failed', seconds: r.seconds, cex: await counterexample(d, r.vcd, opts) });
        else pending.push(p);
      }
      const failed = obligations.filter((p) => results.get(p.id)?.status === 'failed');
      if (pending.length && failed.length) {
        const rest = obligations.filter((p) => !failed.includes(p));
        const r = await run(rest, 'rest');
        if (r.status === 'proved') for (const p of pending) results.set(p.id, { ...base(p), status: 'proved', k: r.k, seconds: r.seconds });
      }
      for (const p of pending) {
        if (!results.has(p.id)) {
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
    else covers.push({ ...cb, status: 'not-reached', bound: opts.depth });
  }
  return {
    top: top.name,
    depth: opts.depth,
    engine: ENGINE,
    properties: obligations.map((p) => results.get(p.id)!),
    covers,
    seconds: (performance.now() - t0) / 1000,
  };
}

async function counterexample(d: FormalDesign, vcd: string, opts: ProveOptions): Promise<Counterexample> {
  const cex = readVcdSteps(readFileSync(vcd, 'utf8'));
  const replayDir = path.join(path.dirname(vcd), 'replay');
  writeReplay(replayDir, d.top, d.files, cex);
  const c: Counterexample = { vcd, steps: cex.steps.length, cycle: cex.steps.length - 2, replayDir, command: replayCommand(replayDir) };
  if (opts.replay) c.replay = (await runReplay(replayDir)).failure;
  return c;
}
