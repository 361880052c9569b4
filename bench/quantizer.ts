/**
 * quantizer (KIVI) benchmarks (issue 4, item 7). Built from the RTL generators directly
 * (quantizerPerTokenRtl / quantizerPerChannelRtl), not through the unit registry.
 *
 * - `quantizer-<mode>-ii`, `quantizer-<mode>-latency`: Verilator cosim without stalls on one long
 *   synthetic KV sequence (several thousand input beats); II = cycles per input beat, latency =
 *   cycles from the first accepted input beat to the first output transfer (cosim's definition:
 *   it includes filling the residual window / the first R-token block).
 * - `quantizer-recon-<keys|values>-b<b>`: reconstruction error of the golden model (bit-exact to
 *   the RTL) on synthetic keys (per-channel, outlier channels) and values (per-token), fp16, against
 *   an ideal float64 KIVI quantizer (`baseline`); value = relative MSE Σ(x̂ − x)² / Σx², extras:
 *   max |x̂ − x| in units of the group's scale, for both.
 * - `quantizer-area-<mode>`: Yosys synth_xilinx (xc7) resources of the two cosim configurations.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cosim, formatReport } from '../cosim/cosim.ts';
import { designFromModule } from '../hdl/ports/from-module.ts';
import { cacheRoot } from '../cosim/verilator/build.ts';
import type { TxnTable } from '../data/transactions.ts';
import { synthModule } from '../fpga/synth.ts';
import type { Module } from '../hdl/index.ts';
import { fpToNumber } from '../hdl/lib/float/golden/index.ts';
import { quantizerConfig, quantizerFormat, type QuantizerConfig } from '../gen/quantizer/config.ts';
import { FLAG_INVALID, FLAG_ZERO_SCALE, groupsOf, quantizeTensor } from '../gen/quantizer/golden.ts';
import { quantizerPerChannelRtl } from '../gen/quantizer/rtl-per-channel.ts';
import { perTokenTiming, quantizerPerTokenRtl } from '../gen/quantizer/rtl-per-token.ts';
import { expectedStreams, inputTransactions } from '../gen/quantizer/stream-model.ts';
import { syntheticKeys, syntheticKv, syntheticValues } from '../gen/quantizer/synthetic.ts';
import { writeResult } from './result.ts';

const log = (line: string): void => console.log(`[bench quantizer] ${line}`);
const round = (x: number, digits = 4): number => Number(x.toPrecision(digits));

/** The two hardware configurations (cosim and area). */
const HW_CONFIGS: { mode: 'per-token' | 'per-channel'; cfg: QuantizerConfig; tokens: number }[] = [
  // 300 tokens × 16 beats = 4800 beats
  { mode: 'per-token', cfg: quantizerConfig({ format: 'fp16', bits: 2, groupSize: 32, channels: 128, lanes: 8, mode: 'per-token', residual: 32 }), tokens: 300 },
  // 600 tokens × 8 beats = 4800 beats (18 blocks of 32 tokens, 24 residual tokens)
  { mode: 'per-channel', cfg: quantizerConfig({ format: 'fp16', bits: 2, groupSize: 32, channels: 64, lanes: 8, mode: 'per-channel', residual: 32 }), tokens: 600 },
];

function buildTop(cfg: QuantizerConfig): Module {
  return cfg.mode === 'per-token' ? quantizerPerTokenRtl(cfg) : quantizerPerChannelRtl(cfg);
}

