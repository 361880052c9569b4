/**
 * The attention unit's streams (README.md "Hardware"): the `query` rows (q, θ, n), the cache image
 * `cache` (one record per W-bit word), and the golden model over them: `key` (per token: index,
 * kept, score, last), `out` (D patterns per row) and `row` (kept tokens, words fetched).
 */
import { TxnTable } from '../../data/transactions.ts';
import type { FieldSpec } from '../../hdl/ports/design.ts';
import { Rng } from '../../data/rng.ts';
import { fpFromNumber } from '../../hdl/lib/float/golden/index.ts';
import { dequantValue, type QuantizedTensor } from '../quantizer/golden.ts';
import type { StreamData } from '../unit.ts';
import { attentionDims, attentionFormat, attentionConfig, type AttentionConfig } from './config.ts';
import { buildCache, type AttentionCache } from './cache.ts';
import { attentionRow } from './golden.ts';
import { buildImage, parseImage } from './layout.ts';
import { rtlDims } from './rtl-dims.ts';
import { syntheticAttention } from './synthetic.ts';
import { nuqDequant } from './cache-nuq.ts';
import { calibrateNuqPerToken } from '../nuq/calibrate.ts';
import type { Codebook } from '../nuq/codebook.ts';

/**
 * A per-token value codebook calibrated on v (`kvhdl calibrate-nuq --mode per-token`'s model) with
 * trim = valueTrimMax (f = (2·trim + 1)/(D − 1)): what random stimulus and the bench use.
 */
export function calibrateValueCodebook(cfg: AttentionConfig, v: Uint16Array, trim = cfg.valueTrimMax): Codebook {
  const D = cfg.dims;
  return calibrateNuqPerToken(attentionFormat(cfg), v, v.length / D, D, { bits: cfg.valueBits, outlierFraction: (2 * trim + 1) / (D - 1), shared: true });
}

export const CACHE_MEMORY = 'cache';

export function queryFields(cfg: AttentionConfig): FieldSpec[] {
  const r = rtlDims(cfg);
  return [
    { name: 'q', width: 16 * r.D, signed: false },
    { name: 'theta', width: r.THW, signed: true },
    { name: 'n', width: r.NW, signed: false },
  ];
}

/** θ clamped to the θ field: every bound lies inside ±2^(SW−1), so comparisons are unchanged. */
export function clampTheta(cfg: AttentionConfig, theta: number): bigint {
  const lim = 2n ** BigInt(rtlDims(cfg).SW);
  const t = BigInt(Math.trunc(theta));
  return t > lim - 1n ? lim - 1n : t < -lim ? -lim : t;
}

export interface QueryRow {
  q: ArrayLike<number>;
  theta: number | null;
  n: number;
}

export function queryTable(cfg: AttentionConfig, rows: readonly QueryRow[]): TxnTable {
  const t = new TxnTable(queryFields(cfg), rows.length);
  rows.forEach((r, i) => {
    for (let k = 0; k < cfg.dims; k++) t.setLane(i, 'q', 16, k, r.q[k]);
    t.set(i, 'theta', r.theta === null ? 0n : clampTheta(cfg, r.theta));
    t.set(i, 'n', BigInt(r.n));
  });
  return t;
}

export function imageTable(cfg: AttentionConfig, words: readonly bigint[]): TxnTable {
  return TxnTable.from([{ name: 'data', width: attentionDims(cfg).W, signed: false }], words.map((data) => ({ data })));
}

/** The cache as the golden model needs it, recovered from an image (n tokens). */
export function cacheFromImage(cfg: AttentionConfig, words: readonly bigint[], n: number): AttentionCache {
  const f = attentionFormat(cfg);
  const d = attentionDims(cfg);
  const p = parseImage(cfg, words, n);
  const ng = d.D / d.G;
  const dequant = p.nuq ? nuqDequant(cfg, p.valueCodes, p.nuq) : new Uint16Array(p.Tv * d.D);
  for (let t = 0; t < (p.nuq ? 0 : p.Tv); t++) {
    for (let k = 0; k < d.D; k++) {
      const j = Math.floor(k / d.G);
      dequant[t * d.D + k] = dequantValue(f, p.valueCodes[t * d.D + k], p.valueScale[t * ng + j], p.valueMin[t * ng + j]);
    }
  }
  const keys = { T: n, Tq: p.Tk, codes: p.keyCodes, scale: p.keyScale, min: p.keyMin, residual: p.keyResidual } as unknown as QuantizedTensor;
  const values = { T: n, Tq: p.Tv, codes: p.valueCodes, scale: p.valueScale, min: p.valueMin, residual: p.valueResidual, dequant } as unknown as QuantizedTensor;
  return { n, Tk: p.Tk, Tv: p.Tv, keys, values, ...(p.nuq ? { nuq: p.nuq } : {}) };
}

