/**
 * nuq benchmarks (issue 17): reconstruction error of KIVI uniform (b = 2, 3, 4; per-channel groups
 * of G = 32 tokens, the quantizer's golden arithmetic) beside NUQ (b = 2, 3, 4; f = 0, 0.1 %, 1 %;
 * per-channel codebooks calibrated by gen/nuq/calibrate.ts) on the same keys, in one run:
 *
 * - data `keys`: the quantizer bench's synthetic keys (syntheticKeys(fp16, ·, 128, 1001), outlier
 *   channels): evaluated on tokens 0..1023 (exactly the quantizer bench's tensor), NUQ calibrated on
 *   tokens 1024..2047 of the same generator (same channels, disjoint tokens);
 * - data `heavy`: heavyTailedKeys (outlier channels, Student-t(3) noise), split the same way.
 *
 * Per method: relative MSE Σ(x̂ − x)²/Σx², and the attention-score error Σ(q·k̂ − q·k)²/Σ(q·k)²
 * for 16 heavy-tailed queries (Student-t(3) components), float64 dot products; bits per element
 * counts codes plus side data (KIVI: fp16 scale + min per group; NUQ: 64 bits per sparse outlier,
 * the per-channel tables are amortised away). Results: bench/out/nuq-recon-<data>-<method>.json and
 * bench/out/nuq-claim-keys.json (does NUQ b = 3, f = 1 % beat uniform b = 4 on the keys?).
 * - per-token mode on values (`nuq-recon-values-*`, `nuq-recon-heavy-values-*`): KIVI uniform
 *   per-token (G = 32 channels) vs NUQ per-token (shared codebook, f = 0, 2 %, 5 %); golden models.
 * - `nuq-ii`: Verilator cosim of the nuq RTL (fp16, b = 3, D = 16, P = 2) without stalls on
 *   calibrated heavy-tailed keys (~1 % special values on top of the calibrated f = 5 %): cycles per
 *   input beat (table-load beats included).
 * - `nuq-deq-ii`, `nuq-deq-per-token-ii`: the dequantize modes (per channel, per token) without
 *   stalls: cycles per code beat with the sparse merge (and, per token, without outliers).
 * `npx tsx bench/nuq.ts deq-per-token`: only `nuq-deq-per-token-ii`.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { cosim, formatReport } from '../cosim/cosim.ts';
import { designFromModule } from '../hdl/ports/from-module.ts';
import { cacheRoot } from '../cosim/verilator/build.ts';
import type { TxnTable } from '../data/transactions.ts';
import { nuqConfig, type NuqConfig } from '../gen/nuq/config.ts';
import { nuqUnit } from '../gen/nuq/index.ts';
import { Rng } from '../data/rng.ts';
import { FP16 } from '../hdl/lib/float/format.ts';
import { fpFromNumber, fpToNumber } from '../hdl/lib/float/golden/index.ts';
import { quantizeGroup, dequantValue } from '../gen/quantizer/golden.ts';
import { syntheticKeys, syntheticValues } from '../gen/quantizer/synthetic.ts';
import { calibrateNuq, calibrateNuqPerToken } from '../gen/nuq/calibrate.ts';
import { nuqTensorPerToken } from '../gen/nuq/per-token.ts';
import { nuqTensor } from '../gen/nuq/golden.ts';
import { heavyTailedKeys, studentT3 } from '../gen/nuq/synthetic.ts';
import { deqTransactionsPerToken } from '../gen/nuq/deq-per-token.ts';
import { writeResult } from './result.ts';

const T = 1024;
const D = 128;
const G = 32;
const Q = 16;
const f = FP16;
const round = (x: number, digits = 4): number => Number(x.toPrecision(digits));

/** KIVI per-channel (keys) reconstruction with the quantizer's golden group arithmetic, any b. */
function kiviKeys(x: Uint16Array, bits: number): Uint16Array {
  const out = new Uint16Array(x.length);
  for (let c = 0; c < D; c++) {
    for (let g = 0; g < T / G; g++) {
      const idx = Array.from({ length: G }, (_, i) => (g * G + i) * D + c);
      const r = quantizeGroup(f, bits, idx.map((i) => x[i]));
      idx.forEach((i, k) => (out[i] = dequantValue(f, r.codes[k], r.scale, r.min)));
    }
  }
  return out;
}

