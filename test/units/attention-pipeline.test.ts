/**
 * attention's `pipeline` preset (issue 19 item 3): the preset expands to the stage fields of the
 * README "Pipeline" table, an explicit field wins, weightStages is bounded by the value latency
 * L, the default keeps the module name of before the fields existed, and the non-default presets'
 * designs pass verilator --lint-only -Wall and stay bit-exact against the golden
 * model in Verilator with stalls and memory latency.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PIPELINE_PRESETS } from '../../hdl/lib/pipeline-preset.ts';
import { describeConfig, parseConfig } from '../../gen/config.ts';
import type { UnitDef } from '../../gen/unit.ts';
import { attentionUnit } from '../../gen/attention/index.ts';
import { attentionConfig, attentionSchema, valueLatency, type AttentionConfig } from '../../gen/attention/config.ts';
import { attentionRandomStimulus } from '../../gen/attention/stimulus.ts';
import { runUnit } from '../../flow/unit-run.ts';
import { attentionRtl } from '../../gen/attention/rtl.ts';
import { writeDesign } from '../helpers/verilog-checks.ts';
import { verilatorLint } from '../../toolchain/lint.ts';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '../..');
const FIELDS = ['termStages', 'valueMulStages', 'valueAddStages', 'valueOpRegs', 'weightStages', 'productStages'] as const;
const stagesOf = (c: AttentionConfig) => FIELDS.map((f) => c[f]);
const tiny: Partial<AttentionConfig> = { dims: 32, dimsPerCycle: 32, valueBits: 8, groupSize: 8, residual: 16, maxKeys: 32, keyLanes: 1, k: 8, rowBuckets: [32] };

describe('attention pipeline presets', () => {
  it('area 1/1/1/false/1/1, balanced 3/3/3/true/2/2, fast 3/4/5/true/2/2; L follows; explicit fields win', () => {
    const cfgs = PIPELINE_PRESETS.map((pipeline) => attentionSchema.parse({ pipeline }));
    expect(cfgs.map(stagesOf)).toEqual([[1, 1, 1, false, 1, 1], [3, 3, 3, true, 2, 2], [3, 4, 5, true, 2, 2]]);
    expect(cfgs.map(valueLatency)).toEqual([2, 8, 11]);
    expect(stagesOf(attentionSchema.parse({}))).toEqual([3, 3, 3, true, 2, 2]);
    expect(stagesOf(attentionSchema.parse({ pipeline: 'fast', termStages: 0, valueOpRegs: false, productStages: 1 }))).toEqual([0, 4, 5, false, 2, 1]);
    expect(() => attentionSchema.parse({ valueMulStages: 0, valueAddStages: 1, valueOpRegs: false })).toThrow(/weightStages[^]*at most the value latency L[^]*= 1, got 2/);
    expect(() => attentionSchema.parse({ termStages: 4 })).toThrow();
    expect(() => attentionSchema.parse({ productStages: 0 })).toThrow();
    const readme = readFileSync(path.join(root, 'gen/attention/README.md'), 'utf8');
    expect(readme).toMatch(/`"area"` \| 1 \| 1 \| 1 \| false \| 1 \| 1 \| 2 \|[^]*`"balanced"` \| 3 \| 3 \| 3 \| true \| 2 \| 2 \| 8 \|[^]*`"fast"` \| 3 \| 4 \| 5 \| true \| 2 \| 2 \| 11 \|/);
  });

  it('kvhdl list documents the preset and marks the stage fields optional', () => {
    const fields = describeConfig(attentionUnit as UnitDef<unknown>);
    const preset = fields.find((f) => f.name === 'pipeline')!;
    expect(preset.default).toBe('balanced');
    expect(preset.description).toMatch(/area: .*balanced: .*fast: .*sets the stage fields not given explicitly/);
    for (const name of FIELDS) {
      const f = fields.find((x) => x.name === name)!;
      expect([f.optional, f.description]).toEqual([true, expect.stringMatching(/default: from pipeline/)]);
    }
  });

  it('the default keeps the module name; other stage values name themselves', () => {
    const top = (raw: Record<string, unknown>) => attentionUnit.build(parseConfig<AttentionConfig>(attentionUnit as UnitDef<AttentionConfig>, { ...tiny, ...raw })).name;
    const base = 'kv_attention_fp16_d32_w32_b4_v8_g8_r16_n32_sthreshold_e1_k1_q20_f16_sk1';
    expect(top({})).toBe(base);
    expect(top({ pipeline: 'area' })).toBe(`${base}_tm1_vm1_va1_vr0_wx1_pv1`);
    expect(top({ pipeline: 'fast' })).toBe(`${base}_vm4_va5`);
  });
});

describe('attention non-default pipelines: lint, and against the golden model (Verilator, stalls, memory latency 1..20)', () => {
  // the two presets run by default; under `npm run regress` also the shallowest design (every
  // stage field at its least, L = 0), topk, NUQ values (outlier hits delayed L) and bf16 with 2 words per plane
  const cases: [string, Record<string, unknown>, boolean][] = [
    ['area', { pipeline: 'area' }, true],
    ['fast', { pipeline: 'fast' }, true],
    ['every stage field at its least (L = 0, productStages 1)', { termStages: 0, valueMulStages: 0, valueAddStages: 0, valueOpRegs: false, weightStages: 0, productStages: 1 }, false],
    ['topk, fast', { selection: 'topk', pipeline: 'fast' }, false],
    ['topk, area', { selection: 'topk', pipeline: 'area' }, false],
    ['nuq values (trim 2), area', { valueQuant: 'nuq', valueBits: 4, valueTrimMax: 2, pipeline: 'area' }, false],
    ['nuq values (trim 2), fast', { valueQuant: 'nuq', valueBits: 2, valueTrimMax: 2, pipeline: 'fast' }, false],
    ['bf16, D 64 (2 words per plane), area, termStages 2, weightStages 2', { format: 'bf16', dims: 64, groupSize: 16, pipeline: 'area', termStages: 2, weightStages: 2 }, false],
  ];
  for (const [name, raw, always] of cases) {
    if (!always && !process.env.KVHDL_REGRESS) continue;
    it(name, async () => {
      const cfg = attentionConfig({ ...tiny, ...raw });
      const top = attentionRtl(cfg);
      const lint = await verilatorLint(writeDesign(top), top.name);
      expect(lint.warnings, lint.command).toEqual([]);
      expect(lint.ok).toBe(true);
      const stim = attentionRandomStimulus(cfg, 11, 2, 30);
      const r = await runUnit(attentionUnit, cfg, stim, { workDir: mkdtempSync(path.join(os.tmpdir(), 'kvhdl-attn-pipe-')), seed: 11, stall: 0.3, memLatency: [1, 20] });
      expect(r.ok, r.problem).toBe(true);
      expect(r.outputs.out.count).toBe(2 * cfg.dims);
    }, 300_000);
  }
});
