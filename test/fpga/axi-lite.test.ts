import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  AxilModel, RESP_OKAY, checkTimedReads, RESP_SLVERR, axilDesign, axilFinal, axilGolden, axilRegfile, axilStreamSpecs, parseRegMap,
  type AxilRegfile, type RegMapInput,
} from '../../fpga/axi/axil-regfile.ts';
import { checkAxiLiteOrdering, checkAxiLiteRun, readStreamCycles } from '../../fpga/axi/axi-check.ts';
import { cosim, formatReport, type CosimReport } from '../../cosim/cosim.ts';
import type { DesignUnderTest } from '../../hdl/ports/design.ts';
import { icarusRun } from '../../cosim/icarus/index.ts';
import { readOutputs } from '../../cosim/stimulus-files.ts';
import { Rng } from '../../data/rng.ts';
import { TxnTable } from '../../data/transactions.ts';
import { verilogProblems } from '../helpers/verilog-checks.ts';

/** A map with every access kind, widths below/at 32 and byte-straddling, and holes (unmapped words). */
function testMap(seed: number): RegMapInput {
  const rng = new Rng(seed);
  const rst = (w: number) => rng.bits(w);
  return {
    name: `kv_axil_test_s${seed}`,
    addrWidth: 8,
    registers: [
      { name: 'ctrl', offset: 0x00, access: 'rw', width: 8, reset: rst(8) },
      { name: 'scale', offset: 0x04, access: 'rw', width: 32, reset: rst(32) },
      { name: 'status', offset: 0x08, access: 'ro', width: 12 },
      { name: 'irq', offset: 0x0c, access: 'w1c', width: 11, reset: rst(11) },
      { name: 'count', offset: 0x10, access: 'ro', width: 32 },
      { name: 'mode', offset: 0x14, access: 'rw', width: 5, reset: rst(5) },
      { name: 'big', offset: 0x40, access: 'rw', width: 17, reset: rst(17) },
    ],
  };
}

const UNMAPPED = [0x18, 0x1c, 0x3c, 0x44, 0x80, 0xfc];

/**
 * Random traffic: `nw` writes to the registers `writeTo` (plus unmapped words), `nr` reads of
 * `readFrom` (plus unmapped words), random low address bits, strobes and prot. Reads never touch a
 * register that a write of the run can change, so the expected read data does not depend on how
 * the reads interleave with the writes.
 */
function traffic(rf: AxilRegfile, seed: number, writeTo: string[], readFrom: string[], nw: number, nr: number) {
  const rng = new Rng(seed * 7919 + 1);
  const specs = axilStreamSpecs(rf.map);
  const off = (names: string[]) => [...names.map((n) => rf.map.registers.find((r) => r.name === n)!.offset), ...UNMAPPED];
  const wOffs = off(writeTo);
  const rOffs = off(readFrom);
  const aw = new TxnTable(specs[0].fields, nw);
  const w = new TxnTable(specs[1].fields, nw);
  const ar = new TxnTable(specs[3].fields, nr);
  for (let i = 0; i < nw; i++) {
    aw.set(i, 'addr', BigInt(wOffs[rng.int(0, wOffs.length - 1)] + rng.int(0, 3)));
    aw.set(i, 'prot', rng.bits(3));
    w.set(i, 'data', rng.bits(32));
    w.set(i, 'strb', rng.chance(0.3) ? 0xfn : rng.bits(4));
  }
  for (let i = 0; i < nr; i++) {
    ar.set(i, 'addr', BigInt(rOffs[rng.int(0, rOffs.length - 1)] + rng.int(0, 3)));
    ar.set(i, 'prot', rng.bits(3));
  }
  return { aw, w, ar };
}

/** Runs the harness with the AXI checker; returns the report and the checker's findings. */
async function run(dut: DesignUnderTest, golden: ReturnType<typeof axilGolden>, stim: Record<string, TxnTable>, opts: { seed: number; stall: number; backpressure: number; staticInputs?: Record<string, bigint>; hangCycles?: number }) {
  const runDir = mkdtempSync(path.join(os.tmpdir(), `kvhdl-axil-${opts.seed}-`));
  const report = await cosim(dut, golden, stim, { ...opts, runDir });
  const violations = await checkAxiLiteRun(runDir);
  return { report, violations, runDir };
}