async function benchCosimQuantizer(work: string): Promise<void> {
  for (const { mode, cfg, tokens } of HW_CONFIGS) {
    const top = buildTop(cfg);
    const design = designFromModule(top, path.join(work, `rtl-${mode}`));
    const stim = inputTransactions(cfg, [syntheticKv(cfg, tokens, 4242)]);
    const golden = (ins: Record<string, TxnTable>) => expectedStreams(cfg, ins as { in: TxnTable });
    const t0 = performance.now();
    const r = await cosim(design, golden, stim, { log, stall: 0, backpressure: 0 });
    const wall = (performance.now() - t0) / 1000;
    if (!r.ok) throw new Error(`bench quantizer: cosim ${mode} failed:\n${formatReport(r)}`);
    if (r.throughput.ii === null || r.latency === null || !r.throughput.measured) {
      throw new Error(`bench quantizer: cosim ${mode}: no II/latency measured (ii ${r.throughput.ii}, latency ${r.latency})`);
    }
    const beats = stim.in.count;
    const common = {
      top: design.top,
      config: cfg,
      tokens,
      inputBeats: beats,
      transactions: r.transactions,
      cycles: r.cycles,
      cosimPassed: r.ok,
      buildCached: r.buildCached,
      buildSeconds: round(r.buildSeconds),
      wallSeconds: round(wall),
    };
    writeResult({
      name: `quantizer-${mode}-ii`,
      metric: `cycles per input beat (${cfg.lanes} elements), Verilator cosim, no stalls, ${beats} beats of synthetic ${mode === 'per-token' ? 'values' : 'keys'}`,
      value: round(r.throughput.ii),
      unit: 'cycles/beat',
      elementsPerCycle: round(cfg.lanes / r.throughput.ii),
      cyclesPerTxn: r.throughput.cyclesPerTxn,
      ...common,
    });
    const windowBeats = (cfg.residual * cfg.channels) / cfg.lanes;
    writeResult({
      name: `quantizer-${mode}-latency`,
      metric: 'cycles from the first accepted input beat to the first output transfer (includes filling the R-token window/block), Verilator cosim, no stalls',
      value: r.latency,
      unit: 'cycles',
      windowBeats,
      latencyAfterWindow: r.latency - windowBeats,
      ...(mode === 'per-token' ? { perTokenTiming: perTokenTiming(cfg) } : {}),
      ...common,
    });
  }
}

