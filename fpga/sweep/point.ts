/**
 * One point of a sweep: elaborate, synthesize (fpga/synth.ts, itself cached), simulate without
 * stalls for throughput and latency (flow/unit-run.ts, as `kvhdl report` does), and the unit's
 * quality metrics from its golden report. The whole result is cached by content hash
 * (`$KVHDL_SWEEP_CACHE_DIR`, else `<cacheRoot>/sweep/`, file `<sha256>.json`), so an interrupted sweep resumes without redoing finished points.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import * as path from 'node:path';
import type { AnyUnit } from '../../gen/unit.ts';
import { emitDesign } from '../../hdl/index.ts';
import { runUnit } from '../../flow/unit-run.ts';
import { cacheRoot } from '../../cosim/cache-root.ts';
import { toolVersion } from '../../toolchain/tools.ts';
import { synthModule, SYNTH_FLOW_VERSION, type SynthTarget } from '../synth.ts';
import { edaVersion, type EdaBackend } from '../eda.ts';
import { readSynthCache, writeSynthCache } from '../synth-cache.ts';
import { canonicalJson, sha256Hex, type GridPoint } from './grid.ts';

/** Bump when what a point measures or its result format changes (invalidates cached points). */
export const SWEEP_POINT_VERSION = 1;

export interface PointOptions {
  targets: readonly SynthTarget[];
  /** Input transactions of the throughput simulation. */
  simTransactions: number;
  backend: EdaBackend;
  /** Cache root of synthesis and Verilator builds (default `$KVHDL_CACHE_DIR`, else `<repo>/.cache`). */
  cacheDir?: string;
  /** Where point results are cached (default `$KVHDL_SWEEP_CACHE_DIR`, else `<cacheRoot>/sweep`). */
  pointCacheDir?: string;
  log?: (line: string) => void;
}

export interface PointMetrics {
  top: string;
  xc7: { lut: number; ff: number; carry4: number; muxf7: number; muxf8: number; dsp48e1: number; ramb18e1: number; ramb36e1: number; lutLevels: number } | null;
  ice40: { lut4: number; ff: number; carry: number; ram40_4k: number; mac16: number; lutLevels: number; fits: boolean; device: string | null; fmaxMHz: number | null } | null;
  /** Input elements per cycle without stalls (elementsPerBeat / II). */
  elementsPerCycle: number | null;
  ii: number | null;
  /** Cycles from the first accepted input to the first output transaction. */
  latency: number | null;
  /** elementsPerCycle x iCE40 Fmax (million elements per second), when both exist. */
  ice40MElementsPerSecond: number | null;
  /** The unit's quality figures (numbers from its golden report, dotted names), e.g. relMse. */
  quality: Record<string, number>;
  /**
   * What could not be measured, one line each (a crash of nextpnr-ice40 leaves `ice40` null and the
   * rest of the point valid). A point with problems is not cached: a rerun tries it again.
   */
  problems: string[];
}

export interface PointResult extends PointMetrics {
  index: number;
  id: string;
  config: Record<string, unknown>;
  /** Content hash the result is cached under. */
  cacheKey: string;
  /** Seconds it took to compute (0 when it came from the cache of an earlier run). */
  seconds: number;
  cached: boolean;
}

/** Numbers of a (nested) report object, with dotted names; other values are left out. */
export function numericFacts(v: unknown, prefix = '', out: Record<string, number> = {}): Record<string, number> {
  if (typeof v === 'number' && Number.isFinite(v)) out[prefix] = v;
  else if (v && typeof v === 'object' && !Array.isArray(v)) {
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) numericFacts(x, prefix ? `${prefix}.${k}` : k, out);
  }
  return out;
}

export function pointCacheDir(o: Pick<PointOptions, 'cacheDir' | 'pointCacheDir'>): string {
  return path.resolve(o.pointCacheDir ?? (process.env.KVHDL_SWEEP_CACHE_DIR || path.join(cacheRoot(o.cacheDir), 'sweep')));
}

