import { afterAll, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import * as path from 'node:path';
import { minmaxUnit } from '../../gen/minmax/index.ts';
import { ConfigError, parseConfig } from '../../gen/config.ts';
import { emitDesign } from '../../hdl/index.ts';
import { runEda } from '../../fpga/eda.ts';
import { synthUnit, type Ice40SynthResult, type Xc7SynthResult } from '../../fpga/synth.ts';
import { synthCommand } from '../../cli/commands/synth.ts';
import { reportCommand } from '../../cli/commands/report.ts';
import { criticalPathOf, criticalPathText, designName } from '../../fpga/critical-path.ts';
import { checkSvg } from '../helpers/svg-check.ts';

// One cache for the whole file: the later tests (report, CLI) are answered from it.
const cacheDir = mkdtempSync(path.join(os.tmpdir(), 'kvhdl-synth-cache-'));
afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));
const small = { lanes: 2, width: 4, stages: 1 };

/** Runs `fn` with environment variables set, restoring them afterwards. */
async function withEnv<T>(vars: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  Object.assign(process.env, vars);
  try {
    return await fn();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

/** A direct Yosys run of the same Verilog, parsed here without fpga/'s helpers. */
async function directXc7(cfg: object): Promise<Record<string, number>> {
  const top = minmaxUnit.build(minmaxUnit.schema.parse(cfg));
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kvhdl-direct-'));
  try {
    const files = emitDesign(top).map((e) => (writeFileSync(path.join(dir, e.fileName), e.text), e.fileName));
    const script = `read_verilog ${files.join(' ')}; synth_xilinx -family xc7 -flatten -noiopad -noclkbuf -top ${top.name}; tee -q -o direct.json stat -json`;
    const r = await runEda('yosys', ['-q', '-p', script], dir, { backend: 'yowasp' });
    expect(r.exitCode, r.stderr).toBe(0);
    const stat = JSON.parse(await fs.readFile(path.join(dir, 'direct.json'), 'utf8'));
    return stat.design.num_cells_by_type as Record<string, number>;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('xc7 synthesis estimates', () => {
  let first: Xc7SynthResult;

  it('reports the counts of a direct yosys synth_xilinx run of the same Verilog', async () => {
    const lines: string[] = [];
    const [r, direct] = await Promise.all([
      synthUnit(minmaxUnit, small, { target: 'xc7', backend: 'yowasp', cacheDir, log: (l) => lines.push(l) }),
      directXc7(small),
    ]);
    expect(r.target).toBe('xc7');
    first = r as Xc7SynthResult;
    expect(first.cached).toBe(false);
    expect(lines.some((l) => /synth_xilinx/.test(l))).toBe(true);
    const sum = (re: RegExp) => Object.entries(direct).filter(([t]) => re.test(t)).reduce((s, [, n]) => s + n, 0);
    expect(first.resources.lut).toBe(sum(/^(LUT[1-6]|INV)$/));
    expect(first.resources.ff).toBe(sum(/^FD/));
    expect(first.resources.carry4).toBe(direct.CARRY4 ?? 0);
    expect(first.resources.muxf7).toBe(direct.MUXF7 ?? 0);
    expect(first.resources.muxf8).toBe(direct.MUXF8 ?? 0);
    expect(first.resources.dsp48e1).toBe(direct.DSP48E1 ?? 0);
    const { $scopeinfo: _, ...rest } = direct;
    expect(first.cellTypes).toEqual(rest);
    expect(first.resources.lut).toBeGreaterThan(0);
    expect(first.resources.ff).toBeGreaterThan(0);
    expect(first.logicDepth).toBeGreaterThan(0);
    expect(first.fmaxMHz).toBeNull();
    expect(first.notes.join(' ')).toMatch(/no open-source place and route/);
    expect(first.tools).toEqual({ backend: 'yowasp', yosys: expect.stringMatching(/^@yowasp\/yosys \d/) });
  });

  it('answers a second call from the cache', async () => {
    const again = await synthUnit(minmaxUnit, small, { target: 'xc7', backend: 'yowasp', cacheDir });
    expect(again.cached).toBe(true);
    expect({ ...again, cached: false }).toEqual({ ...first, unit: 'minmax', config: parseConfig(minmaxUnit, small) });
    expect(readFileSync(path.join(cacheDir, 'synth', `${first.cacheKey}.json`), 'utf8')).toContain('"FDRE"');
  });

  it('kvhdl synth prints a table and writes --json; config errors are ConfigErrors', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kvhdl-synth-cli-'));
    const cfg = path.join(dir, 'cfg.json');
    writeFileSync(cfg, JSON.stringify(small));
    const out: string[] = [];
    const spy = vi.spyOn(console, 'log').mockImplementation((s: unknown) => void out.push(String(s)));
    const err = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      await withEnv({ KVHDL_CACHE_DIR: cacheDir, KVHDL_EDA_BACKEND: 'yowasp' }, async () => {
        expect(await synthCommand.run(['minmax', '--config', cfg, '--target', 'xc7', '--json', path.join(dir, 'out.json'), '--synth-timeout-min', '30'])).toBe(0);
        expect(await synthCommand.run(['--help'])).toBe(0);
        writeFileSync(cfg, JSON.stringify({ lanes: 0 }));
        await expect(synthCommand.run(['minmax', '--config', cfg, '--target', 'xc7'])).rejects.toBeInstanceOf(ConfigError);
        await expect(synthCommand.run(['minmax', '--target', 'ecp5'])).rejects.toThrow(/unknown target 'ecp5'/);
        await expect(synthCommand.run(['minmax', '--synth-timeout-min', '0'])).rejects.toThrow(/--synth-timeout-min must be a number of minutes in \(0, 1440\], got '0'/);
      });
    } finally {
      spy.mockRestore();
      err.mockRestore();
    }
    const text = out.join('\n');
    expect(text).toMatch(/^target\s+LUT\s+FF\s+carry\s+MUXF7\/F8\s+DSP\s+BRAM\s+LUT levels\s+Fmax$/m);
    expect(text).toMatch(new RegExp(`^xc7\\s+${first.resources.lut}\\s+${first.resources.ff}\\s`, 'm'));
    expect(text).toMatch(/^usage: kvhdl synth/m);
    const json = JSON.parse(readFileSync(path.join(dir, 'out.json'), 'utf8'));
    expect(json[0].resources).toEqual(first.resources);
    expect(json[0].cached).toBe(true);
  });
});

describe('critical path from a nextpnr report', () => {
  const step = (type: string, from: string, to: string, delay: number, net?: string) => ({ type, from: { cell: from, port: 'O' }, to: { cell: to, port: 'I0' }, delay, ...(net ? { net } : {}) });
  const report = {
    critical_paths: [
      { from: '<async>', to: 'posedge clock$SB_IO_IN_$glb_clk', path: [step('source', 'reset$sb_io', 'reset$sb_io', 0), step('routing', 'reset$sb_io', 'core.x_SB_LUT4_O_LC', 5)] },
      {
        from: 'posedge clock$SB_IO_IN_$glb_clk',
        to: 'posedge clock$SB_IO_IN_$glb_clk',
        path: [
          step('clk-to-q', 'core.acc_SB_DFFE_Q_5_D_SB_LUT4_O_LC', 'core.acc_SB_DFFE_Q_5_D_SB_LUT4_O_LC', 1.4),
          step('routing', 'core.acc_SB_DFFE_Q_5_D_SB_LUT4_O_LC', 'core.sum_SB_LUT4_O_LC', 2, 'core._acc_0[1]'),
          step('logic', 'core.sum_SB_LUT4_O_LC', 'core.sum_SB_LUT4_O_LC', 0.9),
          step('routing', 'core.sum_SB_LUT4_O_LC', 'core.sum_SB_CARRY_CO_LC', 0.5),
          step('logic', 'core.sum_SB_CARRY_CO_LC', 'core.sum_SB_CARRY_CO_LC', 0.3),
          step('routing', 'core.sum_SB_CARRY_CO_LC', '$nextpnr_ICESTORM_LC_1', 0),
          step('logic', '$nextpnr_ICESTORM_LC_1', '$nextpnr_ICESTORM_LC_1', 0),
          step('routing', 'core.sum_SB_CARRY_CO_LC', 'core.out_q_SB_DFF_Q_DFFLC', 1.7),
          step('setup', 'core.out_q_SB_DFF_Q_DFFLC', 'core.out_q_SB_DFF_Q_DFFLC', 1.2),
        ],
      },
    ],
  };
  it('takes the clock-to-clock path, cuts cell names to design names and splits the delay', () => {
    expect(designName('core.plane_sum_SB_DFFE_Q_5_D_SB_LUT4_O_LC')).toBe('core.plane_sum');
    expect(designName('reset$sb_io')).toBe('reset');
    const c = criticalPathOf(report, 'clock$SB_IO_IN_$glb_clk')!;
    expect(c).toEqual({ from: 'core.acc', to: 'core.out_q', ns: 8, logicNs: 1.2, routingNs: 4.2, cells: 3, through: ['core.sum'] });
    expect(criticalPathText(c)).toBe('core.acc -> core.out_q: 8.0 ns = 1.2 logic + 4.2 routing + 2.6 register (clock-to-out, setup), 3 logic cells, through core.sum');
    expect(criticalPathOf({}, 'clock')).toBeUndefined();
    expect(criticalPathOf({ critical_paths: [report.critical_paths[0]] }, 'clock')).toBeUndefined();
  });
});

describe('ice40 synthesis, place and route', () => {
  let r: Ice40SynthResult;

  it('returns a positive Fmax for a small config on the UP5K', async () => {
    const res = await synthUnit(minmaxUnit, small, { target: 'ice40', backend: 'yowasp', cacheDir });
    expect(res.target).toBe('ice40');
    r = res as Ice40SynthResult;
    expect(r.fits).toBe(true);
    expect(r.device).toEqual({ name: 'up5k', package: 'sg48' });
    expect(r.fmaxMHz).toBeGreaterThan(1);
    expect(r.fmaxMHz).toBeLessThan(1000);
    expect(r.resources.lut4).toBeGreaterThan(0);
    expect(r.logicDepth).toBeGreaterThan(0);
    expect(r.utilization.ICESTORM_LC.used).toBeGreaterThan(0);
    expect(r.tools.nextpnr).toMatch(/^@yowasp\/nextpnr-ice40 \d/);
  });

  it('a UP5K placement failure (a promoted global buffer without a legal site) moves on to the HX8K', async () => {
    // minmax with 2 lanes of 8 bits and 1 stage: nextpnr-ice40 0.8.621 (seed 1) cannot place the SB_GB
    // it promotes for a clock enable on the UP5K sg48; the design is placed on the next device.
    const res = (await synthUnit(minmaxUnit, { lanes: 2, width: 8, stages: 1 }, { target: 'ice40', backend: 'yowasp', cacheDir })) as Ice40SynthResult;
    expect(res.fits).toBe(true);
    expect(res.device).toEqual({ name: 'hx8k', package: 'ct256' });
    expect(res.fmaxMHz).toBeGreaterThan(1);
    expect(res.notes.join('\n')).toMatch(/not placed on: up5k: .*Unable to find legal placement/);
  });

  it('names the critical path in the design\'s terms, and its delay is the Fmax period', () => {
    const c = r.criticalPath!;
    expect(c).not.toBeNull();
    // from and to are registers of the unit (core.) or of the pin wrapper, never a Yosys cell name
    for (const n of [c.from, c.to, ...c.through]) expect(n).not.toMatch(/SB_|\$/);
    expect(`${c.from} ${c.to}`).toMatch(/core\./);
    expect(c.cells).toBeGreaterThan(0);
    expect(c.logicNs + c.routingNs).toBeLessThanOrEqual(c.ns + 0.01);
    expect(Math.abs(c.ns - 1000 / r.fmaxMHz!) / c.ns).toBeLessThan(0.02);
  });

  it('the pin wrapper keeps the whole unit (wrapped counts >= the unit alone)', () => {
    const core = r.resources;
    const wrapped = r.wrapped.resources;
    expect(wrapped.lut4).toBeGreaterThanOrEqual(core.lut4);
    expect(wrapped.carry).toBeGreaterThanOrEqual(core.carry);
    // every flip-flop of the unit survives, plus one per input bit (the shift register)
    expect(wrapped.ff).toBeGreaterThanOrEqual(core.ff + r.wrapped.inputBits);
    // an LC holds one LUT4 and one FF: the placed design cannot use fewer LCs than either count
    expect(r.utilization.ICESTORM_LC.used).toBeGreaterThanOrEqual(Math.max(wrapped.lut4, wrapped.ff));
  });

  it('kvhdl report writes report.md and report.json with the expected columns', async () => {
    const out = mkdtempSync(path.join(os.tmpdir(), 'kvhdl-report-'));
    const logs: string[] = [];
    const spy = vi.spyOn(console, 'log').mockImplementation((s: unknown) => void logs.push(String(s)));
    const err = vi.spyOn(console, 'error').mockImplementation((s: unknown) => void logs.push(String(s)));
    try {
      const env = { KVHDL_REPORT_CONFIGS: JSON.stringify({ minmax: [small] }), KVHDL_CACHE_DIR: cacheDir, KVHDL_EDA_BACKEND: 'yowasp' };
      expect(await withEnv(env, () => reportCommand.run(['--out', out, '--targets', 'xc7,ice40']))).toBe(0);
    } finally {
      spy.mockRestore();
      err.mockRestore();
    }
    expect(logs.join('\n')).toMatch(/ice40: kv_minmax_p2_w4_s1: cached/);
    expect(logs.join('\n')).toMatch(/xc7: kv_minmax_p2_w4_s1: cached/);
    expect(logs.join('\n')).not.toMatch(/does not yet/);
    const svg = readFileSync(path.join(out, 'area-throughput.svg'), 'utf8');
    const facts = checkSvg(svg);
    expect(facts.texts).toContain('xc7 LUTs');
    expect(facts.marks.symbol).toBeGreaterThanOrEqual(2); // the row's dot, and its Pareto ring
    const md = readFileSync(path.join(out, 'report.md'), 'utf8');
    const lines = md.split('\n');
    expect(lines[0]).toBe('# kvhdl resource and throughput report');
    expect(md).toMatch(/with @yowasp\/yosys \S+, @yowasp\/nextpnr-ice40 \S+, Verilator/);
    const header = lines.find((l) => l.startsWith('| unit'))!.split('|').map((s) => s.trim()).filter(Boolean);
    expect(header).toEqual([
      'unit', 'config', 'xc7 LUT', 'xc7 FF', 'xc7 CARRY4', 'xc7 MUXF7/F8', 'xc7 DSP48E1', 'xc7 RAMB18/36', 'xc7 LUT levels',
      'ice40 LUT4', 'ice40 FF', 'ice40 carry', 'ice40 BRAM', 'ice40 LUT levels', 'ice40 Fmax (MHz)', 'ice40 device',
      'elements/cycle', 'elements/cycle worst case', 'latency (cycles)', 'xc7 LUT per element/cycle', 'xc7 LUT per element/cycle, worst case', 'ice40 Melem/s',
      'properties proved/bounded/failed',
    ]);
    const rows = lines.filter((l) => l.startsWith('| minmax'));
    expect(rows).toHaveLength(1);
    const cells = rows[0].split('|').map((s) => s.trim()).filter(Boolean);
    expect(cells[1]).toBe('lanes=2 width=4 pipeline="balanced" stages=1');
    expect(cells[9]).toBe(String(r.resources.lut4));
    expect(cells[14]).toBe(r.fmaxMHz!.toFixed(1));
    // minmax's II does not depend on the data: its worst-case run (worstStimulus) gives the same rate
    expect(cells[header.indexOf('elements/cycle worst case')]).toBe('2.00');
    expect(cells[header.indexOf('elements/cycle')]).toBe('2.00');
    expect(Number(cells[header.indexOf('xc7 LUT per element/cycle, worst case')])).toBeCloseTo(Number(cells[header.indexOf('xc7 LUT')]) / 2, 1);
    expect(cells[16]).toBe('2.00'); // 2 lanes per beat, one beat per cycle
    // the formal column (kvhdl prove by default, 2 min budget): minmax's 9 properties prove by induction
    expect(cells[header.indexOf('properties proved/bounded/failed')]).toBe('9/0/0');
    const json = JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8'));
    expect(json.rows[0].ii).toBe(1);
    expect(json.rows[0].latency).toBeGreaterThan(0);
    expect(json.rows[0].ice40.resources).toEqual(r.resources);
    expect(json.rows[0].xc7.resources.lut).toBeGreaterThan(0);
    expect(json.tools.backend).toBe('yowasp');
  });
});