/** Round half to even in float64 (torch.round). */
function roundHalfEven(t: number): number {
  const f = Math.floor(t);
  const d = t - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

interface ReconStats {
  relMse: number;
  maxErrScale: number;
  meanAbsErrScale: number;
  groups: number;
  elements: number;
}

/** Error of the golden model (format arithmetic) and of ideal float64 KIVI on the same groups. */
function reconstruction(cfg: QuantizerConfig, x: Uint16Array): { fmt: ReconStats; f64: ReconStats; skipped: number; zeroScale: number } {
  const f = quantizerFormat(cfg);
  const q = quantizeTensor(cfg, x);
  const maxq = 2 ** cfg.bits - 1;
  let num = 0, num64 = 0, den = 0, maxE = 0, maxE64 = 0, sumE = 0, sumE64 = 0, n = 0, nScaled = 0, nScaled64 = 0, groups = 0, skipped = 0, zeroScale = 0;
  for (const { at, idx } of groupsOf(cfg, q.Tq)) {
    if (q.flags[at] & FLAG_INVALID) { skipped++; continue; }
    groups++;
    const xs = idx.map((i) => fpToNumber(f, x[i]));
    const scale = fpToNumber(f, q.scale[at]);
    if (q.flags[at] & FLAG_ZERO_SCALE) zeroScale++;
    // ideal float64 KIVI on the same (exactly representable) inputs
    const mn = Math.min(...xs);
    const mx = Math.max(...xs);
    const s64 = (mx - mn) / maxq;
    idx.forEach((i, k) => {
      const v = xs[k];
      const e = fpToNumber(f, q.dequant[i]) - v;
      const c64 = s64 > 0 ? roundHalfEven(Math.min(Math.max((v - mn) / s64, 0), maxq)) : 0;
      const e64 = c64 * s64 + mn - v;
      num += e * e;
      num64 += e64 * e64;
      den += v * v;
      n++;
      if (scale > 0) {
        const u = Math.abs(e) / scale;
        maxE = Math.max(maxE, u);
        sumE += u;
        nScaled++;
      }
      if (s64 > 0) {
        const u = Math.abs(e64) / s64;
        maxE64 = Math.max(maxE64, u);
        sumE64 += u;
        nScaled64++;
      }
    });
  }
  return {
    fmt: { relMse: num / den, maxErrScale: maxE, meanAbsErrScale: sumE / nScaled, groups, elements: n },
    f64: { relMse: num64 / den, maxErrScale: maxE64, meanAbsErrScale: sumE64 / nScaled64, groups, elements: n },
    skipped,
    zeroScale,
  };
}

function benchReconstruction(): void {
  const T = 1024;
  const D = 128;
  const G = 32;
  for (const kind of ['keys', 'values'] as const) {
    for (const bits of [2, 4, 8] as const) {
      // KIVI: keys per channel, values per token; every token quantized (per-channel R = G, T a
      // multiple of it; per-token R = 0).
      const cfg = kind === 'keys'
        ? quantizerConfig({ format: 'fp16', bits, groupSize: G, channels: D, lanes: 8, mode: 'per-channel', residual: G })
        : quantizerConfig({ format: 'fp16', bits, groupSize: G, channels: D, lanes: 8, mode: 'per-token', residual: 0 });
      const f = quantizerFormat(cfg);
      const x = kind === 'keys' ? syntheticKeys(f, T, D, 1001) : syntheticValues(f, T, D, 1002);
      const r = reconstruction(cfg, x);
      writeResult({
        name: `quantizer-recon-${kind}-b${bits}`,
        metric: `relative MSE Σ(x̂−x)²/Σx² of fp16 KIVI (golden model = RTL) on synthetic ${kind} [${T}, ${D}], ${cfg.mode}, G = ${G}; baseline: ideal float64 KIVI`,
        value: round(r.fmt.relMse),
        unit: 'relative MSE',
        baseline: round(r.f64.relMse),
        ratio: round(r.fmt.relMse / r.f64.relMse),
        maxErrInScale: round(r.fmt.maxErrScale),
        maxErrInScaleFloat64: round(r.f64.maxErrScale),
        meanAbsErrInScale: round(r.fmt.meanAbsErrScale),
        meanAbsErrInScaleFloat64: round(r.f64.meanAbsErrScale),
        groups: r.fmt.groups,
        elements: r.fmt.elements,
        skippedGroups: r.skipped,
        zeroScaleGroups: r.zeroScale,
        config: cfg,
        tokens: T,
      });
    }
  }
}

async function benchArea(): Promise<void> {
  for (const { mode, cfg } of HW_CONFIGS) {
    const top = buildTop(cfg);
    const t0 = performance.now();
    const r = await synthModule(top, { target: 'xc7', log });
    const wall = (performance.now() - t0) / 1000;
    writeResult({
      name: `quantizer-area-${mode}`,
      metric: 'Yosys synth_xilinx (xc7) LUTs',
      value: r.resources.lut,
      unit: 'LUT',
      ff: r.resources.ff,
      dsp: r.resources.dsp48e1,
      bram: { ramb18e1: r.resources.ramb18e1, ramb36e1: r.resources.ramb36e1 },
      lutMemory: r.resources.lutMemory,
      carry4: r.resources.carry4,
      logicDepth: r.logicDepth,
      logicDepthAny: r.logicDepthAny,
      top: r.top,
      config: cfg,
      tools: r.tools,
      cached: r.cached,
      synthSeconds: round(r.seconds),
      wallSeconds: round(wall),
      loadAverage1m: round(os.loadavg()[0], 3),
    });
  }
}

export async function benchQuantizer(): Promise<void> {
  benchReconstruction();
  const root = cacheRoot();
  await fs.mkdir(path.join(root, 'bench'), { recursive: true });
  const work = await fs.mkdtemp(path.join(root, 'bench', 'quantizer-'));
  try {
    await benchCosimQuantizer(work);
  } finally {
    await fs.rm(work, { recursive: true, force: true });
  }
  await benchArea();
}
