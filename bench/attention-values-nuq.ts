/**
 * attention values: KIVI vs NUQ (issue 17; gen/attention/README.md "Accuracy: KIVI vs NUQ values").
 * The same synthetic cache as bench/attention-accuracy.ts (seed 2026, D = 128, G = 32, R = 128,
 * sink 1, 4 query rows), n = 2048, keys KIVI at the same bits in both; values either KIVI uniform
 * per-token groups (`valueQuant: "kivi"`) or NUQ per token (`valueQuant: "nuq"`, valueTrimMax 1,
 * the shared codebook calibrated on this v with trim 1: `kvhdl calibrate-nuq --mode per-token`'s model).
 * Per bits ∈ {2, 4} and keep ∈ {10%, 100%}: the engine's out vs float64 dense attention over the
 * fp16 K/V (cosine, relative L2), the values' own relative L2 (v̂ vs v over t < Tv) and the words
 * per row. Writes bench/out/attention-values-nuq-b<b>-keep<pct>.json (value: NUQ's out relative
 * L2, baseline: KIVI's) and bench/out/attention-values-nuq.json. Run alone: npx tsx bench/attention-values-nuq.ts
 */
import { attentionAccuracyGrid, type AccuracyCell, type AccuracyGridOptions } from '../gen/attention/accuracy.ts';
import { writeResult } from './result.ts';

const round = (x: number, digits = 6): number => Number(x.toPrecision(digits));

export const NUQ_GRID: AccuracyGridOptions = { n: 2048, D: 128, rows: 4, groupSize: 32, residual: 128, seed: 2026, bits: [2, 4], keeps: [0.1, 1] };

export function benchAttentionValuesNuq(): void {
  const t0 = performance.now();
  const o = NUQ_GRID;
  const kivi = attentionAccuracyGrid({ ...o, valueQuant: 'kivi' });
  const nuq = attentionAccuracyGrid({ ...o, valueQuant: 'nuq', valueTrimMax: 1 });
  const setup = `n = ${o.n}, D = ${o.D}, G = ${o.groupSize}, R = ${o.residual}, sink 1, ${o.rows} rows of the synthetic data (seed ${o.seed}); keys KIVI`;
  const lines = ['| bits | keep | out rel. L2 vs (a): KIVI / NUQ | out cosine vs (a): KIVI / NUQ | values rel. L2: KIVI / NUQ | words/row: KIVI / NUQ |', '|---|---|---|---|---|---|'];
  const pairs: { kivi: AccuracyCell; nuq: AccuracyCell }[] = kivi.map((k, i) => ({ kivi: k, nuq: nuq[i] }));
  for (const { kivi: k, nuq: q } of pairs) {
    const pct = Math.round(k.keep * 100);
    writeResult({
      name: `attention-values-nuq-b${k.bits}-keep${pct}`,
      metric: `relative L2 of the attention engine's out vs float64 dense attention over the fp16 K/V, NUQ values (${k.bits}-bit, trim 1), keep ${pct}% (${setup})`,
      value: q.engineVsDense.relL2,
      unit: 'relative L2',
      baseline: k.engineVsDense.relL2,
      ratio: round(q.engineVsDense.relL2 / k.engineVsDense.relL2, 6),
      baselineIs: 'the same engine and cache with KIVI values (valueQuant "kivi") at the same bits',
      kivi: k,
      nuq: q,
    });
    const f = (x: number, d = 4) => x.toPrecision(d);
    lines.push(`| ${k.bits} | ${k.keep >= 1 ? '100% (none)' : `${pct}%`} | ${f(k.engineVsDense.relL2)} / ${f(q.engineVsDense.relL2)} | ${f(k.engineVsDense.cosine, 6)} / ${f(q.engineVsDense.cosine, 6)} | ${f(k.valueRelL2)} / ${f(q.valueRelL2)} | ${k.wordsPerRow} / ${q.wordsPerRow} |`);
  }
  const table = lines.join('\n');
  writeResult({
    name: 'attention-values-nuq',
    metric: `mean over bits {2, 4} x keep {10, 100}% of NUQ / KIVI out relative L2 vs float64 dense attention (${setup})`,
    value: round(pairs.reduce((s, p) => s + p.nuq.engineVsDense.relL2 / p.kivi.engineVsDense.relL2, 0) / pairs.length),
    unit: 'ratio',
    grid: o,
    pairs,
    table,
    seconds: round((performance.now() - t0) / 1000, 3),
  });
  console.log(table);
  console.log(`[bench attention-values-nuq] ${round((performance.now() - t0) / 1000, 3)} s`);
}

if (import.meta.url === `file://${process.argv[1]}`) benchAttentionValuesNuq();
