/**
 * The attention unit's files (README.md §7) as streams: q/k/v .npy and the JSON inputs into the
 * `query` rows and the cache image (golden quantizer here; `kvhdl cosim` replaces the image with the
 * quantizer RTL's, see index.ts), and the `key`/`out` streams back into out/kept/scores .npy.
 */
import type { NpyArray } from '../../data/npy.ts';
import type { StreamData } from '../unit.ts';
import type { AttentionConfig } from './config.ts';
import { buildCache, checkFinite } from './cache.ts';
import { thetaFor, type ThetaTable } from './golden.ts';
import { buildImage } from './layout.ts';
import { valueCodebook } from './cache-nuq.ts';
import type { Codebook } from '../nuq/codebook.ts';

/** The CLI's --value-codebook (README §7): required with valueQuant "nuq", refused otherwise. */
export function valueCodebookOf(cfg: AttentionConfig, json: Record<string, unknown> = {}): Codebook | undefined {
  const j = json['value-codebook'];
  if (cfg.valueQuant !== 'nuq') {
    if (j !== undefined) throw new Error('--value-codebook is only for valueQuant "nuq" (the config has "kivi")');
    return undefined;
  }
  if (j === undefined) throw new Error('valueQuant "nuq" needs --value-codebook codebook.json (kvhdl calibrate-nuq --mode per-token)');
  return valueCodebook(cfg, j);
}
import { CACHE_MEMORY, imageTable, queryTable, type QueryRow } from './stimulus.ts';

/** The [rows, D] patterns of q/k/v (float16 or uint16 for fp16; uint16 for bf16). */
export function patternsOf(cfg: AttentionConfig, name: string, a: NpyArray | undefined): Uint16Array {
  if (!a) throw new Error(`--${name} is required`);
  const allowed = cfg.format === 'fp16' ? ['float16', 'uint16'] : ['uint16'];
  if (!allowed.includes(a.dtype)) throw new Error(`--${name} must be ${allowed.join(' or ')} for format ${cfg.format}, got ${a.dtype}`);
  if (a.shape.length !== 2 || a.shape[1] !== cfg.dims) throw new Error(`--${name} must have shape [*, ${cfg.dims}] (dims), got [${a.shape.join(', ')}]`);
  return a.data as Uint16Array;
}

export interface RowMeta {
  layers?: number[];
  heads?: number[];
}

/** θ per row (threshold selection) from thresholds.json and rows.json. */
export function rowThetas(cfg: AttentionConfig, rows: number, n: number, json: Record<string, unknown> = {}): (number | null)[] {
  if (cfg.selection !== 'threshold') return Array.from({ length: rows }, () => null);
  const table = json.thresholds as ThetaTable | undefined;
  if (!table) throw new Error('--thresholds is required for selection "threshold"');
  const meta = (json.meta ?? {}) as RowMeta;
  return Array.from({ length: rows }, (_, r) => thetaFor(cfg, table, n, meta.layers?.[r] ?? 0, meta.heads?.[r] ?? r % cfg.heads));
}

/** Query rows (q, θ, n) of the CLI inputs. */
export function queryRows(cfg: AttentionConfig, arrays: Record<string, NpyArray>, json?: Record<string, unknown>): { rows: QueryRow[]; k: Uint16Array; v: Uint16Array } {
  const D = cfg.dims;
  const q = patternsOf(cfg, 'q', arrays.q);
  const k = patternsOf(cfg, 'k', arrays.k);
  const v = patternsOf(cfg, 'v', arrays.v);
  if (k.length !== v.length) throw new Error(`--k and --v must have the same shape, got ${k.length / D} and ${v.length / D} tokens`);
  checkFinite(cfg, q, D, 'q');
  const n = k.length / D;
  const count = q.length / D;
  const th = rowThetas(cfg, count, n, json);
  return { rows: Array.from({ length: count }, (_, r) => ({ q: q.subarray(r * D, r * D + D), theta: th[r], n })), k, v };
}

export function attentionFromNpy(cfg: AttentionConfig, arrays: Record<string, NpyArray>, json?: Record<string, unknown>): StreamData {
  const { rows, k, v } = queryRows(cfg, arrays, json);
  const image = buildImage(cfg, buildCache(cfg, k, v, valueCodebookOf(cfg, json)));
  return { query: queryTable(cfg, rows), [CACHE_MEMORY]: imageTable(cfg, image) };
}

export function attentionToNpy(cfg: AttentionConfig, outputs: StreamData): Record<string, NpyArray> {
  const D = cfg.dims;
  const rows = outputs.row.count;
  const n = rows === 0 ? 0 : outputs.key.count / rows;
  const out = new Uint16Array(rows * D);
  for (let i = 0; i < rows * D; i++) out[i] = Number(outputs.out.get(i, 'value'));
  const kept = new Uint8Array(rows * n);
  const scores = new BigInt64Array(rows * n);
  for (let i = 0; i < rows * n; i++) {
    kept[i] = Number(outputs.key.get(i, 'kept'));
    scores[i] = outputs.key.get(i, 'score');
  }
  return {
    out: { dtype: cfg.format === 'fp16' ? 'float16' : 'uint16', shape: [rows, D], data: out },
    kept: { dtype: 'uint8', shape: [rows, n], data: kept },
    scores: { dtype: 'int64', shape: [rows, n], data: scores },
  };
}
