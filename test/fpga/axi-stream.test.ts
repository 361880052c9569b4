import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { axisDesign, axisGolden, axisStimulus, axisWrapper, fromAxis, toAxis } from '../../fpga/axi/axis-wrapper.ts';
import { readStreamCycles } from '../../fpga/axi/axi-check.ts';
import { minmaxRtl } from '../../gen/minmax/rtl.ts';
import { minmaxGolden } from '../../gen/minmax/golden.ts';
import { minmaxRandomStimulus } from '../../gen/minmax/stimulus.ts';
import { minmaxSchema, type MinmaxConfig } from '../../gen/minmax/config.ts';
import { cosim, formatReport } from '../../cosim/cosim.ts';
import { icarusRun } from '../../cosim/icarus/index.ts';
import { checkDesign as icarusCheckDesign } from '../../cosim/icarus/testbench.ts';
import { checkDesign } from '../../cosim/verilator/design-check.ts';
import { generateTestbench } from '../../cosim/verilator/tbgen.ts';
import { TxnTable } from '../../data/transactions.ts';
import { Rng, randomTable } from '../../data/rng.ts';
import { Bool, ModuleBuilder, SInt } from '../../hdl/index.ts';
import { streamIn, streamOut } from '../../hdl/lib/index.ts';
import { verilogProblems } from '../helpers/verilog-checks.ts';
import { yosysSynthCheck } from '../../fpga/yosys-check.ts';

const configs: MinmaxConfig[] = [minmaxSchema.parse({}), minmaxSchema.parse({ lanes: 5, width: 7, stages: 2 })];

function prefix(t: TxnTable, n: number): TxnTable {
  const k = Math.min(n, t.count);
  return new TxnTable(t.fields, k, t.words.slice(0, k * t.stride));
}