function errors(x: Uint16Array, xh: Uint16Array, q: Float64Array[]): { relMse: number; scoreRelErr: number } {
  let num = 0, den = 0;
  const xv = Float64Array.from(x, (p) => fpToNumber(f, p));
  const hv = Float64Array.from(xh, (p) => fpToNumber(f, p));
  for (let i = 0; i < xv.length; i++) (num += (hv[i] - xv[i]) ** 2), (den += xv[i] ** 2);
  let sn = 0, sd = 0;
  for (const qq of q) {
    for (let t = 0; t < T; t++) {
      let s = 0, sh = 0;
      for (let c = 0; c < D; c++) (s += qq[c] * xv[t * D + c]), (sh += qq[c] * hv[t * D + c]);
      sn += (sh - s) ** 2;
      sd += s * s;
    }
  }
  return { relMse: num / den, scoreRelErr: sn / sd };
}

/** sp records that are outliers (not the records closing a sequence). */
function spOutliers(sp: TxnTable): number {
  let n = 0;
  for (let k = 0; k < sp.count; k++) if (!sp.lane(k, 'last', 1, 0, false)) n++;
  return n;
}

/** Runs `cfg`'s RTL in Verilator without stalls on 5000 random beats (seed 4242) in a scratch dir. */
async function cosimNuq(cfg: NuqConfig, tag: string, what: string) {
  return cosimNuqStim(cfg, tag, what, nuqUnit.randomStimulus(cfg, 4242, 5000));
}

/** Runs `cfg`'s RTL in Verilator without stalls on `stim` in a scratch dir. */
async function cosimNuqStim(cfg: NuqConfig, tag: string, what: string, stim: Record<string, TxnTable>) {
  const root = cacheRoot();
  await fs.mkdir(path.join(root, 'bench'), { recursive: true });
  const work = await fs.mkdtemp(path.join(root, 'bench', `${tag}-`));
  try {
    const design = designFromModule(nuqUnit.build(cfg), work);
    const golden = (ins: Record<string, TxnTable>) => nuqUnit.golden(cfg, ins);
    const r = await cosim(design, golden, stim, { stall: 0, backpressure: 0 });
    if (!r.ok || r.throughput.ii === null) throw new Error(`bench ${what}: cosim failed:\n${formatReport(r)}`);
    return { design, stim, golden, r, ii: r.throughput.ii };
  } finally {
    await fs.rm(work, { recursive: true, force: true });
  }
}

async function benchNuqIi(): Promise<void> {
  const cfg = nuqConfig({ format: 'fp16', bits: 3, channels: 16, lanes: 2 });
  const { design, stim, golden, r, ii } = await cosimNuq(cfg, 'nuq', 'nuq');
  writeResult({
    name: 'nuq-ii',
    metric: `cycles per input beat (${cfg.lanes} elements), Verilator cosim of the nuq RTL, no stalls, ${stim.in.count} beats (2 table loads, calibrated heavy-tailed keys + 1 % specials)`,
    value: round(ii),
    unit: 'cycles/beat',
    outliers: spOutliers(golden(stim).sp), // sp records minus the last = 1 record closing each sequence
    transactions: r.transactions,
    cycles: r.cycles,
    latency: r.latency,
    top: design.top,
    config: cfg,
  });
}

/** KIVI per-token (values) reconstruction: groups of G consecutive channels of a token, the quantizer's golden group arithmetic. */
function kiviValues(x: Uint16Array, bits: number): Uint16Array {
  const out = new Uint16Array(x.length);
  for (let g = 0; g < x.length / G; g++) {
    const idx = Array.from({ length: G }, (_, i) => g * G + i);
    const r = quantizeGroup(f, bits, idx.map((i) => x[i]));
    idx.forEach((i, k) => (out[i] = dequantValue(f, r.codes[k], r.scale, r.min)));
  }
  return out;
}

