/**
 * attention accuracy table (issue 14): bits × keep for the engine's bit-exact golden model against
 * float models of KIVI, on the golden bench's synthetic data (n = 4096, D = 128, G = 32, R = 128,
 * W = 32, sink 1, seed 2026, 4 query rows of one cache).
 *
 * Grid: keyBits = valueBits = b ∈ {2, 4, 8} × keep ∈ {5%, 10%, 25%, 100%} of the n tokens. Keep < 100%:
 * selection "threshold" with θ per row at the row's (keep·n − 129)-th largest candidate score of
 * its dense run (an oracle Top-θ: the sink, the 128 recent tokens and keep·n − 129 candidates,
 * early exit on); 100%: selection "none". Per cell and row, cosine / relative L2 / max abs error of
 *
 * - the engine's `out` vs (a) float64 dense attention over the original fp16 K and V;
 * - the engine's `out` vs (b) float64 attention over the same dequantized cache and kept set (the
 *   engine's own arithmetic error: fixed-point scores, exp2 table, one fp16 rounding);
 * - (b) itself vs (a): the float KIVI + selection model, so the hardware's extra error is visible
 *   beside the error that quantization and selection cause anyway.
 *
 * Writes bench/out/attention-accuracy-b<b>-keep<pct>.json per cell and bench/out/attention-accuracy.json
 * (the whole table; value = the smallest per-row cosine vs (b)). Run alone: npx tsx bench/attention-accuracy.ts
 */
import { attentionConfig, type AttentionConfig } from '../gen/attention/config.ts';
import { buildCache } from '../gen/attention/cache.ts';
import { attentionRow } from '../gen/attention/golden.ts';
import { accuracy, referenceDense, referenceKept, type Accuracy } from '../gen/attention/reference.ts';
import { syntheticAttention } from '../gen/attention/synthetic.ts';
import { fpToNumber } from '../hdl/lib/float/golden/index.ts';
import { FP16 } from '../hdl/lib/float/format.ts';
import { writeResult } from './result.ts';

export interface AccuracyGridOptions {
  n: number;
  D: number;
  rows: number;
  groupSize: number;
  residual: number;
  seed: number;
  bits: readonly (2 | 4 | 8)[];
  /** keep fractions of n (1 = selection none) */
  keeps: readonly number[];
}

export interface AccuracyCell {
  bits: number;
  keep: number;
  /** tokens kept per row (mean) */
  kept: number;
  /** means over rows */
  engineVsDense: Accuracy;
  engineVsSameCache: Accuracy;
  floatKiviVsDense: Accuracy;
  /** worst row */
  minCosineVsSameCache: number;
  minCosineVsDense: number;
}

const round = (x: number, digits = 6): number => Number(x.toPrecision(digits));

function mean(xs: Accuracy[]): Accuracy {
  const m = (f: (a: Accuracy) => number) => round(xs.reduce((s, a) => s + f(a), 0) / xs.length);
  return { cosine: m((a) => a.cosine), relL2: m((a) => a.relL2), maxAbs: m((a) => a.maxAbs) };
}

/** The grid of the module comment for any size (the bench's and the test's). */
export function attentionAccuracyGrid(o: AccuracyGridOptions): AccuracyCell[] {
  const { n, D, rows } = o;
  const data = syntheticAttention({ rows, n, D, seed: o.seed });
  const qRow = (r: number) => data.q.subarray(r * D, (r + 1) * D);
  const dense = Array.from({ length: rows }, (_, r) => referenceDense(attentionConfig({ dims: D, maxKeys: n, rowBuckets: [n], k: 1 }), qRow(r), data.k, data.v));
  const cells: AccuracyCell[] = [];
  for (const bits of o.bits) {
    const base = { dims: D, maxKeys: n, keyBits: bits, valueBits: bits, groupSize: o.groupSize, residual: o.residual, sink: 1, dimsPerCycle: 32, keyLanes: 8, heads: 1, layers: 1, rowBuckets: [n], k: 1 };
    const none: AttentionConfig = attentionConfig({ ...base, selection: 'none' });
    const cache = buildCache(none, data.k, data.v);
    const scores = Array.from({ length: rows }, (_, r) => attentionRow(none, cache, qRow(r), null).scores);
    const forced = 1 + Math.min(o.residual, n - 1);
    for (const keep of o.keeps) {
      const all = keep >= 1;
      const candidates = Math.round(keep * n) - forced;
      if (!all && candidates < 1) throw new Error(`bench attention-accuracy: keep ${keep} of ${n} leaves no candidates beside the ${forced} forced tokens`);
      const cfg = all ? none : attentionConfig({ ...base, selection: 'threshold' });
      const a: Accuracy[] = [];
      const b: Accuracy[] = [];
      const f: Accuracy[] = [];
      let kept = 0;
      for (let r = 0; r < rows; r++) {
        // θ = the (candidates + 1)-th largest candidate score: keeps `candidates` candidates (ties aside)
        const theta = all ? null : scores[r].slice(1, n - o.residual).sort((x, y) => y - x)[candidates];
        const res = attentionRow(cfg, cache, qRow(r), theta, true);
        const out = Array.from(res.out, (x) => fpToNumber(FP16, x));
        const sameCache = referenceKept(cfg, cache, qRow(r), res.kept);
        a.push(accuracy(out, dense[r]));
        b.push(accuracy(out, sameCache));
        f.push(accuracy(sameCache, dense[r]));
        kept += res.kept.reduce((s, x) => s + x, 0);
      }
      cells.push({
        bits,
        keep,
        kept: kept / rows,
        engineVsDense: mean(a),
        engineVsSameCache: mean(b),
        floatKiviVsDense: mean(f),
        minCosineVsSameCache: round(Math.min(...b.map((x) => x.cosine)), 10),
        minCosineVsDense: round(Math.min(...a.map((x) => x.cosine)), 10),
      });
    }
  }
  return cells;
}

