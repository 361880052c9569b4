/**
 * selector benchmarks (issue 5, item 7): design-space exploration at W = 16, N = 4096, P = 8,
 * P_out = 8, k = 64.
 *
 * - `selector-<core>-throughput`: scores per cycle, Verilator cosim without stalls, on synthetic
 *   attention rows of length 2048..4096 (threshold mode uses the table calibrated below).
 * - `selector-<core>-area`: Yosys synth_xilinx (xc7) LUT/FF/BRAM of the same configuration;
 *   `selector-gearbox-only-area`: the shared output compaction (register + gearbox) alone.
 * - `selector-topk-recall`: calibrated Top-theta (sigma = 0) on held-out synthetic rows: the mean
 *   recall of the true top-k and the mean kept count (extras: other sigmas, and the attention
 *   output error with and without softmax-denominator / V-mean compensation).
 */
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync } from 'node:fs';
import { runUnit } from '../flow/unit-run.ts';
import { synthModule } from '../fpga/synth.ts';
import { selectorUnit } from '../gen/selector/index.ts';
import { selectorConfig, type SelectorConfig } from '../gen/selector/config.ts';
import { selectorCore } from '../gen/selector/rtl.ts';
import { selectRow, topkIndices } from '../gen/selector/golden.ts';
import { bucketOf } from '../gen/selector/config.ts';
import { calibrate } from '../gen/selector/calibrate.ts';
import { encodeInput, tableWrites, type InItem } from '../gen/selector/stimulus.ts';
import { syntheticRows, type SyntheticRows } from '../gen/selector/synthetic.ts';
import { fullAttention, sparseAttention, type CompensationOptions } from '../gen/selector/compensation.ts';
import { Rng } from '../data/rng.ts';
import type { ThetaTable } from '../gen/selector/thresholds.ts';
import { Bool, ModuleBuilder, SInt, UInt, log2Ceil, moduleName, type Module } from '../hdl/index.ts';
import { gearbox, type LaneBeat } from '../gen/selector/rtl-gearbox.ts';
import { writeResult } from './result.ts';
import { benchSelectorDse } from './selector-dse.ts';

const log = (line: string): void => console.log(`[bench selector] ${line}`);
const round = (x: number, digits = 4): number => Number(x.toPrecision(digits));

const W = 16;
const N = 4096;
const K = 64;
const base = { scoreBits: W, maxRow: N, lanes: 8, outLanes: 8, k: K, heads: 2, layers: 2, rowBuckets: [1024, 2048, 3072, 4096] };
const HW: { name: string; cfg: SelectorConfig }[] = [
  { name: 'threshold', cfg: selectorConfig({ ...base, mode: 'threshold' }) },
  { name: 'threshold-caplast', cfg: selectorConfig({ ...base, mode: 'threshold', capK: 2 * K, capPolicy: 'last' }) },
  { name: 'topk-insertion', cfg: selectorConfig({ ...base, mode: 'topk', arch: 'insertion' }) },
  { name: 'topk-systolic', cfg: selectorConfig({ ...base, mode: 'topk', arch: 'systolic' }) },
  { name: 'topk-radix-r4', cfg: selectorConfig({ ...base, mode: 'topk', arch: 'radix', radixBits: 4 }) },
  { name: 'topk-radix-r2', cfg: selectorConfig({ ...base, mode: 'topk', arch: 'radix', radixBits: 2 }) },
];

const rowsOf = (syn: SyntheticRows) => syn.scores.map((s, i) => ({ layer: syn.layers[i], head: syn.heads[i], scores: s }));

function calibrated(sigma: number, calib: SyntheticRows): ThetaTable {
  return calibrate(rowsOf(calib), { k: K, sigma, buckets: base.rowBuckets, heads: base.heads, layers: base.layers });
}

