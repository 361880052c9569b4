/** thresholds.json (README "Files"): { k, buckets, theta[layer][head][bucket], rows?, sigma? }. */
import type { SelectorConfig } from './config.ts';
import { clampThetaTo } from './theta-range.ts';

export interface ThetaTable {
  k: number;
  buckets: number[];
  /** integer theta[layer][head][bucket] (clamped to thetaRange(W) by parseThetaTable) */
  theta: number[][][];
  /** calibration rows per cell (written by `kvhdl calibrate`) */
  rows?: number[][][];
  sigma?: number;
}

const KEYS = ['k', 'buckets', 'theta', 'rows', 'sigma'];

/**
 * Validates a parsed thresholds.json against a configuration; errors name the element. Every θ may be
 * any integer (a bigint when read with exactIntegers); it comes back clamped to thetaRange(W).
 */
export function parseThetaTable(cfg: SelectorConfig, json: unknown, name = '--thresholds'): ThetaTable {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new Error(`${name} must be a JSON object { "k", "buckets", "theta" }`);
  const o = json as Record<string, unknown>;
  for (const key of Object.keys(o)) if (!KEYS.includes(key)) throw new Error(`${name}: unknown key "${key}" (expected ${KEYS.join(', ')})`);
  if (o.k !== cfg.k) throw new Error(`${name}: k = ${JSON.stringify(o.k)}, but the config has k = ${cfg.k}`);
  const b = o.buckets;
  if (!Array.isArray(b) || b.length !== cfg.rowBuckets.length || b.some((v, i) => v !== cfg.rowBuckets[i])) {
    throw new Error(`${name}: buckets = ${JSON.stringify(b)}, but the config has rowBuckets = ${JSON.stringify(cfg.rowBuckets)}`);
  }
  const t = o.theta;
  const shape = `[${cfg.layers}][${cfg.heads}][${cfg.rowBuckets.length}] (layers, heads, buckets)`;
  if (!Array.isArray(t) || t.length !== cfg.layers) throw new Error(`${name}: theta must be an array ${shape}`);
  t.forEach((tl, l) => {
    if (!Array.isArray(tl) || tl.length !== cfg.heads) throw new Error(`${name}: theta[${l}] must be an array of ${cfg.heads} heads; theta is ${shape}`);
    tl.forEach((th: unknown, h: number) => {
      if (!Array.isArray(th) || th.length !== cfg.rowBuckets.length) throw new Error(`${name}: theta[${l}][${h}] must be an array of ${cfg.rowBuckets.length} buckets`);
      th.forEach((v: unknown, bi: number) => {
        // any integer: a bigint (read exactly, gen/json-text.ts exactIntegers) or an integral number
        if (typeof v !== 'bigint' && !(typeof v === 'number' && Number.isInteger(v))) {
          throw new Error(`${name}: theta[${l}][${h}][${bi}] = ${JSON.stringify(v)} is not an integer`);
        }
        th[bi] = clampThetaTo(cfg.scoreBits, v);
      });
    });
  });
  return o as unknown as ThetaTable;
}
