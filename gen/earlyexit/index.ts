/** The earlyexit unit: bit-serial MSB-first q·k scores with provably safe early exit (README.md). */
import type { PostCosimResult, StreamData, UnitDef } from '../unit.ts';
import { dimsOf, earlyexitSchema, type EarlyexitConfig } from './config.ts';
import { earlyexitGolden } from './golden.ts';
import { keyMemory } from './layout.ts';
import { earlyexitRtl } from './rtl.ts';
import { earlyexitFromNpy, earlyexitRandomStimulus, earlyexitToNpy } from './stimulus.ts';

export type { EarlyexitConfig } from './config.ts';

/**
 * The stimulus each config object was last given by `fromNpy`/`randomStimulus`. `postCosim` only
 * receives the outputs, and the baseline RTL needs the same inputs: `kvhdl cosim` passes the one
 * config object through fromNpy, the simulation and postCosim, so the inputs are found here.
 */
const stimulusOf = new WeakMap<object, StreamData>();

/** Totals of a run's row records: keys, kept keys, planes and words fetched. */
export function rowTotals(outputs: StreamData): { rows: number; keys: number; kept: number; planes: number; words: number } {
  const row = outputs.row;
  const sum = (f: string): number => {
    let s = 0;
    for (let r = 0; r < row.count; r++) s += Number(row.get(r, f));
    return s;
  };
  return { rows: row.count, keys: sum('keys'), kept: sum('kept'), planes: sum('planes'), words: sum('words') };
}

/** The baseline (early exit off) of a configuration. */
export function baselineConfig(cfg: EarlyexitConfig): EarlyexitConfig {
  return { ...cfg, earlyExit: false };
}

/** Baseline counters without simulation: every plane of every key. */
function baselineTotals(cfg: EarlyexitConfig, keys: number): { planes: number; words: number } {
  const { B, C } = dimsOf(cfg);
  return { planes: keys * B, words: keys * B * C };
}

export const earlyexitUnit: UnitDef<EarlyexitConfig> = {
  name: 'earlyexit',
  summary: 'bit-serial MSB-first q.k attention scores that stop fetching a key\'s bit-planes once it provably cannot pass theta',
  schema: earlyexitSchema,
  build: earlyexitRtl,
  golden: earlyexitGolden,
  randomStimulus(cfg, seed, n) {
    const s = earlyexitRandomStimulus(cfg, seed, n);
    stimulusOf.set(cfg, s);
    return s;
  },
  fromNpy(cfg, arrays) {
    const s = earlyexitFromNpy(cfg, arrays);
    stimulusOf.set(cfg, s);
    return s;
  },
  toNpy: earlyexitToNpy,
  memories: (cfg) => [keyMemory(cfg)],
  goldenReport(cfg, _inputs, outputs) {
    const t = rowTotals(outputs);
    return { rows: t.rows, keys: t.keys, kept: t.kept, planes: t.planes, words: t.words, baseline: baselineTotals(cfg, t.keys) };
  },
  async postCosim(cfg, outputs, run): Promise<PostCosimResult> {
    const t = rowTotals(outputs);
    const own = { rows: t.rows, keys: t.keys, kept: t.kept, planes: t.planes, words: t.words };
    const stimulus = stimulusOf.get(cfg);
    if (!stimulus) {
      return { ok: false, arrays: {}, problem: 'earlyexit postCosim: no stimulus known for this config object (give it to fromNpy first)', report: own };
    }
    const bcfg = baselineConfig(cfg);
    const r = await run(earlyexitUnit, bcfg, stimulus, 'baseline');
    const b = rowTotals(r.outputs);
    // The baseline must keep the same keys with the same scores (only planes and traffic differ).
    const a = earlyexitToNpy(cfg, outputs);
    const z = earlyexitToNpy(bcfg, r.outputs);
    const same = ['kept', 'scores'].every((k) => a[k].data.length === z[k].data.length && a[k].data.every((v, i) => v === z[k].data[i]));
    const problem = !r.ok ? `baseline: ${r.problem}` : !same ? 'baseline: kept keys or scores differ from the early-exit run' : '';
    return {
      ok: r.ok && same,
      arrays: {},
      problem,
      report: { ...own, baseline: { top: r.top, ok: r.ok, cycles: r.cycles, planes: b.planes, words: b.words } },
    };
  },
  npyInputs: {
    q: 'q.npy: int32 [rows, D], Wq-bit signed queries',
    k: 'k.npy: int32 [n, D], B-bit keys (signed or unsigned per config), n <= maxKeys',
    theta: 'theta.npy: int64 [rows], keep key t iff q.k_t > theta',
  },
  referenceConfigs: [
    { dims: 64, queryBits: 8, keyBits: 8, keySigned: true, keyLanes: 8, earlyExit: true },
    { dims: 64, queryBits: 8, keyBits: 8, keySigned: true, keyLanes: 8, earlyExit: false },
    { dims: 128, queryBits: 8, keyBits: 4, keySigned: false, keyLanes: 8, dimsPerCycle: 32, earlyExit: true },
  ],
  elementsPerBeat: (cfg) => cfg.dims,
};