/** Heavy-tailed values [T, D]: a per-token spread times Student-t(3) noise. */
function heavyValues(n: number, seed: number): Uint16Array {
  const r = new Rng(seed);
  const x = new Uint16Array(n * D);
  for (let t = 0; t < n; t++) {
    const s = 0.2 + 0.8 * r.float();
    for (let c = 0; c < D; c++) x[t * D + c] = fpFromNumber(f, s * studentT3(r));
  }
  return x;
}

/**
 * Per-token mode on values (README "Per-token mode"): KIVI uniform per-token (G = 32 channels) vs NUQ
 * per-token (one shared codebook calibrated on 1024 other tokens; f = 0, 2 %, 5 %: trim 0, 1, 3 at
 * D = 128), relative MSE and the score error of the queries against the values as keys (a proxy).
 */
function benchNuqValues(): void {
  const r = new Rng(19);
  const q = Array.from({ length: Q }, () => Float64Array.from({ length: D }, () => studentT3(r)));
  const datasets = { values: syntheticValues(f, 2 * T, D, 1002), 'heavy-values': heavyValues(2 * T, 1004) };
  for (const [data, all] of Object.entries(datasets)) {
    const x = all.slice(0, T * D);
    const cal = all.slice(T * D);
    const rows: string[] = [];
    const res: Record<string, number> = {};
    for (const bits of [2, 3, 4]) {
      const e = errors(x, kiviValues(x, bits), q);
      res[`uniform-b${bits}`] = e.relMse;
      writeResult({
        name: `nuq-recon-${data}-uniform-b${bits}`,
        metric: `relative MSE Σ(x̂−x)²/Σx², KIVI uniform per-token G=${G}, fp16 golden arithmetic, ${data} [${T}, ${D}]`,
        value: round(e.relMse), unit: 'relative MSE', scoreRelErr: round(e.scoreRelErr), bitsPerElement: round(bits + 32 / G), method: 'uniform', bits, data,
      });
      rows.push(`uniform-b${bits}`.padEnd(22) + ` ${round(e.relMse).toExponential(3)}`);
    }
    for (const bits of [2, 3, 4]) {
      for (const frac of [0, 0.02, 0.05]) {
        const cb = calibrateNuqPerToken(f, cal, T, D, { bits, outlierFraction: frac, shared: true });
        const t = nuqTensorPerToken(f, cb, x);
        const e = errors(x, t.dequant, q);
        const name = `nuq-pt-b${bits}-f${frac * 100}pct`;
        writeResult({
          name: `nuq-recon-${data}-${name}`,
          metric: `relative MSE Σ(x̂−x)²/Σx², NUQ per-token (trim ${cb.trim}, shared codebook calibrated on ${T} other tokens), f = ${frac}, fp16 golden arithmetic, ${data} [${T}, ${D}]`,
          value: round(e.relMse), unit: 'relative MSE',
          baseline: round(res[`uniform-b${bits}`]), ratio: round(e.relMse / res[`uniform-b${bits}`]),
          scoreRelErr: round(e.scoreRelErr), outliers: t.outlierCount, trim: cb.trim,
          bitsPerElement: round(bits + 32 / D + (64 * t.outlierCount) / (T * D)),
          method: 'nuq-per-token', bits, outlierFractionCalibrated: frac, data,
        });
        rows.push(`${name.padEnd(22)} ${round(e.relMse).toExponential(3)}  outliers ${t.outlierCount}`);
      }
    }
    console.log(`[bench nuq] ${data} (per token):\n  ${rows.join('\n  ')}`);
  }
}

export async function benchNuq(): Promise<void> {
  benchNuqRecon();
  benchNuqValues();
  await benchNuqIi();
  await benchNuqDeqIi();
  await benchNuqDeqPerTokenIi();
}