function expectClean(report: CosimReport, violations: unknown[]): void {
  expect(report.ok, formatReport(report)).toBe(true);
  expect(report.protocolErrors).toEqual([]);
  expect(violations).toEqual([]);
}

describe('AXI4-Lite register file: generator', () => {
  it('validates the register map and reports every problem with its path', () => {
    expect(() =>
      parseRegMap({
        name: 'r',
        addrWidth: 4,
        registers: [
          { name: 'a', offset: 2, access: 'rw' },
          { name: 'b', offset: 0x10, access: 'ro' },
          { name: 'a', offset: 0x4, access: 'rw', width: 4, reset: 16 },
          { name: 's_axi_x', offset: 0x8, access: 'rw' },
          { name: 'c', offset: 0x8, access: 'w1c' },
        ],
      }),
    ).toThrow(
      /registers\.0\.offset: must be a multiple of 4[\s\S]*registers\.1\.offset: 0x10 does not fit the 4-bit address[\s\S]*registers\.2\.name: port name 'a' is used twice[\s\S]*registers\.2\.reset: 16 does not fit 4[\s\S]*registers\.3\.name: 's_axi_x' is reserved[\s\S]*registers\.4\.offset: 0x8 is also the offset of 's_axi_x'/,
    );
    expect(parseRegMap({ name: 'r', registers: [{ name: 'a', offset: 0x7c, access: 'ro' }] }).addrWidth).toBe(7);
  });

  it('has the AXI4-Lite port list, registers as unit-side ports, and no combinational input-to-output path', () => {
    const rf = axilRegfile(testMap(1));
    expect(rf.module.ports.map((p) => `${p.kind} ${p.name}[${p.type.width}]`)).toEqual([
      'input s_axi_awaddr[8]', 'input s_axi_awprot[3]', 'input s_axi_awvalid[1]', 'output s_axi_awready[1]',
      'input s_axi_wdata[32]', 'input s_axi_wstrb[4]', 'input s_axi_wvalid[1]', 'output s_axi_wready[1]',
      'output s_axi_bresp[2]', 'output s_axi_bvalid[1]', 'input s_axi_bready[1]',
      'input s_axi_araddr[8]', 'input s_axi_arprot[3]', 'input s_axi_arvalid[1]', 'output s_axi_arready[1]',
      'output s_axi_rdata[32]', 'output s_axi_rresp[2]', 'output s_axi_rvalid[1]', 'input s_axi_rready[1]',
      'output ctrl[8]', 'output scale[32]', 'input status[12]', 'output irq[11]', 'input irq_set[11]', 'input count[32]',
      'output mode[5]', 'output big[17]',
    ]);
    for (const [out, ins] of rf.module.combPaths) expect([...ins], `${out} depends on`).toEqual([]);
  });

  it('is clean under verilator -Wall, iverilog -g2005 and yosys synth', async () => {
    const rf = axilRegfile(testMap(1));
    const dut = axilDesign(rf, mkdtempSync(path.join(os.tmpdir(), 'kvhdl-axil-lint-')));
    expect(await verilogProblems(dut.files, dut.top)).toEqual([]);
    expect(readFileSync(dut.files[0], 'utf8')).not.toMatch(/lint_off/);
  });

  it('golden model: wstrb, widths, w1c, ro and unmapped writes', () => {
    const map = parseRegMap(testMap(2));
    const m = new AxilModel(map, { status: 0xabcn, irq_set: 0n });
    const scale0 = m.read(4n)[0];
    expect(m.write(4n, 0x11223344n, 0b0101n)).toBe(RESP_OKAY);
    expect(m.read(4n)).toEqual([(scale0 & 0xff00ff00n) | 0x00220044n, RESP_OKAY]);
    expect(m.write(0x40n, 0xffffffffn, 0b0100n)).toBe(RESP_OKAY); // bit 16 of a 17-bit register
    expect(m.read(0x40n)[0] >> 16n).toBe(1n);
    expect(m.write(0x08n, 1n, 0xfn)).toBe(RESP_SLVERR); // ro
    expect(m.read(0x0bn)).toEqual([0xabcn, RESP_OKAY]); // low address bits ignored
    expect(m.write(0x18n, 1n, 0xfn)).toBe(RESP_SLVERR);
    expect(m.read(0x18n)).toEqual([0n, RESP_SLVERR]);
    m.write(0x0cn, 0x7ffn, 0b01n); // clears irq[7:0] only
    expect(m.read(0x0cn)[0]).toBe(BigInt(testMap(2).registers[3].reset!) & 0x700n);
  });
});

