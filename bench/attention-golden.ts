/**
 * attention golden-model benchmark (issue 14, phase 1): memory traffic and accuracy of the engine's
 * bit-exact model at n = 4096, D = 128, 4-bit K and V, G = 32, R = 128, ~10% of the tokens kept.
 *
 * Data: gen/attention/synthetic.ts (KIVI-like: outlier key channels, per-channel offsets, values
 * without channel structure, a sink and a recent window, heavy-tailed rest), 8 query rows on one
 * cache, rows 0..3 measured. threshold: θ per row at the row's own 282nd largest candidate score (an
 * oracle Top-θ that keeps exactly 1 + 128 + 281 = 410 = 10% of the tokens); as extra fields, θ calibrated on rows 4..7
 * (`calibrate` of gen/selector, K = 410, σ = 0, on the engine's scores of a dense run) and its keep
 * rate and traffic. topk keeps k = 281 candidates (+ 1 sink + 128 recent = 410 tokens).
 *
 * Results per mode (`attention-golden-words-<mode>`): total words fetched per row vs dense KIVI (the
 * whole image) and fp16 dense (2·n·D halves), the key-plane fraction, per-region words, words
 * without early exit, kept rate, accuracy vs (a) dense float64 attention on the original fp16 K, V
 * and (b) float64 attention over the same dequantized cache and kept set.
 */
import { attentionConfig, type AttentionConfig } from '../gen/attention/config.ts';
import { buildCache, type AttentionCache } from '../gen/attention/cache.ts';
import { attentionRow, type ThetaTable } from '../gen/attention/golden.ts';
import { regionMap } from '../gen/attention/layout.ts';
import { accuracy, referenceDense, referenceKept, type Accuracy } from '../gen/attention/reference.ts';
import { syntheticAttention } from '../gen/attention/synthetic.ts';
import { calibrate } from '../gen/selector/calibrate.ts';
import { fpToNumber } from '../hdl/lib/float/golden/index.ts';
import { FP16 } from '../hdl/lib/float/format.ts';
import { writeResult } from './result.ts';

const N = 4096;
const D = 128;
const ROWS = 4;
const KEEP = 410; // ~10% of n
const round = (x: number, digits = 4): number => Number(x.toPrecision(digits));

function mean(xs: Accuracy[]): Accuracy {
  const m = (f: (a: Accuracy) => number) => round(xs.reduce((s, a) => s + f(a), 0) / xs.length, 6);
  return { cosine: m((a) => a.cosine), relL2: m((a) => a.relL2), maxAbs: m((a) => a.maxAbs) };
}

export function benchAttentionGolden(): void {
  const t0 = performance.now();
  const base = { dims: D, maxKeys: N, keyBits: 4 as const, valueBits: 4 as const, groupSize: 32, residual: 128, sink: 1, dimsPerCycle: 32, keyLanes: 8, heads: 1, layers: 1, rowBuckets: [N] };
  const data = syntheticAttention({ rows: 2 * ROWS, n: N, D, seed: 2026 });
  const none = attentionConfig({ ...base, selection: 'none' });
  const cache: AttentionCache = buildCache(none, data.k, data.v);
  const qRow = (r: number) => data.q.subarray(r * D, (r + 1) * D);
  const calib = Array.from({ length: ROWS }, (_, i) => ({ layer: 0, head: 0, scores: attentionRow(none, cache, qRow(ROWS + i), null).scores }));
  const table = calibrate(calib, { k: KEEP, sigma: 0, buckets: [N], heads: 1, layers: 1 }) as ThetaTable;
  const calibrated = table.theta[0][0][0];
  // the (k+1)-th largest candidate score (candidates: 1 ≤ t < n − R): keeps 1 + 128 + 281 = 410 tokens, as topk
  const oracle = Array.from({ length: ROWS }, (_, r) => attentionRow(none, cache, qRow(r), null).scores.slice(1, N - 128).sort((a, b) => b - a)[KEEP - 129]);
  const map = regionMap(none, N);
  const denseKivi = map.total;
  const fp16Dense = 2 * N * ((16 * D) / 32);
  const thr = attentionConfig({ ...base, selection: 'threshold', k: KEEP });
  const modes: [string, AttentionConfig, (r: number) => number | null][] = [
    ['threshold', thr, (r) => oracle[r]],
    ['topk', attentionConfig({ ...base, selection: 'topk', k: KEEP - 129 }), () => null],
    ['threshold-calibrated', thr, () => calibrated],
  ];
  for (const [name, cfg, thetaOf] of modes) {
    const s = performance.now();
    let words = 0;
    let wordsNoEe = 0;
    let keyPlanes = 0;
    let kept = 0;
    const regions: Record<string, number> = {};
    const accA: Accuracy[] = [];
    const accB: Accuracy[] = [];
    for (let r = 0; r < ROWS; r++) {
      const q = qRow(r);
      const th = thetaOf(r);
      const res = attentionRow(cfg, cache, q, th, true);
      const off = attentionRow(cfg, cache, q, th, false);
      if (res.kept.some((x, i) => x !== off.kept[i]) || res.out.some((x, i) => x !== off.out[i])) throw new Error(`bench attention ${name}: early exit changed the result of row ${r}`);
      words += res.words.total;
      wordsNoEe += off.words.total;
      keyPlanes += res.words.keyPlanes;
      kept += res.kept.reduce((a, x) => a + x, 0);
      for (const [k, v] of Object.entries(res.words)) regions[k] = (regions[k] ?? 0) + v / ROWS;
      const out = Array.from(res.out, (x) => fpToNumber(FP16, x));
      accA.push(accuracy(out, referenceDense(cfg, q, data.k, data.v)));
      accB.push(accuracy(out, referenceKept(cfg, cache, q, res.kept)));
    }
    const perRow = words / ROWS;
    writeResult({
      name: `attention-golden-words-${name}`,
      metric: `words fetched per row by the attention golden model (${name}, early exit) vs dense KIVI (n = ${N}, D = ${D}, 4-bit K/V, G = 32, R = 128, W = 32-bit words)`,
      value: round(perRow, 6),
      unit: 'words/row',
      baseline: denseKivi,
      ratio: round(perRow / denseKivi),
      ratioVsFp16Dense: round(perRow / fp16Dense),
      fp16Dense,
      keyPlaneFraction: round(keyPlanes / (ROWS * map.size.keyPlanes)),
      wordsPerRegionPerRow: Object.fromEntries(Object.entries(regions).map(([k, v]) => [k, round(v, 6)])),
      wordsNoEarlyExitPerRow: round(wordsNoEe / ROWS, 6),
      keepRate: round(kept / (ROWS * N)),
      cyclesPerRowLowerBound: round(perRow, 6),
      accuracyVsDenseFp16: mean(accA),
      accuracyVsSameCacheKept: mean(accB),
      minCosineVsSameCacheKept: round(Math.min(...accB.map((a) => a.cosine)), 8),
      rows: ROWS,
      theta: cfg.selection === 'threshold' ? Array.from({ length: ROWS }, (_, r) => thetaOf(r)) : undefined,
      k: cfg.k,
      config: cfg,
      msPerRow: round((performance.now() - s) / ROWS, 3),
    });
  }
  console.log(`[bench attention-golden] ${round((performance.now() - t0) / 1000, 3)} s`);
}

if (import.meta.url === `file://${process.argv[1]}`) benchAttentionGolden();
