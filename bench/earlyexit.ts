/**
 * earlyexit benchmarks (issue 6, item 6) on realistic data:
 *
 * - Keys: n = 256 tokens × D = 128 channels of float data with a few outlier channels (×8 scale,
 *   as in KVQuant/KIVI's observation that key outliers are per channel) and a shared "topic"
 *   direction on 6% of the tokens; quantized per channel, (a) symmetric int8 (two's complement) and
 *   (b) KIVI-style asymmetric 4-bit unsigned codes.
 * - Queries: heavy-tailed attention: q = 3·u + noise along the topic direction u, plus large
 *   weights on the outlier channels, quantized per row to int8; 32 rows.
 * - θ: per row, the score at the (1 − K/n) quantile (Top-θ's lower quantile), K/n = 5% and 10%,
 *   so about that fraction of the keys is kept (the measured rate is in the JSON).
 *
 * Results: fraction of words fetched (= planes processed, C words per plane) vs the baseline on
 * the same rows, from the Verilator cosim of both RTL configurations (no stalls, memory latency
 * fixed at 8 cycles), cycles per row for both, and Yosys synth_xilinx LUT/FF of both.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Rng } from '../data/rng.ts';
import { runUnit } from '../flow/unit-run.ts';
import { cacheRoot } from '../cosim/verilator/build.ts';
import { synthModule } from '../fpga/synth.ts';
import { earlyexitSchema, type EarlyexitConfig } from '../gen/earlyexit/config.ts';
import { earlyexitRtl } from '../gen/earlyexit/rtl.ts';
import { earlyexitUnit, rowTotals } from '../gen/earlyexit/index.ts';
import { keyImage } from '../gen/earlyexit/layout.ts';
import { queryTable, type QueryRow } from '../gen/earlyexit/stimulus.ts';
import type { StreamData } from '../gen/unit.ts';
import { writeResult } from './result.ts';
import { criticalPathText } from '../fpga/critical-path.ts';

const log = (line: string): void => console.log(`[bench earlyexit] ${line}`);
const round = (x: number, digits = 4): number => Number(x.toPrecision(digits));

const N = 256;
const D = 128;
const ROWS = 32;
const KEEPS = [0.05, 0.1];
const OUTLIERS = [5, 37, 90, 111];
const LATENCY: [number, number] = [8, 8];

function gauss(r: Rng): number {
  const u = Math.max(r.float(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r.float());
}

/** Float keys [N][D] and queries [ROWS][D] (see the file comment). */
function realisticData(seed: number): { keys: number[][]; queries: number[][] } {
  const r = new Rng(seed);
  const u = Array.from({ length: D }, () => gauss(r));
  const norm = Math.sqrt(u.reduce((s, v) => s + v * v, 0));
  const dir = u.map((v) => v / norm);
  const keys = Array.from({ length: N }, () => {
    const topic = r.chance(0.06) ? 2.5 + r.float() * 2 : 0;
    return Array.from({ length: D }, (_, d) => (gauss(r) + topic * dir[d] * Math.sqrt(D) * 0.35) * (OUTLIERS.includes(d) ? 8 : 1));
  });
  const queries = Array.from({ length: ROWS }, () =>
    Array.from({ length: D }, (_, d) => 3 * dir[d] * Math.sqrt(D) * 0.35 + gauss(r) * 0.8 + (OUTLIERS.includes(d) ? gauss(r) * 0.6 : 0)),
  );
  return { keys, queries };
}

/**
 * Per-channel quantization of the keys, symmetric int8 (signed) or asymmetric B-bit unsigned codes
 * (KIVI), and the per-channel scales. A score q·k̂ = Σ q_d·scale_d·code_d (+ Σ q_d·min_d for KIVI, the
 * same for every key of a row) is computed on codes with the effective query q_d·scale_d, which is
 * quantized to int8 per row: the outlier channels' large scales move into the query.
 */
function quantizeKeys(keys: number[][], signed: boolean, bits: number): { codes: number[][]; scale: number[] } {
  const codes = keys.map((k) => k.slice());
  const scale: number[] = [];
  for (let d = 0; d < D; d++) {
    const col = keys.map((k) => k[d]);
    if (signed) {
      const s = Math.max(...col.map(Math.abs)) / (2 ** (bits - 1) - 1) || 1;
      keys.forEach((k, t) => (codes[t][d] = Math.max(-(2 ** (bits - 1)), Math.min(2 ** (bits - 1) - 1, Math.round(k[d] / s)))));
      scale.push(s);
    } else {
      const mn = Math.min(...col);
      const s = (Math.max(...col) - mn) / (2 ** bits - 1) || 1;
      keys.forEach((k, t) => (codes[t][d] = Math.max(0, Math.min(2 ** bits - 1, Math.round((k[d] - mn) / s)))));
      scale.push(s);
    }
  }
  return { codes, scale };
}

function quantizeQuery(q: number[], bits: number): number[] {
  const s = Math.max(...q.map(Math.abs)) / (2 ** (bits - 1) - 1) || 1;
  return q.map((v) => Math.round(v / s));
}

function stimulus(cfg: EarlyexitConfig, keys: number[][], queries: number[][], keep: number): StreamData {
  const rows: QueryRow[] = queries.map((q) => {
    const s = keys.map((k) => k.reduce((a, v, d) => a + v * q[d], 0)).sort((a, b) => a - b);
    return { q, theta: BigInt(s[Math.floor((1 - keep) * N) - 1]), n: N };
  });
  return { query: queryTable(cfg, rows), keys: keyImage(cfg, keys.flat(), N) };
}