describe('AXI4-Lite register file: randomized traffic in Verilator with the AXI checker', () => {
  const rf = axilRegfile(testMap(3));
  const dut = axilDesign(rf, mkdtempSync(path.join(os.tmpdir(), 'kvhdl-axil-')));
  const settings = [
    { seed: 1, stall: 0.3, backpressure: 0.3 },
    { seed: 2, stall: 0.7, backpressure: 0.2 },
    { seed: 3, stall: 0.1, backpressure: 0.8 },
  ];

  it('phase A: random writes to ctrl/scale/irq/ro/unmapped; reads of the other registers; final register values', async () => {
    let wBeforeAw = 0;
    for (const s of settings) {
      const inputs = { status: 0x5a5n + BigInt(s.seed), count: 0xdeadbeefn, irq_set: s.seed === 2 ? 0x404n : 0n };
      const stim = traffic(rf, s.seed, ['ctrl', 'scale', 'irq', 'status'], ['mode', 'big', 'status', 'count'], 600, 500);
      const { report, violations, runDir } = await run(dut, axilGolden(rf.map, inputs), stim, { ...s, staticInputs: inputs });
      expectClean(report, violations);
      // every write's value lands: the rw/w1c registers' final outputs
      expect(report.plainOutputs).toEqual(axilFinal(rf.map, stim, inputs));
      // the traffic really had W before AW (independent random gaps)
      const [aw, w] = await Promise.all([readStreamCycles(runDir, 'aw', 'in'), readStreamCycles(runDir, 'w', 'in')]);
      wBeforeAw += aw.filter((c, i) => w[i] < c).length;
      // and both the SLVERR and OKAY responses occurred
      const resps = new Set(axilGolden(rf.map, inputs)(stim).b.rows().map((r) => r.resp));
      expect(resps).toEqual(new Set([RESP_OKAY, RESP_SLVERR]));
    }
    expect(wBeforeAw).toBeGreaterThan(50);
  });

  it('phase B: random writes to mode/big/unmapped; reads of ctrl/scale/irq/status/count (every read path)', async () => {
    for (const s of settings) {
      const inputs = { status: 0xfffn, count: BigInt(s.seed) * 0x01010101n, irq_set: 0n };
      const stim = traffic(rf, s.seed + 10, ['mode', 'big'], ['ctrl', 'scale', 'irq', 'status', 'count'], 500, 600);
      const { report, violations } = await run(dut, axilGolden(rf.map, inputs), stim, { ...s, staticInputs: inputs });
      expectClean(report, violations);
      expect(report.plainOutputs).toEqual(axilFinal(rf.map, stim, inputs));
    }
  });

  it('phase C: mixed reads and writes of the same registers, checked against the recorded write/read timing', async () => {
    for (const s of settings) {
      const inputs = { status: 0x321n, count: 0x87654321n, irq_set: 0n };
      const all = ['ctrl', 'scale', 'irq', 'mode', 'big', 'status', 'count'];
      const stim = traffic(rf, s.seed + 20, all, all, 500, 500);
      const golden = axilGolden(rf.map, inputs);
      const { report, violations, runDir } = await run(dut, golden, stim, { ...s, staticInputs: inputs });
      // the harness's R comparison assumes "reads see no write" and may differ; everything else must hold
      expect(report.status, formatReport(report)).toBe('done');
      expect(report.protocolErrors).toEqual([]);
      expect(violations).toEqual([]);
      if (report.mismatch) expect(report.mismatch.stream).toBe('r');
      const outs = await readOutputs(runDir, dut);
      expect(outs.b.rows()).toEqual(golden(stim).b.rows());
      expect(outs.r.count).toBe(stim.ar.count);
      expect(report.plainOutputs).toEqual(axilFinal(rf.map, stim, inputs));
      const [aw, w, bValid, ar] = await Promise.all([
        readStreamCycles(runDir, 'aw', 'in'), readStreamCycles(runDir, 'w', 'in'), readStreamCycles(runDir, 'b', 'out-valid'), readStreamCycles(runDir, 'ar', 'in'),
      ]);
      expect(checkTimedReads(rf.map, inputs, stim, { aw, w, bValid, ar }, outs.r)).toEqual([]);
      // the reads really observed writes, and the check has teeth: pretending every read came first fails
      const before = golden(stim).r;
      expect(outs.r.rows().filter((row, i) => row.data !== before.get(i, 'data')).length).toBeGreaterThan(50);
      expect(checkTimedReads(rf.map, inputs, stim, { aw, w, bValid, ar: ar.map(() => 0) }, outs.r).length).toBeGreaterThan(50);
    }
  });

  it('runs in Icarus with the same AXI port names', async () => {
    const inputs = { status: 0x123n, count: 7n, irq_set: 0n };
    const stim = traffic(rf, 5, ['ctrl', 'scale', 'irq'], ['mode', 'big', 'status', 'count'], 100, 100);
    const iv = await icarusRun(dut, stim, { seed: 5, stall: 0.4, backpressure: 0.4, staticInputs: inputs });
    expect(iv.hang, iv.hang?.message).toBeUndefined();
    expect(iv.protocolErrors).toEqual([]);
    const want = axilGolden(rf.map, inputs)(stim);
    expect(iv.outputs.b.rows()).toEqual(want.b.rows());
    expect(iv.outputs.r.rows()).toEqual(want.r.rows());
  });
});