const pct = (k: number) => `${Math.round(k * 100)}%`;

/** The Markdown table of gen/attention/README.md ("Accuracy"). */
export function accuracyTable(cells: readonly AccuracyCell[]): string {
  const f = (x: number, d = 4) => x.toPrecision(d);
  const lines = [
    '| bits (K = V) | keep | kept/row | engine vs (a): cosine / rel. L2 / max abs | float KIVI + selection vs (a): cosine / rel. L2 / max abs | engine vs (b): cosine (min row) / rel. L2 / max abs |',
    '|---|---|---|---|---|---|',
  ];
  for (const c of cells) {
    const e = c.engineVsDense;
    const k = c.floatKiviVsDense;
    const s = c.engineVsSameCache;
    lines.push(
      `| ${c.bits} | ${c.keep >= 1 ? '100% (none)' : pct(c.keep)} | ${c.kept} | ${f(e.cosine, 6)} / ${f(e.relL2)} / ${f(e.maxAbs)} | ${f(k.cosine, 6)} / ${f(k.relL2)} / ${f(k.maxAbs)} | ${f(c.minCosineVsSameCache, 8)} / ${f(s.relL2)} / ${f(s.maxAbs)} |`,
    );
  }
  return lines.join('\n');
}

export const BENCH_GRID: AccuracyGridOptions = { n: 4096, D: 128, rows: 4, groupSize: 32, residual: 128, seed: 2026, bits: [2, 4, 8], keeps: [0.05, 0.1, 0.25, 1] };

export function benchAttentionAccuracy(): void {
  const t0 = performance.now();
  const o = BENCH_GRID;
  const cells = attentionAccuracyGrid(o);
  const setup = `n = ${o.n}, D = ${o.D}, G = ${o.groupSize}, R = ${o.residual}, sink 1, ${o.rows} rows of the synthetic data (seed ${o.seed})`;
  for (const c of cells) {
    writeResult({
      name: `attention-accuracy-b${c.bits}-keep${Math.round(c.keep * 100)}`,
      metric: `cosine of the attention engine's out vs float64 dense attention over the fp16 K/V (mean of rows; ${c.bits}-bit K and V, keep ${pct(c.keep)}; ${setup})`,
      value: c.engineVsDense.cosine,
      unit: 'cosine',
      baseline: c.floatKiviVsDense.cosine,
      ratio: round(c.engineVsDense.cosine / c.floatKiviVsDense.cosine, 10),
      baselineIs: 'float64 attention over the same dequantized KIVI cache and kept set (float KIVI + selection) vs the same dense reference',
      ...c,
    });
  }
  const table = accuracyTable(cells);
  writeResult({
    name: 'attention-accuracy',
    metric: `smallest per-row cosine of the engine's out vs float64 attention over the same dequantized cache and kept set, over bits {2, 4, 8} x keep {5, 10, 25, 100}% (${setup})`,
    value: Math.min(...cells.map((c) => c.minCosineVsSameCache)),
    unit: 'cosine',
    grid: o,
    cells,
    table,
    seconds: round((performance.now() - t0) / 1000, 3),
  });
  console.log(table);
  console.log(`[bench attention-accuracy] ${round((performance.now() - t0) / 1000, 3)} s`);
}

if (import.meta.url === `file://${process.argv[1]}`) benchAttentionAccuracy();