/**
 * The per-token dequantize mode (README "Per-token dequantize"): cycles per code beat of the `in`
 * stream with the sparse merge and one tk record per token; plus the same on codes without outliers.
 */
async function benchNuqDeqPerTokenIi(): Promise<void> {
  const cfg = nuqConfig({ op: 'dequantize', mode: 'per-token', format: 'fp16', bits: 3, channels: 16, lanes: 2 });
  const { design, stim, r } = await cosimNuq(cfg, 'nuqdeqpt', 'nuq per-token dequantize');
  const dataBeats = r.transactions.out;
  const clean = await cosimNuqStim(cfg, 'nuqdeqpt0', 'nuq per-token dequantize without outliers', perTokenNoOutliers(cfg, 4242, 5000));
  writeResult({
    name: 'nuq-deq-per-token-ii',
    metric: `cycles per code beat (${cfg.lanes} codes), whole run: Verilator cosim of the nuq per-token dequantize mode, no stalls, ${dataBeats} code beats, 2 table loads, ${stim.tk.count} tk records (codes, outliers and scales of per-token quantized heavy-tailed values + 1 % specials, the first table with trim 1: at least 2 outliers per token, a 3-token burst of outliers on every lane, random codes and scale patterns with 10 % outliers); the merge takes one extra cycle per outlier`,
    value: round(r.cycles / dataBeats),
    unit: 'cycles/beat',
    outliers: spOutliers(stim.sp),
    dataBeats,
    inCyclesPerBeat: r.throughput.cyclesPerTxn.in,
    withoutOutliers: { cyclesPerBeat: round(clean.r.cycles / clean.r.transactions.out), inCyclesPerBeat: clean.r.throughput.cyclesPerTxn.in, codeBeats: clean.r.transactions.out, tkRecords: clean.stim.tk.count },
    transactions: r.transactions,
    cycles: r.cycles,
    latency: r.latency,
    top: design.top,
    config: cfg,
  });
}

/** Per-token dequantize stimulus without outliers: one table, about n random code beats, random scales. */
function perTokenNoOutliers(cfg: NuqConfig, seed: number, n: number) {
  const r = new Rng(seed);
  const Dc = cfg.channels;
  const cb = calibrateNuqPerToken(f, heavyTailedKeys(f, 64, Dc, seed), 64, Dc, { bits: cfg.bits, outlierFraction: 0, shared: true });
  const Tn = Math.floor((n * cfg.lanes) / Dc);
  const codes = Uint8Array.from({ length: Tn * Dc }, () => r.int(0, 2 ** cfg.bits - 1));
  const scales = Uint16Array.from({ length: 2 * Tn }, () => fpFromNumber(f, 0.1 + 4 * r.float()));
  return deqTransactionsPerToken(cfg, [{ load: cb }, { codes, outliers: new Int32Array(0), scales }]);
}

/** The dequantize mode: cycles per code beat with the sparse merge (one outlier merged per cycle). */
async function benchNuqDeqIi(): Promise<void> {
  const cfg = nuqConfig({ op: 'dequantize', format: 'fp16', bits: 3, channels: 16, lanes: 2 });
  const { design, stim, r } = await cosimNuq(cfg, 'nuqdeq', 'nuq dequantize');
  const outliers = spOutliers(stim.sp);
  const dataBeats = r.transactions.out;
  writeResult({
    name: 'nuq-deq-ii',
    metric: `cycles per code beat (${cfg.lanes} codes), whole run: Verilator cosim of the nuq dequantize mode, no stalls, ${dataBeats} code beats and 2 table loads (codes of calibrated heavy-tailed keys + 1 % specials + a 3-token burst of outliers on every lane); the merge takes one extra cycle per outlier`,
    value: round(r.cycles / dataBeats),
    unit: 'cycles/beat',
    outliers,
    dataBeats,
    transactions: r.transactions,
    cycles: r.cycles,
    latency: r.latency,
    top: design.top,
    config: cfg,
  });
}

