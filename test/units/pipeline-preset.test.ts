/**
 * The `pipeline` preset (hdl/lib/pipeline-preset.ts, gen/pipeline-preset.ts): each unit's preset
 * expands to the stage values its README documents, an explicit stage field wins over the preset,
 * the float operators' presets give the stages of hdl/lib/float/presets.ts; and designs built
 * from presets stay bit-exact (a small quantizer at "area" — the defaults are "balanced" and covered by the unit's own tests — against the golden model,
 * fpMul / fpAdd at "fast" against the golden functions, in Verilator).
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cat } from '../../hdl/index.ts';
import { PIPELINE_PRESETS } from '../../hdl/lib/pipeline-preset.ts';
import { BF16, FP16 } from '../../hdl/lib/float/format.ts';
import { fpAdd, fpDiv, fpMul, fpToUIntSat, floatPresetStages } from '../../hdl/lib/float/index.ts';
import * as golden from '../../hdl/lib/float/golden/index.ts';
import { QUANTIZER_PRESETS, quantizerConfig, quantizerPipeline } from '../../gen/quantizer/config.ts';
import { quantizerPerTokenRtl } from '../../gen/quantizer/rtl-per-token.ts';
import { expectedStreams, inputTransactions } from '../../gen/quantizer/stream-model.ts';
import { edgeCaseTensor, syntheticKv } from '../../gen/quantizer/synthetic.ts';
import { dequantizerSchema } from '../../gen/dequantizer/config.ts';
import { nuqConfig } from '../../gen/nuq/config.ts';
import { TxnTable } from '../../data/transactions.ts';
import { describeConfig } from '../../gen/config.ts';
import { quantizerUnit } from '../../gen/quantizer/index.ts';
import { dequantizerUnit } from '../../gen/dequantizer/index.ts';
import { nuqUnit } from '../../gen/nuq/index.ts';
import { Rng } from '../../data/rng.ts';
import { simulateBoth } from '../helpers/simulate.ts';
import { checkOp, opModule } from '../float/op-harness.ts';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '../..');
const readme = (p: string) => readFileSync(path.join(root, p), 'utf8');

describe('pipeline presets expand to the documented stage values', () => {
  it('quantizer: the README "Pipeline" table, resolved per format; explicit fields win', () => {
    const text = readme('gen/quantizer/README.md');
    const rows = text.split('\n').filter((l) => /^\| `"(area|balanced|fast)"`/.test(l));
    const doc = Object.fromEntries(rows.map((l) => {
      const c = l.split('|').map((s) => s.trim().replace(/[`"]/g, ''));
      const num = (s: string) => (s === 'max' ? 'max' : Number(s));
      return [c[1].replace(' (default)', ''), { fillStages: num(c[2]), subStages: num(c[3]), divStages: num(c[4]), roundStages: num(c[5]) }];
    }));
    expect(doc).toEqual(QUANTIZER_PRESETS);
    // lanes 8: fill "max" = 4; divStages "max" = 16 (fp16) / 13 (bf16)
    expect(quantizerPipeline(quantizerConfig({ pipeline: 'area' }))).toEqual({ fillStages: 0, subStages: 2, divStages: 8, roundStages: 1 });
    expect(quantizerPipeline(quantizerConfig({}))).toEqual({ fillStages: 4, subStages: 3, divStages: 16, roundStages: 2 });
    expect(quantizerPipeline(quantizerConfig({ pipeline: 'fast', format: 'bf16' }))).toEqual({ fillStages: 4, subStages: 5, divStages: 13, roundStages: 2 });
    expect(quantizerPipeline(quantizerConfig({ pipeline: 'fast', subStages: 1, roundStages: 0 }))).toEqual({ fillStages: 4, subStages: 1, divStages: 16, roundStages: 0 });
    expect(quantizerConfig({ pipeline: 'area' }).pipeline).toBe('area');
    expect(() => quantizerConfig({ pipeline: 'turbo' as 'fast' })).toThrow(/pipeline/);
  });

  it('kvhdl list documents the preset and marks the stage fields it fills as optional', () => {
    for (const unit of [quantizerUnit, dequantizerUnit, nuqUnit]) {
      const fields = describeConfig(unit);
      const preset = fields.find((f) => f.name === 'pipeline')!;
      expect(preset.default).toBe('balanced');
      expect(preset.description).toMatch(/area: .*balanced: .*fast: .*sets the stage fields not given explicitly/);
      const stageFields = fields.filter((f) => /[sS]tages$/.test(f.name));
      expect(stageFields.length).toBeGreaterThan(0);
      for (const f of stageFields) expect([f.name, f.optional, f.description]).toEqual([f.name, true, expect.stringMatching(/default: from pipeline/)]);
    }
  });

  it('dequantizer and nuq: stages / opStages per preset (their README tables); explicit fields win', () => {
    expect(PIPELINE_PRESETS.map((p) => dequantizerSchema.parse({ pipeline: p }).stages)).toEqual([2, 7, 10]);
    expect(dequantizerSchema.parse({ pipeline: 'fast', stages: 3 }).stages).toBe(3);
    expect(readme('gen/dequantizer/README.md')).toMatch(/`"area"` 2 [^]*`"balanced"` 7 [^]*`"fast"` 10 /);
    expect(PIPELINE_PRESETS.map((p) => nuqConfig({ pipeline: p }).opStages)).toEqual([1, 3, 3]);
    expect(nuqConfig({ pipeline: 'area', opStages: 2 }).opStages).toBe(2);
    expect(readme('gen/nuq/README.md')).toMatch(/area 1, balanced 3, fast 3/);
  });

  it('float operators: the presets.ts table; `stages` wins over `pipeline`', () => {
    const table = (op: 'add' | 'mul' | 'div' | 'toUInt', f = FP16) => PIPELINE_PRESETS.map((p) => floatPresetStages(op, f, p));
    expect(table('add')).toEqual([1, 3, 5]);
    expect(table('mul')).toEqual([1, 2, 4]);
    expect(table('div')).toEqual([8, 16, 16]);
    expect(table('div', BF16)).toEqual([8, 13, 13]);
    expect(table('toUInt')).toEqual([0, 1, 2]);
    const lat: number[] = [];
    opModule('t_preset_latency', 16, (m, a, b) => {
      lat.push(fpMul(m, 'm', FP16, a, b, { pipeline: 'fast' }).latency, fpAdd(m, 'ad', FP16, a, b, { pipeline: 'balanced' }).latency);
      lat.push(fpDiv(m, 'd', BF16, a, b, { pipeline: 'area' }).latency, fpToUIntSat(m, 'u', FP16, a, 4, { pipeline: 'fast' }).latency);
      lat.push(fpMul(m, 'm2', FP16, a, b, { pipeline: 'fast', stages: 1 }).latency, fpMul(m, 'm3', FP16, a, b).latency);
      return { result: a, latency: 0 };
    });
    expect(lat).toEqual([4, 3, 8, 2, 1, 0]);
  });
});

describe('designs built from presets stay bit-exact', () => {
  for (const pipeline of ['area'] as const) {
    it(`quantizer per-token, pipeline "${pipeline}": against the golden model with stalls, II = 1`, async () => {
      const cfg = quantizerConfig({ pipeline, format: 'fp16', bits: 2, groupSize: 8, channels: 16, lanes: 2, residual: 4 });
      const top = quantizerPerTokenRtl(cfg);
      const want = (ins: Record<string, TxnTable>) => expectedStreams(cfg, { in: ins.in });
      const seqs = [edgeCaseTensor(cfg, 11, 1), syntheticKv(cfg, 9, 2), edgeCaseTensor(cfg, 6, 3)];
      await simulateBoth(top, want, inputTransactions(cfg, seqs), { seed: 1, stall: 0.25, backpressure: 0.3, icarusTransactions: 0 });
      const r = await simulateBoth(top, want, inputTransactions(cfg, [syntheticKv(cfg, 40, 4)]), { seed: 2, icarusTransactions: 0 });
      expect(r.throughput.ii).toBe(1);
    });
  }

  it('fpMul and fpAdd (fp16) at pipeline "fast": random pairs against the golden functions, with stalls', async () => {
    const rng = new Rng(19);
    const n = 20_000;
    const a = Uint32Array.from({ length: n }, () => rng.u32() & 0xffff);
    const b = Uint32Array.from({ length: n }, () => rng.u32() & 0xffff);
    const top = opModule('t_preset_fast_fp16', 16, (m, x, y, en) => {
      const p = fpMul(m, 'mul', FP16, x, y, { pipeline: 'fast', enable: en });
      const s = fpAdd(m, 'add', FP16, x, y, { stages: p.latency, enable: en }); // same latency, so they share the output
      return { result: cat(s.result, p.result), latency: p.latency };
    });
    await checkOp(top, a, b, 32, (x, y) => golden.fpAdd(FP16, x, y) * 2 ** 16 + golden.fpMul(FP16, x, y), { seed: 3, stall: 0.3 });
  });
});
