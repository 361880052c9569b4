/** The Verilator back end (`../backend.ts`): `cosim()` with the generated C++ testbench. */
import type { SimBackend } from '../backend.ts';
import { cosim } from '../cosim.ts';
import { formatReport } from '../report.ts';
import { readOutputs } from '../stimulus-files.ts';
import { checkDesign, DesignError } from './design-check.ts';
import { buildSimulator } from './build.ts';
import { generateTestbench } from './tbgen.ts';

export const verilatorBackend: SimBackend = {
  name: 'verilator',
  check(design) {
    try {
      checkDesign(design);
      return [];
    } catch (e) {
      if (e instanceof DesignError) return e.problems;
      throw e;
    }
  },
  async build(design, o = {}) {
    checkDesign(design);
    const b = await buildSimulator(design, { designHeader: generateTestbench(design) }, { trace: o.trace ? 'fst' : false, cacheDir: o.cacheDir, log: o.log });
    return { cached: b.cached, seconds: b.seconds, dir: b.dir };
  },
  async run(design, stimulus, expected, o) {
    const r = await cosim(design, () => expected, stimulus, {
      seed: o.seed,
      stall: o.stall,
      backpressure: o.stall,
      trace: o.trace ? 'fst' : false,
      runDir: o.runDir,
      keepRunDir: true,
      rerunCommand: o.rerunCommand,
      log: o.log,
      cacheDir: o.cacheDir,
      laneWidths: o.laneWidths,
      ...(o.memLatency ? { memLatency: o.memLatency } : {}),
    });
    const outputs = await readOutputs(o.runDir, design);
    if (r.traceFile) o.log?.(`waveform: ${r.traceFile}`);
    return {
      ok: r.ok,
      simulator: 'verilator',
      top: design.top,
      outputs,
      cycles: r.cycles,
      transactions: r.transactions,
      ii: r.throughput.ii,
      iiUnderStall: !r.throughput.measured,
      latency: r.latency,
      ...(r.traceFile ? { traceFile: r.traceFile } : {}),
      problem: r.ok ? '' : formatReport(r),
      rerun: r.rerun,
      build: { cached: r.buildCached, seconds: r.buildSeconds },
      verilator: r,
      ...(r.memories ? { memoryRequests: Object.fromEntries(Object.entries(r.memories).map(([k, m]) => [k, m.requests])) } : {}),
    };
  },
};