function benchNuqRecon(): void {
  const r = new Rng(17);
  const q = Array.from({ length: Q }, () => Float64Array.from({ length: D }, () => studentT3(r)));
  const datasets = {
    keys: syntheticKeys(f, 2 * T, D, 1001),
    heavy: heavyTailedKeys(f, 2 * T, D, 1003),
  };
  const claim: Record<string, unknown> = {};
  for (const [data, all] of Object.entries(datasets)) {
    const x = all.slice(0, T * D);
    const cal = all.slice(T * D);
    const rows: string[] = [];
    const res: Record<string, number> = {};
    for (const bits of [2, 3, 4]) {
      const e = errors(x, kiviKeys(x, bits), q);
      const name = `uniform-b${bits}`;
      res[name] = e.relMse;
      writeResult({
        name: `nuq-recon-${data}-${name}`,
        metric: `relative MSE Σ(x̂−x)²/Σx², KIVI uniform per-channel G=${G}, fp16 golden arithmetic, ${data} [${T}, ${D}]`,
        value: round(e.relMse),
        unit: 'relative MSE',
        scoreRelErr: round(e.scoreRelErr),
        bitsPerElement: round(bits + 32 / G),
        method: 'uniform', bits, data,
      });
      rows.push(`${name.padEnd(16)} ${round(e.relMse).toExponential(3)}  score ${round(e.scoreRelErr).toExponential(3)}`);
    }
    for (const bits of [2, 3, 4]) {
      for (const frac of [0, 0.001, 0.01]) {
        const cb = calibrateNuq(f, cal, T, D, { bits, outlierFraction: frac, shared: false });
        const t = nuqTensor(f, cb, x);
        const e = errors(x, t.dequant, q);
        const name = `nuq-b${bits}-f${frac * 100}pct`;
        res[name] = e.relMse;
        writeResult({
          name: `nuq-recon-${data}-${name}`,
          metric: `relative MSE Σ(x̂−x)²/Σx², NUQ per-channel codebooks (calibrated on ${T} other tokens), f = ${frac}, fp16 golden arithmetic, ${data} [${T}, ${D}]`,
          value: round(e.relMse),
          unit: 'relative MSE',
          baseline: round(res[`uniform-b${bits}`]),
          ratio: round(e.relMse / res[`uniform-b${bits}`]),
          scoreRelErr: round(e.scoreRelErr),
          outliers: t.outlierCount,
          outlierFraction: round(t.outlierCount / (T * D)),
          bitsPerElement: round(bits + (64 * t.outlierCount) / (T * D)),
          kmeansIterations: [Math.min(...cb.iterations), Math.max(...cb.iterations)],
          method: 'nuq', bits, outlierFractionCalibrated: frac, data,
        });
        rows.push(`${name.padEnd(16)} ${round(e.relMse).toExponential(3)}  score ${round(e.scoreRelErr).toExponential(3)}  outliers ${t.outlierCount}`);
      }
    }
    console.log(`[bench nuq] ${data}:\n  ${rows.join('\n  ')}`);
    claim[data] = { nuqB3F1pct: round(res['nuq-b3-f1pct']), uniformB4: round(res['uniform-b4']), holds: res['nuq-b3-f1pct'] < res['uniform-b4'] };
  }
  const k = claim.keys as { nuqB3F1pct: number; uniformB4: number; holds: boolean };
  writeResult({
    name: 'nuq-claim-keys',
    metric: "KVQuant's claim on outlier-channel keys: NUQ b=3 with 1 % outliers has lower relative MSE than uniform b=4 (value: NUQ/uniform ratio, < 1 means it holds)",
    value: round(k.nuqB3F1pct / k.uniformB4),
    unit: 'ratio',
    holds: k.holds,
    perData: claim,
  });
}

const isEntry = process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href;
// `npx tsx bench/nuq.ts values`: only the per-token value entries
if (isEntry) void (process.argv[2] === 'values' ? Promise.resolve(benchNuqValues()) : process.argv[2] === 'deq-per-token' ? benchNuqDeqPerTokenIi() : benchNuq());
