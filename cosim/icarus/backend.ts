/** The Icarus back end (`../backend.ts`): the `kvhdl_tb` Verilog testbench, compared in TypeScript. */
import type { SimBackend } from '../backend.ts';
import { withoutMemoryStreams } from '../../hdl/ports/design.ts';
import { compareOutputs } from '../report.ts';
import { rerunLine } from '../rerun-command.ts';
import { icarusRun, IcarusError } from './run.ts';
import { checkDesign, designProblems, generateTestbench } from './testbench.ts';
import { buildIcarus, IcarusBuildError } from './build.ts';

export const icarusBackend: SimBackend = {
  name: 'icarus',
  check(design) {
    return designProblems(design);
  },
  async build(design, o = {}) {
    // The testbench icarusRun generates (default memOutstanding); `+vcd` is a plusarg, so a traced run uses the same build.
    try {
      checkDesign(design);
    } catch (e) {
      throw new IcarusError((e as Error).message);
    }
    try {
      const b = await buildIcarus(design, generateTestbench(design), { cacheDir: o.cacheDir, log: o.log });
      return { cached: b.cached, seconds: b.seconds, dir: b.dir };
    } catch (e) {
      throw e instanceof IcarusBuildError ? new IcarusError(e.message) : e;
    }
  },
  async run(design, stimulus, expected, o) {
    o.log?.(`icarus: simulating ${design.top}`);
    const maxTransactions = Math.max(...Object.values(stimulus).map((t) => t.count), 1);
    // The golden counts let the testbench wait for outputs that backpressure delays (a high stall).
    const expectedOutputs = Object.fromEntries(Object.entries(expected).map(([k, t]) => [k, t.count]));
    const iv = await icarusRun(design, stimulus, {
      seed: o.seed,
      stall: o.stall,
      backpressure: o.stall,
      runDir: o.runDir,
      maxTransactions,
      expectedOutputs,
      trace: o.trace,
      ...(o.cacheDir ? { cacheDir: o.cacheDir } : {}),
      ...(o.log ? { log: o.log } : {}),
      ...(o.memLatency ? { memLatency: o.memLatency } : {}),
    });
    if (iv.traceFile) o.log?.(`waveform: ${iv.traceFile}`);
    const cmp = compareOutputs(withoutMemoryStreams(design), expected, iv.outputs, {}, { seed: o.seed, laneWidths: o.laneWidths });
    const problems = [...(iv.hang ? [iv.hang.message] : []), ...iv.protocolErrors, ...(cmp ? [cmp.message] : [])];
    return {
      ok: problems.length === 0,
      simulator: 'icarus',
      top: design.top,
      outputs: iv.outputs,
      cycles: iv.cycles,
      transactions: Object.fromEntries(Object.entries(iv.outputs).map(([k, t]) => [k, t.count]).concat(Object.entries(iv.consumed))),
      ii: null,
      iiUnderStall: o.stall > 0,
      latency: null,
      ...(iv.traceFile ? { traceFile: iv.traceFile } : {}),
      problem: problems.join('\n'),
      rerun: rerunLine({ seed: o.seed, command: o.rerunCommand, direct: iv.rerun }),
      build: { cached: iv.build.cached, seconds: iv.build.seconds },
      ...(iv.memories ? { memoryRequests: Object.fromEntries(Object.entries(iv.memories).map(([k, m]) => [k, m.requests])) } : {}),
    };
  },
};
