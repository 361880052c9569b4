/**
 * LUT levels by construction (issue 19 item 3): the xc7 LUT levels, register to register, of every
 * unit's default configuration, and of the fp16 / bf16 adder and multiplier alone at each `stages`
 * (between input and output registers: bench/float-op-module.ts). Results:
 *   bench/out/levels-units.json      value = the largest level count over the default configs; `units`: per unit
 *   bench/out/levels-float-ops.json  value = fp16 add levels at stages 3; `ops`: every op x format x stages
 *   bench/out/levels-presets.json    value = the largest level count of a "balanced" preset; `runs`: every
 *                                    unit with a `pipeline` field at each preset (area, balanced, fast)
 * Synthesis results are cached (fpga/synth-cache.ts), so a re-run takes seconds; a cold run takes
 * minutes per unit. `npx tsx bench/levels.ts [units|ops|presets] [unit ...]` runs a part (npm run bench
runs units and ops; presets only on request: it synthesizes three configurations per unit).
 * `units --ice40` adds each unit's iCE40 figures (LUT4, levels, nextpnr Fmax, device; cached like
 * the xc7 run) to levels-units.json under `units.<name>.ice40`.
 */
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { units } from '../gen/registry.ts';
import { synthModule, synthUnit } from '../fpga/synth.ts';
import { levelPathText } from '../fpga/format.ts';
import { ice40SkipReason } from '../fpga/ice40-precheck.ts';
import { FP_ADD_MAX_STAGES } from '../hdl/lib/float/add.ts';
import { FP_MUL_MAX_STAGES } from '../hdl/lib/float/mul.ts';
import { floatOpModule, type FloatOpKind } from './float-op-module.ts';
import { writeResult } from './result.ts';
import { describeConfig } from '../gen/config.ts';
import { PIPELINE_PRESETS } from '../hdl/lib/pipeline-preset.ts';

const TIMEOUT_MS = 30 * 60_000;

/** iCE40 figures of a unit's default configuration (`units --ice40`): nextpnr Fmax on the first device that takes it. */
interface Ice40Figures {
  lut: number;
  levels: number;
  fmaxMHz: number | null;
  device: string | null;
  criticalPath: string | null;
  /** Why there are no iCE40 figures (not synthesized). */
  note?: string;
}

export async function benchUnitLevels(only: readonly string[] = [], opts: { ice40?: boolean } = {}): Promise<void> {
  const perUnit: Record<string, { top: string; levels: number; path: string | null; lut: number; ff: number; ice40?: Ice40Figures }> = {};
  for (const u of units) {
    if (only.length && !only.includes(u.name)) continue;
    const r = await synthUnit(u, {}, { target: 'xc7', timeoutMs: TIMEOUT_MS });
    if (r.target !== 'xc7') continue;
    perUnit[u.name] = { top: r.top, levels: r.logicDepth, path: levelPathText(r), lut: r.resources.lut, ff: r.resources.ff };
    console.error(`levels: ${u.name} ${r.top}: ${r.logicDepth}`);
    if (opts.ice40) {
      const skip = ice40SkipReason(r); // as kvhdl report: more xc7 flip-flops than any iCE40 has cells
      if (skip) {
        perUnit[u.name].ice40 = { lut: 0, levels: 0, fmaxMHz: null, device: null, criticalPath: null, note: skip };
        continue;
      }
      const i = await synthUnit(u, {}, { target: 'ice40', timeoutMs: TIMEOUT_MS });
      if (i.target !== 'ice40') continue;
      perUnit[u.name].ice40 = { lut: i.resources.lut4, levels: i.logicDepth, fmaxMHz: i.fmaxMHz, device: i.device?.name ?? null, criticalPath: i.criticalPath ? `${i.criticalPath.from} -> ${i.criticalPath.to} (${i.criticalPath.ns} ns)` : null };
      console.error(`ice40: ${u.name}: ${i.fmaxMHz ?? '-'} MHz (${i.device?.name ?? 'does not fit'})`);
    }
  }
  const value = Math.max(...Object.values(perUnit).map((u) => u.levels));
  writeResult({ name: 'levels-units', metric: 'largest xc7 LUT levels (register to register) over the units\' default configs', value, unit: 'LUT levels', units: perUnit });
}

export async function benchFloatOpLevels(): Promise<void> {
  const ops: { op: FloatOpKind; format: string; stages: number; levels: number; lut: number; ff: number }[] = [];
  const max: Record<string, number> = { add: FP_ADD_MAX_STAGES, mul: FP_MUL_MAX_STAGES };
  for (const format of ['fp16', 'bf16'] as const) {
    for (const op of ['add', 'mul'] as const) {
      for (let stages = 0; stages <= max[op]; stages++) {
        const r = await synthModule(floatOpModule(op, format, stages), { target: 'xc7', timeoutMs: TIMEOUT_MS });
        ops.push({ op, format, stages, levels: r.logicDepth, lut: r.resources.lut, ff: r.resources.ff });
        console.error(`levels: ${format} ${op} stages ${stages}: ${r.logicDepth}`);
      }
    }
  }
  const at3 = ops.find((o) => o.op === 'add' && o.format === 'fp16' && o.stages === 3)!.levels;
  writeResult({ name: 'levels-float-ops', metric: 'xc7 LUT levels of the fp16 adder at stages 3 (register to register; ops: every op, format and stages)', value: at3, unit: 'LUT levels', ops });
}

/** Every unit with a `pipeline` field (default config otherwise) at each preset. */
export async function benchPresetLevels(only: readonly string[] = []): Promise<void> {
  const runs: { unit: string; pipeline: string; top: string; levels: number; path: string | null; lut: number; ff: number }[] = [];
  for (const u of units) {
    if ((only.length && !only.includes(u.name)) || !describeConfig(u).some((f) => f.name === 'pipeline')) continue;
    for (const pipeline of PIPELINE_PRESETS) {
      const r = await synthUnit(u, { pipeline }, { target: 'xc7', timeoutMs: TIMEOUT_MS });
      if (r.target !== 'xc7') continue;
      runs.push({ unit: u.name, pipeline, top: r.top, levels: r.logicDepth, path: levelPathText(r), lut: r.resources.lut, ff: r.resources.ff });
      console.error(`levels: ${u.name} pipeline ${pipeline}: ${r.logicDepth}`);
    }
  }
  const value = Math.max(...runs.filter((r) => r.pipeline === 'balanced').map((r) => r.levels));
  writeResult({ name: 'levels-presets', metric: 'largest xc7 LUT levels (register to register) of a unit at pipeline "balanced" (runs: every preset)', value, unit: 'LUT levels', runs });
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const [part, ...rest] = process.argv.slice(2);
  const ice40 = rest.includes('--ice40');
  const only = rest.filter((a) => a !== '--ice40');
  const run = async () => {
    if (!part || part === 'units') await benchUnitLevels(only, { ice40 });
    if (!part || part === 'ops') await benchFloatOpLevels();
    if (part === 'presets') await benchPresetLevels(only);
  };
  run().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exitCode = 1;
  });
}
