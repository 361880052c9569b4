/**
 * `kvhdl sweep merge`: combines the sweep.json of the shards of one sweep (same unit, grid, targets,
 * simulation length and back end; shards 1..n each exactly once) into the result one process would
 * have written.
 */
import { readJsonFile } from '../../gen/json-file.ts';
import { JsonTextError } from '../../gen/json-text.ts';
import { ConfigError } from '../../gen/config.ts';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { SWEEP_FORMAT, type SweepResult } from './run.ts';

export function readSweepJson(dir: string): SweepResult {
  const file = path.join(dir, 'sweep.json');
  if (!existsSync(file)) throw new ConfigError([`${file}: not found (is ${dir} the --out of a kvhdl sweep?)`]);
  let v: unknown;
  try {
    v = readJsonFile(file);
  } catch (e) {
    if (e instanceof JsonTextError) throw new ConfigError([`${file}: ${e.message}`]);
    throw e;
  }
  if (!v || typeof v !== 'object' || (v as { format?: unknown }).format !== SWEEP_FORMAT) {
    throw new ConfigError([`${file}: not a kvhdl sweep result (format ${SWEEP_FORMAT})`]);
  }
  return v as SweepResult;
}

export function mergeSweeps(parts: readonly { dir: string; result: SweepResult }[]): SweepResult {
  if (parts.length === 0) throw new ConfigError(['merge needs at least one sweep directory']);
  const [first] = parts;
  const same = ['unit', 'gridHash', 'simTransactions', 'backend'] as const;
  for (const p of parts.slice(1)) {
    for (const k of same) {
      if (p.result[k] !== first.result[k]) throw new ConfigError([`${p.dir}: ${k} ${JSON.stringify(p.result[k])} differs from ${first.dir}'s ${JSON.stringify(first.result[k])} (not shards of one sweep)`]);
    }
    if (p.result.targets.join(',') !== first.result.targets.join(',')) throw new ConfigError([`${p.dir}: targets ${p.result.targets.join(',')} differ from ${first.dir}'s ${first.result.targets.join(',')}`]);
  }
  const seen = new Map<number, string>();
  const counts = new Set(parts.map((p) => p.result.shard?.count ?? 1));
  if (counts.size > 1) throw new ConfigError([`the directories hold shards of different counts (${[...counts].join(', ')})`]);
  const n = [...counts][0];
  for (const p of parts) {
    const i = p.result.shard?.index ?? 1;
    const dup = seen.get(i);
    if (dup) throw new ConfigError([`${p.dir}: shard ${i}/${n} given twice (also ${dup})`]);
    seen.set(i, p.dir);
  }
  const missing = Array.from({ length: n }, (_, k) => k + 1).filter((i) => !seen.has(i));
  if (missing.length) throw new ConfigError([`shard(s) ${missing.map((i) => `${i}/${n}`).join(', ')} missing`]);
  const points = parts.flatMap((p) => p.result.points).sort((a, b) => a.index - b.index);
  const failed = parts.flatMap((p) => p.result.failed).sort((a, b) => a.index - b.index);
  return { ...first.result, shard: null, points, failed };
}
