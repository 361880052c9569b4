/**
 * The bits × keep accuracy grid of the attention engine (README.md "Accuracy"): per keyBits = valueBits
 * and keep fraction, the golden `out` against (a) float64 dense attention over the original fp16 K/V
 * and (b) float64 attention over the same dequantized cache and kept set, and (b) against (a) (the
 * float KIVI + selection model). Keep < 1: selection "threshold" with θ per row at the row's
 * (keep·n − forced)-th largest candidate score of its dense run (an oracle Top-θ, early exit on);
 * keep 1: selection "none". Used by bench/attention-accuracy.ts and its test.
 */
import { attentionConfig, type AttentionConfig } from './config.ts';
import { buildCache } from './cache.ts';
import { attentionRow } from './golden.ts';
import { accuracy, referenceDense, referenceKept, type Accuracy } from './reference.ts';
import { syntheticAttention } from './synthetic.ts';
import { calibrateValueCodebook } from './stimulus.ts';
import { fpToNumber } from '../../hdl/lib/float/golden/index.ts';
import { FP16 } from '../../hdl/lib/float/format.ts';

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
  /** values: KIVI (default) or NUQ with a per-token codebook calibrated on the data's v (trim = valueTrimMax, default 1) */
  valueQuant?: 'kivi' | 'nuq';
  valueTrimMax?: number;
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
  /** the quantized values alone: relative L2 of v̂ vs v over t < Tv */
  valueRelL2: number;
  /** image words fetched per row (mean) */
  wordsPerRow: number;
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
    const nuq = o.valueQuant === 'nuq' ? { valueQuant: 'nuq' as const, valueTrimMax: o.valueTrimMax ?? 1 } : {};
    const base = { dims: D, maxKeys: n, keyBits: bits, valueBits: bits, groupSize: o.groupSize, residual: o.residual, sink: 1, dimsPerCycle: 32, keyLanes: 8, heads: 1, layers: 1, rowBuckets: [n], k: 1, ...nuq };
    const none: AttentionConfig = attentionConfig({ ...base, selection: 'none' });
    const cache = buildCache(none, data.k, data.v, o.valueQuant === 'nuq' ? calibrateValueCodebook(none, data.v) : undefined);
    const valueRelL2 = relL2Of(cache.values.dequant, data.v);
    const scores = Array.from({ length: rows }, (_, r) => attentionRow(none, cache, qRow(r), null).scores);
    const forced = 1 + Math.min(o.residual, n - 1);
    for (const keep of o.keeps) {
      const all = keep >= 1;
      const candidates = Math.round(keep * n) - forced;
      if (!all && candidates < 1) throw new Error(`attention accuracy grid: keep ${keep} of ${n} leaves no candidates beside the ${forced} forced tokens`);
      const cfg = all ? none : attentionConfig({ ...base, selection: 'threshold' });
      const a: Accuracy[] = [];
      const b: Accuracy[] = [];
      const f: Accuracy[] = [];
      let kept = 0;
      let words = 0;
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
        words += res.words.total;
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
        valueRelL2,
        wordsPerRow: words / rows,
      });
    }
  }
  return cells;
}

/** ‖x̂ − x‖ / ‖x‖ over the first x̂.length patterns (fp16). */
function relL2Of(xhat: Uint16Array, x: Uint16Array): number {
  let e = 0, r = 0;
  for (let i = 0; i < xhat.length; i++) {
    const a = fpToNumber(FP16, x[i]);
    e += (fpToNumber(FP16, xhat[i]) - a) ** 2;
    r += a * a;
  }
  return round(r === 0 ? 0 : Math.sqrt(e / r));
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