async function benchThroughputAndArea(table: ThetaTable): Promise<void> {
  const test = syntheticRows({ rows: 12, scoreBits: W, minLen: 2048, maxLen: N, heads: 2, layers: 2, seed: 99 });
  const scores = test.scores.reduce((a, s) => a + s.length, 0);
  for (const { name, cfg } of HW) {
    const items: InItem[] = [...(cfg.mode === 'threshold' ? tableWrites(cfg, table) : []), ...rowsOf(test).map((r) => ({ kind: 'row' as const, ...r }))];
    const stim = encodeInput(cfg, items);
    const t0 = performance.now();
    const r = await runUnit(selectorUnit, cfg, stim, { workDir: mkdtempSync(path.join(os.tmpdir(), `kvhdl-bench-sel-${name}-`)), seed: 1, stall: 0, log });
    if (!r.ok) throw new Error(`bench selector: cosim ${name} failed:\n${r.problem}`);
    const wall = (performance.now() - t0) / 1000;
    const kept = selectorUnit.toNpy(cfg, r.outputs).counts.data as Int32Array;
    let keptSum = 0;
    for (let i = 0; i < kept.length; i += 2) keptSum += kept[i];
    writeResult({
      name: `selector-${name}-throughput`,
      metric: `scores per cycle, Verilator cosim without stalls, ${test.scores.length} synthetic attention rows of 2048..${N} scores (W=${W}, P=${cfg.lanes}, P_out=${cfg.outLanes}, k=${K})`,
      value: round(scores / r.cycles),
      unit: 'scores/cycle',
      core: selectorCore(cfg),
      cycles: r.cycles,
      scores,
      inputII: r.ii === null ? null : round(r.ii),
      meanKept: round(keptSum / test.scores.length),
      top: r.top,
      config: cfg,
      wallSeconds: round(wall),
    });
  }
  const areas: { name: string; cfg: SelectorConfig; top: Module }[] = [
    ...HW.map(({ name, cfg }) => ({ name, cfg, top: selectorUnit.build(cfg) })),
    { name: 'gearbox-only', cfg: HW[0].cfg, top: gearboxOnly(HW[0].cfg) },
  ];
  for (const { name, cfg, top } of areas) {
    const t0 = performance.now();
    const s = await synthModule(top, { target: 'xc7', log });
    writeResult({
      name: `selector-${name}-area`,
      metric: `Yosys synth_xilinx (xc7) LUTs, W=${W} N=${N} P=${cfg.lanes} P_out=${cfg.outLanes} k=${K}`,
      value: s.resources.lut,
      unit: 'LUT',
      ff: s.resources.ff,
      bram: { ramb18e1: s.resources.ramb18e1, ramb36e1: s.resources.ramb36e1 },
      lutMemory: s.resources.lutMemory,
      carry4: s.resources.carry4,
      logicDepth: s.logicDepth,
      core: name === 'gearbox-only' ? 'compaction register + gearbox alone (shared by every core)' : selectorCore(cfg),
      top: s.top,
      config: cfg,
      tools: s.tools,
      cached: s.cached,
      synthSeconds: round(s.seconds),
      wallSeconds: round((performance.now() - t0) / 1000),
    });
  }
}

/** The shared compaction register + gearbox alone (rtl-gearbox.ts), to show its share of the area. */
function gearboxOnly(cfg: SelectorConfig): Module {
  const P = cfg.lanes;
  const m = new ModuleBuilder(moduleName('kv_select_gearbox', { w: cfg.scoreBits, n: cfg.maxRow, p: P, q: cfg.outLanes }));
  const IW = log2Ceil(cfg.maxRow);
  const src: LaneBeat = {
    valid: m.input('lanes_valid', Bool),
    idx: Array.from({ length: P }, (_, i) => m.input(`lanes_idx_${i}`, UInt(IW))),
    score: Array.from({ length: P }, (_, i) => m.input(`lanes_score_${i}`, SInt(cfg.scoreBits))),
    keep: Array.from({ length: P }, (_, i) => m.input(`lanes_keep_${i}`, Bool)),
    end: m.input('lanes_end', Bool),
  };
  m.output('lanes_ready', Bool).set(gearbox(m, cfg, src));
  return m.build();
}