const CASES: { name: string; cfg: Record<string, unknown>; signed: boolean; bits: number }[] = [
  { name: 'int8', cfg: { dims: D, queryBits: 8, keyBits: 8, keySigned: true, keyLanes: 8, dimsPerCycle: 32, maxKeys: N }, signed: true, bits: 8 },
  { name: 'kivi4', cfg: { dims: D, queryBits: 8, keyBits: 4, keySigned: false, keyLanes: 8, dimsPerCycle: 32, maxKeys: N }, signed: false, bits: 4 },
];

export async function benchEarlyexit(opts: { area?: boolean } = {}): Promise<void> {
  const data = realisticData(2026);
  const root = cacheRoot();
  await fs.mkdir(path.join(root, 'bench'), { recursive: true });
  const work = await fs.mkdtemp(path.join(root, 'bench', 'earlyexit-'));
  try {
    for (const c of CASES) {
      const cfg = earlyexitSchema.parse(c.cfg);
      const base = { ...cfg, earlyExit: false };
      const { codes: keys, scale } = quantizeKeys(data.keys, c.signed, c.bits);
      const queries = data.queries.map((q) => quantizeQuery(q.map((v, d) => v * scale[d]), 8));
      for (const keep of KEEPS) {
        const tag = `${c.name}-keep${Math.round(keep * 100)}`;
        const stim = stimulus(cfg, keys, queries, keep);
        const ee = await runUnit(earlyexitUnit, cfg, stim, { workDir: path.join(work, `${tag}-ee`), stall: 0, memLatency: LATENCY, log });
        const bl = await runUnit(earlyexitUnit, base, stim, { workDir: path.join(work, `${tag}-bl`), stall: 0, memLatency: LATENCY, log });
        if (!ee.ok || !bl.ok) throw new Error(`bench earlyexit ${c.name}: cosim failed:\n${ee.problem}\n${bl.problem}`);
        const a = rowTotals(ee.outputs);
        const b = rowTotals(bl.outputs);
        if (ee.memoryRequests?.keys !== a.words || bl.memoryRequests?.keys !== b.words) throw new Error(`bench earlyexit ${c.name}: memory requests differ from the row counters`);
        const common = { config: cfg, rows: ROWS, keysPerRow: N, keepRate: round(a.kept / a.keys), targetKeepRate: keep, memLatency: LATENCY, outlierChannels: OUTLIERS };
        writeResult({
          name: `earlyexit-words-${tag}`,
          metric: `words fetched by early exit relative to the baseline (Verilator cosim; ${c.name} keys per channel with outlier channels, heavy-tailed queries, θ at the ${1 - keep} quantile)`,
          value: a.words,
          unit: 'words',
          baseline: b.words,
          ratio: round(a.words / b.words),
          planesFraction: round(a.planes / b.planes),
          meanPlanesPerKey: round(a.planes / a.keys),
          keyBits: cfg.keyBits,
          ...common,
        });
        writeResult({
          name: `earlyexit-cycles-${tag}`,
          metric: `cycles per row (${N} keys, Verilator, no stalls, memory latency ${LATENCY[0]} cycles)`,
          value: round(ee.cycles / ROWS),
          unit: 'cycles/row',
          baseline: round(bl.cycles / ROWS),
          ratio: round(ee.cycles / bl.cycles),
          ...common,
        });
      }
      if (opts.area !== false && c.name === 'int8') {
        const ra = await synthModule(earlyexitRtl(cfg), { target: 'xc7', log });
        const rb = await synthModule(earlyexitRtl(base), { target: 'xc7', log });
        writeResult({
          name: `earlyexit-area-${c.name}`,
          metric: 'Yosys synth_xilinx (xc7) LUTs, early exit vs baseline (the same unit with earlyExit false)',
          value: ra.resources.lut,
          unit: 'LUT',
          baseline: rb.resources.lut,
          ratio: round(ra.resources.lut / rb.resources.lut),
          ff: ra.resources.ff,
          baselineFf: rb.resources.ff,
          carry4: ra.resources.carry4,
          logicDepth: ra.logicDepth,
          baselineLogicDepth: rb.logicDepth,
          top: ra.top,
          baselineTop: rb.top,
          config: cfg,
          tools: ra.tools,
          loadAverage1m: round(os.loadavg()[0], 3),
        });
      }
    }
    if (opts.area !== false) {
      // iCE40 Fmax of the default configuration (what `kvhdl synth earlyexit --target ice40` prints), with its critical path
      const cfg = earlyexitSchema.parse({});
      const ra = await synthModule(earlyexitRtl(cfg), { target: 'ice40', log });
      const rb = await synthModule(earlyexitRtl({ ...cfg, earlyExit: false }), { target: 'ice40', log });
      if (ra.target !== 'ice40' || rb.target !== 'ice40' || ra.fmaxMHz === null || rb.fmaxMHz === null) throw new Error('bench earlyexit: no iCE40 Fmax');
      writeResult({
        name: 'earlyexit-fmax-ice40',
        metric: 'iCE40 Fmax of the default earlyexit configuration (nextpnr-ice40, pin-wrapped), early exit vs baseline (earlyExit false)',
        value: round(ra.fmaxMHz, 3),
        unit: 'MHz',
        baseline: round(rb.fmaxMHz, 3),
        ratio: round(ra.fmaxMHz / rb.fmaxMHz),
        device: ra.device,
        criticalPath: ra.criticalPath ? criticalPathText(ra.criticalPath) : null,
        baselineCriticalPath: rb.criticalPath ? criticalPathText(rb.criticalPath) : null,
        config: cfg,
        tools: ra.tools,
      });
    }
  } finally {
    await fs.rm(work, { recursive: true, force: true });
  }
}