describe('AXI checker', () => {
  it('flags responses before their requests on recorded cycles', () => {
    const v = checkAxiLiteOrdering({ aw: [3, 10], w: [5, 8], ar: [4], b: [6, 12], bValid: [6, 10], r: [4, 9], rValid: [4, 9] });
    expect(v.map((x) => `${x.kind}:${x.index}`)).toEqual(['bvalid-before-aw:1', 'rvalid-before-ar:0', 'r-without-read:1']);
    expect(checkAxiLiteOrdering({ aw: [3], w: [1], ar: [], b: [5], bValid: [4], r: [], rValid: [] })).toEqual([]);
  });

  /** The generated register file with one line of its Verilog replaced. */
  function mutant(name: string, from: RegExp, to: string): DesignUnderTest {
    const rf = axilRegfile({ ...testMap(4), name });
    const dut = axilDesign(rf, mkdtempSync(path.join(os.tmpdir(), `kvhdl-${name}-`)));
    const text = readFileSync(dut.files[0], 'utf8');
    expect(text).toMatch(from);
    writeFileSync(dut.files[0], text.replace(from, to));
    return dut;
  }

  it('catches a register file that raises BVALID after AW only (before W)', async () => {
    const dut = mutant('kv_axil_bad_b', /assign axil_do_write = \(axil_aw_full & axil_w_full\) & \(~axil_b_valid\);/, 'assign axil_do_write = axil_aw_full & (~axil_b_valid);');
    const map = parseRegMap({ ...testMap(4), name: 'kv_axil_bad_b' });
    const stim = traffic({ module: undefined as never, map }, 1, ['ctrl', 'scale'], ['mode'], 200, 20);
    const { violations } = await run(dut, axilGolden(map), stim, { seed: 1, stall: 0.5, backpressure: 0.2, hangCycles: 500 });
    expect(violations.some((v) => v.kind === 'bvalid-before-w'), JSON.stringify(violations.slice(0, 3))).toBe(true);
    expect(violations.every((v) => v.kind === 'bvalid-before-w')).toBe(true);
  });

  it('catches a register file that raises RVALID without an AR', async () => {
    const dut = mutant('kv_axil_bad_r', /if \(s_axi_arvalid & \(~axil_r_valid\)\) begin(.*)\n(\s*)axil_r_valid <= 1'b1;/, "if (~axil_r_valid) begin$1\n$2axil_r_valid <= 1'b1;");
    const map = parseRegMap({ ...testMap(4), name: 'kv_axil_bad_r' });
    const stim = traffic({ module: undefined as never, map }, 2, ['ctrl'], ['mode', 'big'], 50, 200);
    const { violations } = await run(dut, axilGolden(map), stim, { seed: 2, stall: 0.5, backpressure: 0.2, hangCycles: 500 });
    expect(violations.some((v) => v.kind === 'rvalid-before-ar' || v.kind === 'r-without-read'), JSON.stringify(violations.slice(0, 3))).toBe(true);
    expect(violations.every((v) => v.kind === 'rvalid-before-ar' || v.kind === 'r-without-read')).toBe(true);
  });
});