/** Relative L2 error of sparse vs full attention output, mean over rows. */
function attentionError(test: SyntheticRows, kept: number[][], thetas: (number | null)[], o: CompensationOptions): number {
  const unit = 2 ** (W - 5); // synthetic.ts: one logit = 2^(W-5) counts
  const r = new Rng(5);
  let sum = 0;
  test.scores.forEach((s, i) => {
    const logits = s.map((x) => x / unit);
    const v = s.map(() => Array.from({ length: 8 }, () => r.float() * 2 - 1));
    const full = fullAttention(logits, v);
    const th = thetas[i];
    const sp = sparseAttention(logits, v, kept[i], { ...o, theta: th === null ? undefined : th / unit });
    const num = Math.hypot(...full.map((x, c) => x - sp[c]));
    sum += num / Math.hypot(...full);
  });
  return sum / test.scores.length;
}

function benchRecall(): ThetaTable {
  const calib = syntheticRows({ rows: 600, scoreBits: W, minLen: 512, maxLen: N, heads: 2, layers: 2, seed: 1 });
  const test = syntheticRows({ rows: 300, scoreBits: W, minLen: 512, maxLen: N, heads: 2, layers: 2, seed: 2 });
  const cfg = selectorConfig({ ...base, mode: 'threshold' });
  const per: Record<string, { recall: number; meanKept: number; overKFraction: number }> = {};
  let main: ThetaTable | null = null;
  let errs: Record<string, number> = {};
  for (const sigma of [0, 0.5, 1, 2]) {
    const table = calibrated(sigma, calib);
    if (sigma === 0) main = table;
    let rec = 0;
    let keptSum = 0;
    let over = 0;
    const kept: number[][] = [];
    const thetas: (number | null)[] = [];
    test.scores.forEach((s, i) => {
      const theta = s.length > K ? table.theta[test.layers[i]][test.heads[i]][bucketOf(base.rowBuckets, s.length)] : null;
      const res = selectRow(cfg, s, theta);
      const truth = new Set(topkIndices(s, K));
      rec += res.kept.filter((x) => truth.has(x)).length / truth.size;
      keptSum += res.kept.length;
      if (res.kept.length > K) over++;
      kept.push(res.kept);
      thetas.push(theta);
    });
    per[`sigma=${sigma}`] = { recall: round(rec / test.scores.length), meanKept: round(keptSum / test.scores.length), overKFraction: round(over / test.scores.length) };
    if (sigma === 0) {
      const topk = test.scores.map((s) => topkIndices(s, K));
      errs = {
        topkNoComp: round(attentionError(test, topk, thetas, {})),
        topkExactSdc: round(attentionError(test, topk, thetas, { sdc: 'exact' })),
        thetaNoComp: round(attentionError(test, kept, thetas, {})),
        thetaExpThresholdSdc: round(attentionError(test, kept, thetas, { sdc: 'exp-threshold' })),
        thetaExactSdc: round(attentionError(test, kept, thetas, { sdc: 'exact' })),
        thetaExpThresholdSdcVmc: round(attentionError(test, kept, thetas, { sdc: 'exp-threshold', vmc: true })),
      };
    }
  }
  const m = per['sigma=0'];
  writeResult({
    name: 'selector-topk-recall',
    metric: `mean recall of the true top-${K} by calibrated Top-theta (sigma 0; 600 calibration rows, 300 held-out rows of 512..${N} synthetic heavy-tailed scores with a sink and a local window)`,
    value: m.recall,
    unit: 'fraction',
    meanKept: m.meanKept,
    bySigma: per,
    attentionRelativeL2Error: errs,
    buckets: base.rowBuckets,
  });
  return main!;
}

export async function benchSelector(): Promise<void> {
  const table = benchRecall();
  await benchThroughputAndArea(table);
  await benchSelectorDse();
}
