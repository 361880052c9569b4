/**
 * The `pipeline` preset of minmax, earlyexit and selector (issue 19 item 3): each preset expands to
 * the stage values of the unit's README "Pipeline" section, an explicit stage field wins, the
 * default ("balanced") keeps the module names of before the field existed, and the designs of the
 * non-default presets stay exact against the golden model in Verilator with stalls.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PIPELINE_PRESETS } from '../../hdl/lib/pipeline-preset.ts';
import { runUnit } from '../../flow/unit-run.ts';
import { describeConfig, parseConfig } from '../../gen/config.ts';
import type { UnitDef } from '../../gen/unit.ts';
import { minmaxUnit } from '../../gen/minmax/index.ts';
import { minmaxSchema } from '../../gen/minmax/config.ts';
import { earlyexitUnit } from '../../gen/earlyexit/index.ts';
import { earlyexitSchema, treeCutsOf } from '../../gen/earlyexit/config.ts';
import { selectorUnit } from '../../gen/selector/index.ts';
import { selectorSchema } from '../../gen/selector/config.ts';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '../..');
const readme = (u: string) => readFileSync(path.join(root, 'gen', u, 'README.md'), 'utf8');

describe('pipeline presets of minmax, earlyexit, selector', () => {
  it('minmax: stages area 0, balanced 1, fast ceil(log2 P); explicit stages win; "max" resolves', () => {
    expect(PIPELINE_PRESETS.map((pipeline) => minmaxSchema.parse({ pipeline }).stages)).toEqual([0, 1, 3]);
    expect(minmaxSchema.parse({ pipeline: 'fast', lanes: 32 }).stages).toBe(5);
    expect(minmaxSchema.parse({ pipeline: 'fast', stages: 1 }).stages).toBe(1);
    expect(minmaxSchema.parse({ stages: 'max', lanes: 2 }).stages).toBe(1);
    expect(() => minmaxSchema.parse({ pipeline: 'area', stages: 4 })).toThrow(/at most 3/);
    expect(readme('minmax')).toMatch(/`"area"` 0[^]*`"balanced"` 1[^]*`"fast"` `"max"`/);
  });

  it('earlyexit: treeCut / decideCut area 0 / false, balanced 3 / false, fast 1 / true, and the cuts per tree', () => {
    expect(PIPELINE_PRESETS.map((pipeline) => earlyexitSchema.parse({ pipeline }).treeCut)).toEqual([0, 3, 1]);
    expect(PIPELINE_PRESETS.map((pipeline) => earlyexitSchema.parse({ pipeline }).decideCut)).toEqual([false, false, true]);
    expect(earlyexitSchema.parse({ pipeline: 'fast', decideCut: false }).decideCut).toBe(false);
    expect(PIPELINE_PRESETS.map((pipeline) => treeCutsOf(earlyexitSchema.parse({ pipeline })))).toEqual([{ qPlus: 0, plane: 0 }, { qPlus: 1, plane: 1 }, { qPlus: 3, plane: 3 }]);
    expect(treeCutsOf(earlyexitSchema.parse({ pipeline: 'fast', dims: 64, dimsPerCycle: 2 }))).toEqual({ qPlus: 5, plane: 0 });
    expect(earlyexitSchema.parse({ pipeline: 'fast', treeCut: 2 }).treeCut).toBe(2);
    expect(readme('earlyexit')).toMatch(/`"area"` 0 \/ false[^]*`"balanced"` 3 \/ false[^]*`"fast"` 1 \/ true/);
  });

  it('selector: stages area 0, balanced 1, fast 2; explicit stages win', () => {
    expect(PIPELINE_PRESETS.map((pipeline) => selectorSchema.parse({ pipeline }).stages)).toEqual([0, 1, 2]);
    expect(selectorSchema.parse({ pipeline: 'area', stages: 1 }).stages).toBe(1);
    expect(readme('selector')).toMatch(/`"area"` 0[^]*`"balanced"` 1[^]*`"fast"` 2/);
  });

  it('kvhdl list documents the preset and marks the fields it fills as optional', () => {
    for (const [unit, field] of [[minmaxUnit, 'stages'], [earlyexitUnit, 'treeCut'], [earlyexitUnit, 'decideCut'], [selectorUnit, 'stages']] as const) {
      const fields = describeConfig(unit as UnitDef<unknown>);
      const preset = fields.find((f) => f.name === 'pipeline')!;
      expect(preset.default).toBe('balanced');
      expect(preset.description).toMatch(/area: .*balanced: .*fast: .*sets the stage fields not given explicitly/);
      const f = fields.find((x) => x.name === field)!;
      expect([f.optional, f.description]).toEqual([true, expect.stringMatching(/default: from pipeline/)]);
    }
  });

  it('the default keeps the module names; other stage values name themselves', () => {
    const top = <C>(u: UnitDef<C>, raw: Record<string, unknown>) => u.build(parseConfig<C>(u, raw)).name;
    expect(top(minmaxUnit, {})).toBe('kv_minmax_p8_w16_s1');
    expect(top(minmaxUnit, { pipeline: 'fast' })).toBe('kv_minmax_p8_w16_s3');
    expect(top(earlyexitUnit, {})).toBe('kv_earlyexit_d16_q8_b8_s1_k4_w16_e1_n256');
    expect(top(earlyexitUnit, { pipeline: 'fast' })).toBe('kv_earlyexit_d16_q8_b8_s1_k4_w16_e1_n256_t1_x1');
    expect(top(selectorUnit, {})).toBe('kv_select_th_w16_n64_p4_q4_k8_cap0_h2_l2_b16x32x64');
    expect(top(selectorUnit, { pipeline: 'area' })).toBe('kv_select_th_w16_n64_p4_q4_k8_cap0_h2_l2_b16x32x64_s0');
    expect(top(selectorUnit, { pipeline: 'fast', mode: 'topk' })).toBe('kv_select_topk_insertion_w16_n64_p4_q4_k8'); // other cores: no stages
  });
});

describe('non-default presets against the golden model (Verilator, stalls)', () => {
  // one design per new structure in the default run; the others under `npm run regress`
  const cases: [UnitDef<any>, Record<string, unknown>, number, boolean][] = [
    [minmaxUnit, { pipeline: 'fast', lanes: 8, width: 8 }, 200, true],
    [earlyexitUnit, { pipeline: 'fast', dims: 16, keyLanes: 2, maxKeys: 16 }, 12, true],
    [selectorUnit, { pipeline: 'area', maxRow: 16, rowBuckets: [8, 16], lanes: 4, outLanes: 2 }, 30, true],
    [selectorUnit, { pipeline: 'fast', maxRow: 16, rowBuckets: [8, 16], lanes: 3, outLanes: 4 }, 30, true],
    [minmaxUnit, { pipeline: 'area', lanes: 4, width: 8 }, 200, false],
    [earlyexitUnit, { pipeline: 'area', dims: 16, keyLanes: 2, maxKeys: 16 }, 12, false],
    [earlyexitUnit, { decideCut: true, dims: 12, dimsPerCycle: 4, keyLanes: 3, keySigned: false, maxKeys: 16 }, 12, false],
    [earlyexitUnit, { decideCut: true, dims: 5, keyLanes: 1, keyBits: 3, maxKeys: 16 }, 12, false],
    [selectorUnit, { pipeline: 'area', maxRow: 16, rowBuckets: [8, 16], lanes: 2, outLanes: 4, capK: 3, capPolicy: 'first' }, 30, false],
    [selectorUnit, { pipeline: 'fast', maxRow: 16, rowBuckets: [8, 16], lanes: 4, outLanes: 2 }, 30, false],
    [selectorUnit, { pipeline: 'fast', maxRow: 16, rowBuckets: [8, 16], lanes: 1, outLanes: 1 }, 30, false],
    [selectorUnit, { pipeline: 'fast' }, 20, false],
    [selectorUnit, { pipeline: 'fast', maxRow: 16, rowBuckets: [8, 16], lanes: 2, outLanes: 7, capK: 5, capPolicy: 'first' }, 30, false],
  ];
  for (const [unit, raw, n, always] of cases) {
    if (!always && !process.env.KVHDL_REGRESS) continue;
    it(`${unit.name} ${JSON.stringify(raw)}`, async () => {
      const cfg = parseConfig(unit, raw);
      const r = await runUnit(unit, cfg, unit.randomStimulus(cfg, 7, n), { workDir: mkdtempSync(path.join(os.tmpdir(), 'kvhdl-preset-')), seed: 7, stall: 0.25 });
      expect(r.ok, r.problem).toBe(true);
    }, 300_000);
  }
});
