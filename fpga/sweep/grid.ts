/**
 * grid.json of `kvhdl sweep`: the configurations to sweep (fpga/sweep/README.md, "Grid").
 *
 *   { "base":   { "width": 8 },                      fixed fields of every point (optional)
 *     "fields": { "lanes": [1, 2, 4], "stages": [0, 1] },   Cartesian product, first field slowest (optional)
 *     "points": [ { "lanes": 16, "stages": 2 } ] }  explicit points, after the product (optional)
 *
 * At least one of `fields` and `points`. Every point is validated against the unit's schema: an
 * invalid one is listed (with the config errors) and skipped; identical points are swept once.
 */
import { z } from 'zod';
import { createHash } from 'node:crypto';
import type { AnyUnit } from '../../gen/unit.ts';
import { ConfigError, formatIssues } from '../../gen/config.ts';
import { readJsonFile } from '../../gen/json-file.ts';
import { JsonTextError } from '../../gen/json-text.ts';

const jsonObject = z.record(z.string(), z.unknown());

export const gridSchema = z
  .strictObject({
    base: jsonObject.optional().describe('fields every point shares (a point or a product value overrides them)'),
    fields: z
      .record(z.string(), z.array(z.unknown()).min(1, 'must list at least one value'))
      .optional()
      .describe('values per config field; the sweep takes their Cartesian product'),
    points: z.array(jsonObject).optional().describe('explicit points (partial configs), swept after the product'),
  })
  .refine((g) => g.fields !== undefined || g.points !== undefined, { message: "needs 'fields' or 'points' (or both)" });

export type Grid = z.infer<typeof gridSchema>;

/** A configuration of the sweep: index in the expansion order, the raw point and the parsed config. */
export interface GridPoint {
  index: number;
  raw: Record<string, unknown>;
  config: Record<string, unknown>;
  /** Content hash of unit and parsed config (the point's identity; not the cache key). */
  id: string;
}

export interface InvalidPoint {
  index: number;
  raw: Record<string, unknown>;
  errors: string[];
}

export interface ExpandedGrid {
  points: GridPoint[];
  invalid: InvalidPoint[];
  /** Points equal (after defaults) to an earlier one: index of the duplicate and of the first. */
  duplicates: { index: number; of: number }[];
  /** Fields that take more than one value over the valid points (the effect plots' x axes). */
  varied: string[];
  /** Number of raw points (product plus explicit). */
  total: number;
}

/** Stable JSON: object keys sorted, so equal configs give equal text. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v as object).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Validates a grid object; ConfigError with one line per problem (`<where>: 'fields.lanes': ...`). */
export function parseGrid(raw: unknown, where: string): Grid {
  const r = gridSchema.safeParse(raw);
  if (r.success) return r.data;
  throw new ConfigError(
    r.error.issues.map((iss) => {
      const p = iss.path.map(String).join('.');
      if (iss.code === 'unrecognized_keys') return `${where}: unknown key${iss.keys.length > 1 ? 's' : ''} ${iss.keys.map((k) => `'${k}'`).join(', ')} (allowed: base, fields, points)`;
      return `${where}: ${p ? `'${p}': ` : ''}${iss.message}`;
    }),
  );
}

/** Reads and validates grid.json (a regular JSON file, gen/json-file.ts rules). */
export function loadGrid(file: string): Grid {
  let raw: unknown;
  try {
    raw = readJsonFile(file);
  } catch (e) {
    if (e instanceof JsonTextError) throw new ConfigError([`${file}: ${e.message}`]);
    throw e;
  }
  return parseGrid(raw, file);
}

/** The raw points of a grid, in sweep order: the product (first field slowest), then `points`. */
export function rawPoints(g: Grid): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const fields = Object.entries(g.fields ?? {});
  if (fields.length) {
    let acc: Record<string, unknown>[] = [{ ...g.base }];
    for (const [name, values] of fields) acc = acc.flatMap((p) => values.map((v) => ({ ...p, [name]: v })));
    out.push(...acc);
  }
  for (const p of g.points ?? []) out.push({ ...g.base, ...p });
  return out;
}

/** Expands and validates a grid for `unit`. */
export function expandGrid(unit: AnyUnit, g: Grid): ExpandedGrid {
  const raws = rawPoints(g);
  const points: GridPoint[] = [];
  const invalid: InvalidPoint[] = [];
  const duplicates: { index: number; of: number }[] = [];
  const seen = new Map<string, number>();
  raws.forEach((raw, index) => {
    const r = unit.schema.safeParse(raw, { reportInput: true });
    if (!r.success) {
      invalid.push({ index, raw, errors: formatIssues(unit, r.error.issues, `point ${index} ${JSON.stringify(raw)}`) });
      return;
    }
    const config = r.data as Record<string, unknown>;
    const text = canonicalJson({ unit: unit.name, config });
    const first = seen.get(text);
    if (first !== undefined) {
      duplicates.push({ index, of: first });
      return;
    }
    seen.set(text, index);
    points.push({ index, raw, config, id: sha256Hex(text).slice(0, 16) });
  });
  const varied = Object.keys(points[0]?.config ?? {}).filter((k) => new Set(points.map((p) => canonicalJson(p.config[k]))).size > 1);
  return { points, invalid, duplicates, varied, total: raws.length };
}

/** `--shard i/n` (1-based): i in 1..n. */
export interface Shard {
  index: number;
  count: number;
}

/** The points of one shard: every n-th point of the expansion order, starting at the i-th (deterministic). */
export function shardPoints<T extends { index: number }>(points: readonly T[], shard: Shard | undefined): T[] {
  if (!shard) return [...points];
  return points.filter((_, k) => k % shard.count === shard.index - 1);
}