/** The content hash of a point: its Verilog, the flow's options and every tool's version. */
export async function pointCacheKey(unit: AnyUnit, p: GridPoint, o: PointOptions): Promise<string> {
  const files = emitDesign(unit.build(p.config)).map((e) => [e.fileName, sha256Hex(e.text)]);
  const tools: Record<string, string> = { verilator: await toolVersion('verilator') };
  if (o.targets.length) tools.yosys = await edaVersion('yosys', o.backend);
  if (o.targets.includes('ice40')) tools.nextpnr = await edaVersion('nextpnr-ice40', o.backend);
  return sha256Hex(canonicalJson({
    v: SWEEP_POINT_VERSION, synth: SYNTH_FLOW_VERSION, unit: unit.name, config: p.config, files, targets: [...o.targets].sort(),
    simTransactions: o.simTransactions, backend: o.backend, tools,
  }));
}

export async function readCachedPoint(key: string, o: PointOptions): Promise<PointMetrics | undefined> {
  return readSynthCache<PointMetrics>(pointCacheDir(o), key);
}

/** Computes one point (no cache lookup; stores the result). Throws on a tool failure or a cosim mismatch. */
export async function computePoint(unit: AnyUnit, p: GridPoint, key: string, o: PointOptions): Promise<PointMetrics> {
  const cfg = p.config;
  const top = unit.build(cfg);
  const m: PointMetrics = { top: top.name, xc7: null, ice40: null, elementsPerCycle: null, ii: null, latency: null, ice40MElementsPerSecond: null, quality: {}, problems: [] };
  for (const target of o.targets) {
    if (target === 'xc7') {
      const r = await synthModule(top, { target, backend: o.backend, cacheDir: o.cacheDir, log: o.log });
      m.xc7 = { ...r.resources, lutLevels: r.logicDepth };
      delete (m.xc7 as { lutMemory?: number }).lutMemory;
    } else {
      try {
        const r = await synthModule(top, { target, backend: o.backend, cacheDir: o.cacheDir, log: o.log });
        m.ice40 = { ...r.resources, lutLevels: r.logicDepth, fits: r.fits, device: r.device ? `${r.device.name} ${r.device.package}` : null, fmaxMHz: r.fits ? r.fmaxMHz : null };
      } catch (e) {
        const msg = (e as Error).message ?? String(e);
        if (!msg.startsWith('nextpnr-ice40 failed')) throw e;
        // nextpnr crashed (e.g. a WebAssembly trap): the point keeps its other figures
        const detail = msg.split('\n').map((l) => l.trim()).find((l) => l && !l.startsWith('at ') && !l.startsWith('nextpnr-ice40 failed')) ?? '';
        m.problems.push(`ice40: ${msg.split('\n')[0].replace(/:\s+at wasm:.*$/, '')}${detail && !detail.startsWith('command:') ? `: ${detail}` : ''}`);
      }
    }
  }
  const work = await fs.mkdtemp(path.join(os.tmpdir(), `kvhdl-sweep-${unit.name}-`));
  try {
    const stimulus = unit.randomStimulus(cfg, 1, o.simTransactions);
    const sim = await runUnit(unit, cfg, stimulus, { workDir: work, stall: 0, seed: 1, cacheDir: o.cacheDir });
    if (!sim.ok) throw new Error(`co-simulation failed:\n${sim.problem}`);
    m.ii = sim.ii;
    m.latency = sim.latency;
    m.elementsPerCycle = sim.ii ? unit.elementsPerBeat(cfg) / sim.ii : null;
    if (m.elementsPerCycle !== null && m.ice40?.fmaxMHz != null) m.ice40MElementsPerSecond = m.elementsPerCycle * m.ice40.fmaxMHz;
    if (unit.goldenReport) m.quality = numericFacts(unit.goldenReport(cfg, stimulus, sim.expected));
  } finally {
    await fs.rm(work, { recursive: true, force: true });
  }
  if (m.problems.length === 0) await writeSynthCache(pointCacheDir(o), key, m);
  return m;
}
