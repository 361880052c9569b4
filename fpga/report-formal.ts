/**
 * The formal column of `kvhdl report`: `kvhdl prove` on each reference configuration with a time
 * budget, summarised as properties proved / bounded / failed. A budget that runs out is shown as
 * such ("timed out"): the open properties are bounded to the deepest BMC step that completed,
 * never counted as proved. Results are cached by content (`<cacheRoot>/prove/<sha256>.json`: the
 * design's Verilog, depth, budget, engine and Yosys version), so a re-run is instant.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import * as path from 'node:path';
import type { Module } from '../hdl/index.ts';
import { cacheRoot, userCacheRoot } from '../cosim/cache-root.ts';
import { toolVersion } from '../toolchain/tools.ts';
import { formalDesign } from '../formal/design-files.ts';
import { ENGINE, proveDesign } from '../formal/prove.ts';
import { proveSummary } from '../formal/format.ts';
import { readSynthCache, synthCacheKey, writeSynthCache } from './synth-cache.ts';

/** Bump when the way the column is computed changes (invalidates cached entries). */
export const PROVE_COLUMN_VERSION = 1;

export interface ProveColumnOptions {
  /** Time budget of each configuration's proof, in milliseconds. */
  timeoutMs: number;
  /** Maximum induction length / BMC depth (default 20, as `kvhdl prove`). */
  depth?: number;
  cacheDir?: string;
  log?: (line: string) => void;
}

export interface FormalSummary {
  proved: number;
  bounded: number;
  failed: number;
  covers: number;
  depth: number;
  /** The budget ran out: the bounded ones include properties whose BMC was stopped. */
  timedOut: boolean;
  timeoutMin: number;
  /** Deepest BMC step reached by the bounded properties (the smallest of their bounds). */
  minBound: number | null;
  seconds: number;
  cached: boolean;
  cacheKey: string;
}

export function proveCacheDirs(explicit?: string): string[] {
  return [path.join(cacheRoot(explicit), 'prove'), path.join(userCacheRoot(), 'prove')];
}

export async function proveForReport(top: Module, o: ProveColumnOptions): Promise<FormalSummary> {
  const log = o.log ?? (() => {});
  const depth = o.depth ?? 20;
  const d = formalDesign(top);
  const key = synthCacheKey({ column: PROVE_COLUMN_VERSION, engine: ENGINE, yosys: await toolVersion('yosys'), depth, timeoutMs: o.timeoutMs, files: [...d.files] });
  const dirs = proveCacheDirs(o.cacheDir);
  const hit = await readSynthCache<FormalSummary>(dirs, key);
  if (hit) {
    log(`prove: ${top.name}: cached (${key.slice(0, 12)})`);
    return { ...hit, cached: true };
  }
  const work = mkdtempSync(path.join(os.tmpdir(), 'kvhdl-report-prove-'));
  try {
    log(`prove: ${top.name} (depth ${depth}, time budget ${+(o.timeoutMs / 60_000).toFixed(2)} min)`);
    const r = await proveDesign(d, { depth, workDir: work, timeoutMs: o.timeoutMs, log: (l) => log(`prove: ${l}`) });
    const s = proveSummary(r);
    const bounds = r.properties.filter((p) => p.status === 'bounded').map((p) => p.bound ?? 0);
    const summary: FormalSummary = {
      ...s, covers: r.covers.length, depth, timedOut: r.timedOut === true, timeoutMin: o.timeoutMs / 60_000,
      minBound: bounds.length ? Math.min(...bounds) : null, seconds: r.seconds, cached: false, cacheKey: key,
    };
    await writeSynthCache(dirs, key, summary);
    return summary;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The report cell: `proved/bounded/failed`, with "timed out" (and the BMC depth reached) when the budget ran out. */
export function formalCell(f: FormalSummary | undefined): string {
  if (!f) return '–';
  const counts = `${f.proved}/${f.bounded}/${f.failed}`;
  if (f.timedOut) return `${counts} timed out (${+f.timeoutMin.toFixed(2)} min; BMC ≥ ${f.minBound ?? 0} cycles)`;
  if (f.bounded) return `${counts} (bounded ${f.minBound})`;
  return counts;
}

export const FORMAL_COLUMN = 'properties proved/bounded/failed';

export function formalNote(timeoutMin: number, depth: number): string {
  return `Properties: kvhdl prove (Yosys sat -tempinduct, depth ${depth}) on the configuration with a time budget of ${+timeoutMin.toFixed(2)} min: proved by k-induction / bounded (no counterexample within the stated number of cycles; not a proof) / failed (a counterexample). "timed out": the budget ran out; the properties still open are counted as bounded to the deepest BMC step that completed. Cached by content (design Verilog, depth, budget, Yosys version).`;
}