describe('AXI4-Stream wrapper', () => {
  it('names ports by AXI convention and packs fields LSB-first, padded to bytes', () => {
    const w = axisWrapper(minmaxRtl(configs[1]));
    expect(w.module.name).toBe('kv_minmax_p5_w7_s2_axis');
    expect(w.module.ports.map((p) => `${p.kind} ${p.name}[${p.type.width}]`)).toEqual([
      'input s_axis_tvalid[1]', 'output s_axis_tready[1]', 'input s_axis_tdata[40]', 'input s_axis_tlast[1]',
      'output m_axis_tvalid[1]', 'input m_axis_tready[1]', 'output m_axis_tdata[16]', 'output m_axis_tlast[1]',
    ]);
    const [pin, pout] = w.ports;
    expect(pin).toMatchObject({ stream: 'in', prefix: 's_axis', tdataWidth: 40, hasLast: true });
    expect(pout.fields).toEqual([
      { name: 'min', width: 7, signed: true, lo: 0 },
      { name: 'max', width: 7, signed: true, lo: 7 },
    ]);
    // round trip of the packing helpers
    const t = TxnTable.from([{ name: 'min', width: 7, signed: true }, { name: 'max', width: 7, signed: true }], [{ min: -64n, max: 5n }, { min: -1n, max: 63n }]);
    const ax = toAxis(pout, t);
    expect(ax.rows()).toEqual([{ tdata: 0x40n | (5n << 7n), tlast: 1n }, { tdata: 0x7fn | (63n << 7n), tlast: 1n }]);
    expect(fromAxis(pout, ax).rows()).toEqual(t.rows());
  });

  it('harness: explicit stream port names are checked by both testbench generators', () => {
    const w = axisWrapper(minmaxRtl(configs[1]));
    const dut = axisDesign(w, mkdtempSync(path.join(os.tmpdir(), 'kvhdl-axis-names-')));
    expect(generateTestbench(dut)).toContain('dut->s_axis_tvalid = 1;');
    const bad = {
      ...dut,
      streams: dut.streams.map((s) => (s.dir === 'in' ? { ...s, ports: { valid: 's_axis_tvalid', ready: 's_axis_trdy', fields: { tdata: 's_axis_tdata', nope: 'x' } } } : s)),
    };
    expect(() => checkDesign(bad)).toThrow(/port 's_axis_trdy' \(output, 1 bit\) is missing[\s\S]*ports\.fields names 'nope'/);
    expect(() => icarusCheckDesign(bad)).toThrow(/needs port 's_axis_trdy'[\s\S]*ports\.fields names 'nope'|ports\.fields names 'nope'[\s\S]*needs port 's_axis_trdy'/);
  });

  it('has no combinational path from any input to any output (registered on every port)', () => {
    for (const cfg of configs) {
      const w = axisWrapper(minmaxRtl(cfg));
      for (const [out, ins] of w.module.combPaths) expect([...ins], `${out} depends on`).toEqual([]);
    }
  });

  it('is clean under verilator -Wall, iverilog -g2005 and yosys synth', async () => {
    const w = axisWrapper(minmaxRtl(configs[1]));
    const dut = axisDesign(w, mkdtempSync(path.join(os.tmpdir(), 'kvhdl-axis-lint-')));
    expect(await verilogProblems(dut.files, dut.top, { synth: false })).toEqual([]);
    // flattened: Yosys 0.23's `stat -json` prints a hierarchy line into the JSON for some hierarchies
    const ys = await yosysSynthCheck(dut.files, dut.top, { synthCommand: `synth -flatten -top ${dut.top}` });
    expect([...ys.errors, ...ys.warnings]).toEqual([]);
    expect(ys.ok).toBe(true);
    expect(dut.files.map((f) => readFileSync(f, 'utf8')).join('\n')).not.toMatch(/lint_off/);
  });

  it('several streams: s_axis_<s>_/m_axis_<s>_ prefixes, tlast=1 without `last`, tlast ignored on an input without `last`', async () => {
    // a unit that adds one `a` beat and one `b` beat into `s` and forwards b's value on `t`
    const m = new ModuleBuilder('t_zip');
    const a = streamIn(m, 'a', { x: SInt(13), last: Bool });
    const b = streamIn(m, 'b', { y: SInt(5) });
    const so = streamOut(m, 's', { sum: SInt(14), last: Bool });
    const to = streamOut(m, 't', { y: SInt(5) });
    a.ready.set(b.valid.and(so.ready).and(to.ready));
    b.ready.set(a.valid.and(so.ready).and(to.ready));
    so.valid.set(a.valid.and(b.valid).and(to.ready));
    to.valid.set(a.valid.and(b.valid).and(so.ready));
    so.bits.sum.set(a.bits.x.add(b.bits.y));
    so.bits.last.set(a.bits.last);
    to.bits.y.set(b.bits.y);
    const w = axisWrapper(m.build());
    expect(w.module.ports.map((p) => p.name)).toEqual([
      's_axis_a_tvalid', 's_axis_a_tready', 's_axis_a_tdata', 's_axis_a_tlast', 's_axis_b_tvalid', 's_axis_b_tready', 's_axis_b_tdata', 's_axis_b_tlast',
      'm_axis_s_tvalid', 'm_axis_s_tready', 'm_axis_s_tdata', 'm_axis_s_tlast', 'm_axis_t_tvalid', 'm_axis_t_tready', 'm_axis_t_tdata', 'm_axis_t_tlast',
    ]);
    for (const [out, ins] of w.module.combPaths) expect([...ins], `${out} depends on`).toEqual([]);
    const golden = axisGolden(w, (ins) => {
      const n = Math.min(ins.a.count, ins.b.count);
      const s = new TxnTable([{ name: 'sum', width: 14, signed: true }, { name: 'last', width: 1, signed: false }], n);
      const t = new TxnTable([{ name: 'y', width: 5, signed: true }], n);
      for (let i = 0; i < n; i++) {
        s.set(i, 'sum', ins.a.get(i, 'x') + ins.b.get(i, 'y'));
        s.set(i, 'last', ins.a.get(i, 'last'));
        t.set(i, 'y', ins.b.get(i, 'y'));
      }
      return { s, t };
    });
    const rng = new Rng(5);
    const unitIn = {
      a: randomTable([{ name: 'x', width: 13, signed: true }, { name: 'last', width: 1, signed: false }], 2000, rng),
      b: randomTable([{ name: 'y', width: 5, signed: true }], 2000, rng),
    };
    const stim = axisStimulus(w, unitIn);
    // random padding bits and a random tlast on b: the wrapper must ignore both
    for (let i = 0; i < 2000; i++) {
      stim.s_axis_a.set(i, 'tdata', stim.s_axis_a.get(i, 'tdata') | (rng.bits(3) << 13n));
      stim.s_axis_b.set(i, 'tlast', rng.bits(1));
    }
    const out = golden(stim);
    expect(out.m_axis_t.rows().every((r) => r.tlast === 1n)).toBe(true);
    const dut = axisDesign(w, mkdtempSync(path.join(os.tmpdir(), 'kvhdl-axis-zip-')));
    for (const seed of [1, 2]) {
      const r = await cosim(dut, golden, stim, { seed, stall: 0.4, backpressure: 0.4 });
      expect(r.ok, formatReport(r)).toBe(true);
    }
    expect(await verilogProblems(dut.files, dut.top, { synth: false })).toEqual([]);
  });

  for (const cfg of configs) {
    it(`minmax p${cfg.lanes} w${cfg.width} s${cfg.stages}: matches the golden model under random stalls on every channel (Verilator and Icarus)`, async () => {
      const w = axisWrapper(minmaxRtl(cfg));
      const dir = mkdtempSync(path.join(os.tmpdir(), 'kvhdl-axis-'));
      const dut = axisDesign(w, dir);
      const golden = axisGolden(w, (ins) => minmaxGolden(cfg, ins));
      for (const [seed, stall, bp] of [[1, 0.3, 0.3], [2, 0.6, 0.1], [3, 0.1, 0.7]] as const) {
        const stim = axisStimulus(w, minmaxRandomStimulus(cfg, seed, 3000));
        const runDir = path.join(dir, `run${seed}`);
        const r = await cosim(dut, golden, stim, { seed, stall, backpressure: bp, runDir });
        expect(r.ok, formatReport(r)).toBe(true);
        expect(r.protocolErrors).toEqual([]);
        // accepted-input cycles are recorded: one per record, increasing
        const inCycles = await readStreamCycles(runDir, 's_axis', 'in');
        expect(inCycles.length).toBe(3000);
        for (let i = 1; i < inCycles.length; i++) expect(inCycles[i]).toBeGreaterThan(inCycles[i - 1]);
        // every group result leaves after its last beat went in
        const outCycles = await readStreamCycles(runDir, 'm_axis', 'out');
        const lastBeats = stim.s_axis.rows().map((row, i) => (row.tlast === 1n ? inCycles[i] : -1)).filter((c) => c >= 0);
        expect(outCycles.length).toBe(lastBeats.length);
        outCycles.forEach((c, g) => expect(c).toBeGreaterThan(lastBeats[g]));
      }
      // full rate without stalls
      const r = await cosim(dut, golden, axisStimulus(w, minmaxRandomStimulus(cfg, 9, 2000)), { seed: 9 });
      expect(r.ok, formatReport(r)).toBe(true);
      expect(r.throughput.ii).toBeCloseTo(1, 2);

      // Icarus with the same AXI port names
      const sub = { s_axis: prefix(axisStimulus(w, minmaxRandomStimulus(cfg, 4, 300)).s_axis, 300) };
      const iv = await icarusRun(dut, sub, { seed: 4, stall: 0.3, backpressure: 0.3 });
      expect(iv.hang, iv.hang?.message).toBeUndefined();
      expect(iv.protocolErrors).toEqual([]);
      expect(iv.outputs.m_axis.rows()).toEqual(golden(sub).m_axis.rows());
    });
  }
});
