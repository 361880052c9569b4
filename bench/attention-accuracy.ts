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
import { accuracyTable, attentionAccuracyGrid, type AccuracyGridOptions } from '../gen/attention/accuracy.ts';
import { writeResult } from './result.ts';

const round = (x: number, digits = 6): number => Number(x.toPrecision(digits));
const pct = (k: number) => `${Math.round(k * 100)}%`;

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
