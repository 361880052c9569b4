/**
 * `kvhdl sweep`: runs the points of a grid (or one shard of them) with up to `jobs` points at a time
 * (each point's tools are child processes, so points overlap on separate cores), each point cached
 * by content hash; an abort signal (Ctrl-C) starts no new point, lets the running ones finish and
 * be cached, and ends the sweep as interrupted.
 */
import type { AnyUnit } from '../../gen/unit.ts';
import { generatorName } from '../../gen/generate.ts';
import type { SynthTarget } from '../synth.ts';
import type { EdaBackend } from '../eda.ts';
import { canonicalJson, sha256Hex, shardPoints, type ExpandedGrid, type Grid, type InvalidPoint, type Shard } from './grid.ts';
import { computePoint, pointCacheKey, readCachedPoint, type PointOptions, type PointResult } from './point.ts';
import type { Progress } from './progress.ts';

export const SWEEP_FORMAT = 'kvhdl-sweep/1';

export interface FailedPoint {
  index: number;
  id: string;
  config: Record<string, unknown>;
  error: string;
}

/** sweep.json: everything the CSV, plots and HTML are made from (and what `merge` reads). */
export interface SweepResult {
  format: typeof SWEEP_FORMAT;
  generator: string;
  unit: string;
  /** Hash of the grid as given (shards of one sweep must agree on it). */
  gridHash: string;
  grid: Grid;
  targets: SynthTarget[];
  simTransactions: number;
  backend: EdaBackend;
  /** The shard this result holds, or null for a whole sweep (also after merge). */
  shard: Shard | null;
  /** Valid, distinct points of the whole grid (all shards). */
  totalPoints: number;
  /** Config fields that vary over the grid's valid points. */
  varied: string[];
  points: PointResult[];
  failed: FailedPoint[];
  invalid: InvalidPoint[];
  duplicates: { index: number; of: number }[];
}

export interface SweepOptions extends PointOptions {
  jobs: number;
  shard?: Shard;
  signal?: AbortSignal;
  progress?: Progress;
}

export interface SweepRun {
  result: SweepResult;
  interrupted: boolean;
  /** Points computed in this run (the rest came from the cache). */
  computed: number;
}

const label = (unit: AnyUnit, p: { index: number; config: Record<string, unknown> }, varied: string[]) =>
  `#${p.index} ${varied.length ? varied.map((k) => `${k}=${JSON.stringify(p.config[k])}`).join(' ') : unit.name}`;

export function gridHash(grid: Grid): string {
  return sha256Hex(canonicalJson(grid));
}

export async function runSweep(unit: AnyUnit, grid: Grid, expanded: ExpandedGrid, o: SweepOptions): Promise<SweepRun> {
  const mine = shardPoints(expanded.points, o.shard);
  const points: PointResult[] = [];
  const failed: FailedPoint[] = [];
  let computed = 0;
  let next = 0;
  const worker = async () => {
    while (next < mine.length && !o.signal?.aborted) {
      const p = mine[next++];
      const name = label(unit, p, expanded.varied);
      o.progress?.start(name);
      const t0 = performance.now();
      try {
        const key = await pointCacheKey(unit, p, o);
        const hit = await readCachedPoint(key, o);
        if (hit) {
          points.push({ index: p.index, id: p.id, config: p.config, ...hit, problems: hit.problems ?? [], cacheKey: key, seconds: 0, cached: true });
          o.progress?.finish(name, `cached ${summary(hit)}`);
          continue;
        }
        const m = await computePoint(unit, p, key, o);
        const seconds = Math.round((performance.now() - t0) / 100) / 10;
        computed++;
        points.push({ index: p.index, id: p.id, config: p.config, ...m, cacheKey: key, seconds, cached: false });
        o.progress?.finish(name, `${summary(m)} in ${seconds} s${m.problems.length ? ` (not cached: ${m.problems.join('; ')})` : ''}`, seconds);
      } catch (e) {
        const error = (e as Error).message ?? String(e);
        if (o.signal?.aborted) {
          o.progress?.finish(name, 'interrupted');
          continue;
        }
        failed.push({ index: p.index, id: p.id, config: p.config, error });
        o.progress?.finish(name, `FAILED: ${error.split('\n')[0]}`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(o.jobs, mine.length)) }, worker));
  o.progress?.end();
  points.sort((a, b) => a.index - b.index);
  failed.sort((a, b) => a.index - b.index);
  const interrupted = o.signal?.aborted === true && points.length + failed.length < mine.length;
  return {
    interrupted,
    computed,
    result: {
      format: SWEEP_FORMAT, generator: generatorName, unit: unit.name, gridHash: gridHash(grid), grid,
      targets: [...o.targets], simTransactions: o.simTransactions, backend: o.backend, shard: o.shard ?? null,
      totalPoints: expanded.points.length, varied: expanded.varied, points, failed, invalid: expanded.invalid, duplicates: expanded.duplicates,
    },
  };
}

function summary(m: Pick<PointResult, 'xc7' | 'ice40' | 'elementsPerCycle' | 'problems'>): string {
  const parts: string[] = [];
  if (m.xc7) parts.push(`${m.xc7.lut} LUT`);
  if (m.ice40) parts.push(m.ice40.fmaxMHz !== null ? `${m.ice40.fmaxMHz.toFixed(1)} MHz` : 'no iCE40 fit');
  else if (m.problems?.some((p) => p.startsWith('ice40'))) parts.push('no iCE40 figures');
  parts.push(`${m.elementsPerCycle === null ? '–' : m.elementsPerCycle.toFixed(2)} el/cycle`);
  return parts.join(', ');
}
