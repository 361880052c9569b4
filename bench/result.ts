/** Benchmark results: one JSON object per file in bench/out/<name>.json. */
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface BenchResult {
  name: string;
  metric: string;
  value: number;
  unit: string;
  baseline?: number;
  ratio?: number;
  [extra: string]: unknown;
}

export const benchOutDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'out');

export function writeResult(r: BenchResult): void {
  mkdirSync(benchOutDir, { recursive: true });
  writeFileSync(path.join(benchOutDir, `${r.name}.json`), JSON.stringify(r, null, 2) + '\n');
  const extra = r.baseline !== undefined ? ` (baseline ${r.baseline} ${r.unit}, ratio ${r.ratio})` : '';
  console.log(`${r.name}: ${r.metric} = ${r.value} ${r.unit}${extra}`);
}

/** Median wall time in ms of `fn` over `runs` runs (after one warm-up). */
export function medianMs(fn: () => void, runs: number): number {
  fn();
  const t: number[] = [];
  for (let i = 0; i < runs; i++) {
    const s = performance.now();
    fn();
    t.push(performance.now() - s);
  }
  t.sort((a, b) => a - b);
  return Math.round(t[Math.floor(t.length / 2)] * 100) / 100;
}
