/**
 * `kvhdl report` rows for configurations a unit lists without a run (`UnitDef.reportNotRun`): such
 * a configuration appears in report.md and report.json with its reason, not left out; a caller's
 * own --configs list replaces the lists. Attention's reference configurations (small and default)
 * are both synthesized. Rendering of a synthesized row that does not fit an iCE40 says "does not
 * fit", also when the xc7 result alone shows it (fpga/ice40-precheck.ts). (No synthesis runs here.)
 */
import { describe, expect, it } from 'vitest';
import { attentionUnit } from '../../gen/attention/index.ts';
import type { AnyUnit } from '../../gen/unit.ts';
import { buildReport, reportMarkdown, type Report } from '../../fpga/report.ts';
import { ice40SkipReason } from '../../fpga/ice40-precheck.ts';

const attention = attentionUnit as unknown as AnyUnit;

describe('kvhdl report: configurations listed without a run', () => {
  it('attention: the report synthesizes the small reference configuration and the default (no not-run list)', () => {
    expect(attention.referenceConfigs).toEqual([{ dims: 32, maxKeys: 64, groupSize: 8, residual: 16, k: 8, rowBuckets: [64] }, {}]);
    expect(attention.reportNotRun).toBeUndefined();
  });

  it('buildReport lists the not-run row (top, full config, reason) and renders it as "not run" with a note', async () => {
    const reason = 'not synthesized: too large for the tools here (a unit-supplied reason)';
    const only: AnyUnit = { ...attention, referenceConfigs: [], reportNotRun: [{ config: {}, reason }] };
    const rep = await buildReport({ units: [only], targets: ['xc7', 'ice40'], outDir: '/nonexistent' });
    expect(rep.rows).toHaveLength(1);
    const row = rep.rows[0];
    expect(row.top).toBe('kv_attention_fp16_d128_w32_b4_v4_g32_r128_n4096_sthreshold_e1_k8_q20_f16_sk1');
    expect(row.config).toMatchObject({ dims: 128, maxKeys: 4096 });
    expect(row.notRun).toBe(reason);
    expect(row.xc7).toBeUndefined();
    const md = reportMarkdown(rep);
    const line = md.split('\n').find((l) => l.startsWith('| attention |'))!;
    expect(line.split(' | ').filter((c) => c === 'not run (note)')).toHaveLength(2); // xc7 LUT and iCE40 Fmax
    expect(md).toContain(`- attention ${row.top}: not synthesized: `);
    // a caller's own configurations replace the unit's lists: no not-run row
    const mine = await buildReport({ units: [only], targets: ['xc7'], outDir: '/nonexistent', configs: { attention: [] } });
    expect(mine.rows).toEqual([]);
  }, 60_000);

  it('a row whose synthesis failed (e.g. a tool timeout) stays, with "failed (note)" and the message', () => {
    const rep: Report = {
      generator: 'kvhdl test', tools: { backend: 'yowasp', yosys: 'y', verilator: 'v' }, targets: ['xc7', 'ice40'], notes: [],
      rows: [{ unit: 'attention', top: 'kv_attention_x', config: {}, elementsPerCycle: 1, elementsPerCycleWorst: 1, ii: 1, latency: 3, ice40MElementsPerSecond: null, synthFailed: { ice40: 'yosys synth_ice40 failed (exit 124): timed out' } }],
    };
    const md = reportMarkdown(rep);
    const cells = md.split('\n').find((l) => l.startsWith('| attention |'))!.split(' | ');
    expect(cells.filter((c) => c === 'failed (note)')).toHaveLength(1);
    expect(md).toContain('- attention kv_attention_x: ice40 synthesis failed: yosys synth_ice40 failed (exit 124): timed out');
  });

  it('a synthesized row that fits no iCE40 says "does not fit" with the reason', () => {
    const rep: Report = {
      generator: 'kvhdl test',
      tools: { backend: 'native', yosys: 'Yosys 0.23', nextpnr: 'nextpnr 0.4', verilator: 'Verilator 5.006' },
      targets: ['ice40'],
      notes: [],
      rows: [
        {
          unit: 'attention',
          top: 'kv_attention_small',
          config: { dims: 32 },
          elementsPerCycle: null,
          elementsPerCycleWorst: null,
          ii: null,
          latency: null,
          ice40MElementsPerSecond: null,
          ice40: {
            target: 'ice40', top: 'kv_attention_small', tools: { backend: 'native', yosys: 'Yosys 0.23' },
            resources: { lut4: 30000, ff: 6000, carry: 2000, ram40_4k: 0, mac16: 0 }, cellTypes: {}, logicDepth: 40, logicDepthAny: 40, levelPath: [], fmaxMHz: null,
            notes: ['does not fit any candidate iCE40: up5k: needs at least 30000 logic cells, has 5280; hx8k: needs at least 30000 logic cells, has 7680'],
            wrapped: { top: 'w', inputBits: 1, outputBits: 1, resources: { lut4: 30000, ff: 6000, carry: 2000, ram40_4k: 0, mac16: 0 }, cellTypes: {} },
            device: null, fits: false, utilization: {}, criticalPath: null, seconds: 1, cached: false, cacheKey: 'k',
          },
        },
      ],
    };
    const md = reportMarkdown(rep);
    expect(md.split('\n').find((l) => l.startsWith('| attention |'))).toContain(' | does not fit | ');
    expect(md).toContain('- attention kv_attention_small: does not fit iCE40: does not fit any candidate iCE40: up5k: needs at least 30000 logic cells');
  });

  it('the xc7 flip-flop count decides when no iCE40 can take a design; the row says "does not fit (note)"', () => {
    const xc7 = (ff: number) => ({ resources: { ff } });
    expect(ice40SkipReason(undefined)).toBeUndefined();
    expect(ice40SkipReason(xc7(7680))).toBeUndefined(); // hx8k has 7680 logic cells: may fit, synthesize
    expect(ice40SkipReason(xc7(7681))).toBe('does not fit any candidate iCE40 (not synthesized): the xc7 netlist has 7681 flip-flops, more than the 7680 logic cells (one flip-flop each) of the largest candidate, hx8k');
    const rep: Report = {
      generator: 'kvhdl test', tools: { backend: 'yowasp', yosys: 'y', nextpnr: 'n', verilator: 'v' }, targets: ['ice40'], notes: [],
      rows: [{ unit: 'attention', top: 'kv_attention_d', config: {}, elementsPerCycle: 1, elementsPerCycleWorst: 1, ii: 1, latency: 3, ice40MElementsPerSecond: null, ice40Skipped: ice40SkipReason(xc7(19357)) }],
    };
    const md = reportMarkdown(rep);
    expect(md.split('\n').find((l) => l.startsWith('| attention |'))).toContain(' | does not fit (note) | ');
    expect(md).toContain('- attention kv_attention_d: does not fit any candidate iCE40 (not synthesized): the xc7 netlist has 19357 flip-flops');
  });
});