export function outputFields(cfg: AttentionConfig): Record<'key' | 'out' | 'row', FieldSpec[]> {
  const r = rtlDims(cfg);
  return {
    key: [
      { name: 'index', width: r.NW, signed: false },
      { name: 'kept', width: 1, signed: false },
      { name: 'score', width: r.SW, signed: true },
      { name: 'last', width: 1, signed: false },
    ],
    out: [
      { name: 'value', width: 16, signed: false },
      { name: 'last', width: 1, signed: false },
    ],
    row: [
      { name: 'kept', width: r.NW, signed: false },
      { name: 'words', width: r.AW, signed: false },
    ],
  };
}

/** The golden model on the unit's streams (every row reads the one image; its n must match). */
export function attentionStreamGolden(cfg: AttentionConfig, inputs: StreamData): StreamData {
  const qt = inputs.query;
  const D = cfg.dims;
  const rows = qt.count;
  const fields = outputFields(cfg);
  if (rows === 0) return { key: new TxnTable(fields.key, 0), out: new TxnTable(fields.out, 0), row: new TxnTable(fields.row, 0) };
  const n = Number(qt.get(0, 'n'));
  for (let r = 1; r < rows; r++) if (Number(qt.get(r, 'n')) !== n) throw new Error(`query[${r}].n = ${qt.get(r, 'n')}, but row 0 has n = ${n} (one cache image per run)`);
  const img = inputs[CACHE_MEMORY];
  const words: bigint[] = Array.from({ length: img.count }, (_, i) => img.get(i, 'data'));
  const cache = cacheFromImage(cfg, words, n);
  const key = new TxnTable(fields.key, rows * n);
  const out = new TxnTable(fields.out, rows * D);
  const row = new TxnTable(fields.row, rows);
  for (let r = 0; r < rows; r++) {
    const q = Uint16Array.from({ length: D }, (_, k) => qt.lane(r, 'q', 16, k, false));
    const theta = cfg.selection === 'threshold' ? Number(qt.get(r, 'theta')) : null;
    const res = attentionRow(cfg, cache, q, theta);
    for (let t = 0; t < n; t++) {
      const i = r * n + t;
      key.set(i, 'index', BigInt(t));
      key.set(i, 'kept', BigInt(res.kept[t]));
      key.set(i, 'score', BigInt(res.scores[t]));
      key.set(i, 'last', t === n - 1 ? 1n : 0n);
    }
    for (let k = 0; k < D; k++) {
      out.set(r * D + k, 'value', BigInt(res.out[k]));
      out.set(r * D + k, 'last', k === D - 1 ? 1n : 0n);
    }
    row.set(r, 'kept', BigInt(res.kept.reduce((a, b) => a + b, 0)));
    row.set(r, 'words', BigInt(res.words.total));
  }
  return { key, out, row };
}

/**
 * Seeded random stimulus: `rows` query rows over one cache of n tokens (synthetic KIVI-like data),
 * θ per row at a candidate's score (± 1) or a quantile of the row's dense scores.
 */
export function attentionRandomStimulus(cfg: AttentionConfig, seed: number, rows: number, n: number): StreamData {
  const r = new Rng(seed);
  const D = cfg.dims;
  let data: { q: Uint16Array; k: Uint16Array; v: Uint16Array };
  if (cfg.format === 'fp16' && seed % 2 === 0) data = syntheticAttention({ rows, n, D, seed, window: Math.min(8, Math.max(1, n)) });
  else {
    const f = attentionFormat(cfg);
    const gs = () => (r.float() + r.float() + r.float() - 1.5) * 2;
    const mk = (len: number, s: number) => Uint16Array.from({ length: len }, () => fpFromNumber(f, s * gs()));
    data = { q: mk(rows * D, 2), k: mk(n * D, 1.5), v: mk(n * D, 1) };
  }
  const cache = buildCache(cfg, data.k, data.v, cfg.valueQuant === 'nuq' ? calibrateValueCodebook(cfg, data.v) : undefined);
  const image = buildImage(cfg, cache);
  const dense = attentionConfig({ ...cfg, selection: 'none' });
  const qrows: QueryRow[] = [];
  for (let i = 0; i < rows; i++) {
    const q = data.q.subarray(i * D, (i + 1) * D);
    let theta: number | null = null;
    if (cfg.selection === 'threshold' && n > 0) {
      const s = [...attentionRow(dense, cache, q, null).scores].sort((a, b) => b - a);
      const pick = s[r.int(0, s.length - 1)];
      theta = [pick, pick + 1, pick - 1, s[Math.floor(s.length * 0.3)], s[s.length - 1] - 5, s[0] + 5][i % 6];
    } else if (cfg.selection === 'threshold') theta = 0;
    qrows.push({ q, theta, n });
  }
  return { query: queryTable(cfg, qrows), [CACHE_MEMORY]: imageTable(cfg, image) };
}
