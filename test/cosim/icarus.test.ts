import { access, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DesignUnderTest, FieldSpec, PortSpec, StreamSpec } from '../../hdl/ports/design.ts';
import { TxnTable } from '../../data/transactions.ts';
import {
  generateTestbench,
  hexToRecords,
  IcarusError,
  icarusRun,
  recordsToHex,
  type TestbenchConfig,
} from '../../cosim/icarus/index.ts';
import { runTool } from '../../toolchain/run-tool.ts';
import { needTools } from '../helpers/tools.ts';

needTools('iverilog');

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/icarus');

const u = (name: string, width: number): FieldSpec => ({ name, width, signed: false });
const s = (name: string, width: number): FieldSpec => ({ name, width, signed: true });

/** A DesignUnderTest for a fixture file: clock, reset, the streams' ports, plus `extra` plain ports. */
function fixture(top: string, streams: StreamSpec[], extra: PortSpec[] = []): DesignUnderTest {
  const ports: PortSpec[] = [
    { name: 'clock', dir: 'input', width: 1, signed: false },
    { name: 'reset', dir: 'input', width: 1, signed: false },
    ...extra,
  ];
  for (const st of streams) {
    const inward = st.dir === 'in';
    ports.push({ name: `${st.name}_valid`, dir: inward ? 'input' : 'output', width: 1, signed: false });
    ports.push({ name: `${st.name}_ready`, dir: inward ? 'output' : 'input', width: 1, signed: false });
    for (const f of st.fields) {
      ports.push({ name: `${st.name}_${f.name}`, dir: inward ? 'input' : 'output', width: f.width, signed: f.signed });
    }
  }
  return { top, files: [path.join(FIXTURES, `${top}.v`)], clock: 'clock', reset: 'reset', ports, streams };
}

/** Deterministic xorshift32 stream of numbers for stimulus. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

// ---------------------------------------------------------------------------------------------
// Group accumulator: outputs equal a TS reference, with stalls and backpressure, at two seeds.

const ACC_IN = [s('a', 16), s('b', 16), u('last', 1)];
const ACC_OUT = [s('sum', 24), u('count', 8)];
const accDesign = fixture(
  'kv_tb_group_acc',
  [
    { name: 'in', dir: 'in', fields: ACC_IN },
    { name: 'out', dir: 'out', fields: ACC_OUT },
  ],
  [
    { name: 'bias', dir: 'input', width: 8, signed: true },
    { name: 'busy', dir: 'output', width: 1, signed: false },
  ],
);

function accStimulus(n: number, seed: number): TxnTable {
  const r = rng(seed);
  const rows: Record<string, bigint>[] = [];
  for (let i = 0; i < n; i++) {
    rows.push({
      a: BigInt(Math.floor(r() * 65536) - 32768),
      b: BigInt(Math.floor(r() * 65536) - 32768),
      last: i === n - 1 || r() < 0.3 ? 1n : 0n,
    });
  }
  return TxnTable.from(ACC_IN, rows);
}

/** The TS reference of kv_tb_group_acc (see the comment in the fixture). */
function accReference(input: TxnTable, count: number, bias: bigint): Record<string, bigint>[] {
  const out: Record<string, bigint>[] = [];
  let acc = 0n;
  let cnt = 0n;
  for (let i = 0; i < count; i++) {
    acc = BigInt.asIntN(24, acc + input.get(i, 'a') + input.get(i, 'b'));
    cnt = BigInt.asUintN(8, cnt + 1n);
    if (input.get(i, 'last') === 1n) {
      out.push({ sum: BigInt.asIntN(24, acc + bias), count: cnt });
      acc = 0n;
      cnt = 0n;
    }
  }
  return out;
}

describe('icarusRun: group accumulator against a TS reference', () => {
  const n = 300;
  const stim = accStimulus(n, 99);
  const want = accReference(stim, n, -3n);

  it.each([[1], [2]])('seed %i, stall 0.3, backpressure 0.4', async (seed) => {
    const r = await icarusRun(accDesign, { in: stim }, { seed, stall: 0.3, backpressure: 0.4, staticInputs: { bias: -3n } });
    expect(r.hang).toBeUndefined();
    expect(r.protocolErrors).toEqual([]);
    expect(r.applied).toEqual({ in: n });
    expect(r.consumed).toEqual({ in: n });
    expect(r.outputs.out.rows()).toEqual(want);
    expect(want.length).toBeGreaterThan(50);
    // Stalls and backpressure cost cycles: well above one record per cycle plus the drain.
    expect(r.cycles).toBeGreaterThan(n * 1.4 + 1000);
  });

  it('different seeds give different schedules; the same seed the same one', async () => {
    const opts = { stall: 0.3, backpressure: 0.4, staticInputs: { bias: -3n } };
    const [a, b, c] = await Promise.all([
      icarusRun(accDesign, { in: stim }, { ...opts, seed: 5 }),
      icarusRun(accDesign, { in: stim }, { ...opts, seed: 5 }),
      icarusRun(accDesign, { in: stim }, { ...opts, seed: 6 }),
    ]);
    expect(a.cycles).toBe(b.cycles);
    expect(a.cycles).not.toBe(c.cycles);
    expect(c.outputs.out.rows()).toEqual(want);
  });

  it('without stalls or backpressure it moves one record per cycle (exact cycle count)', async () => {
    const drainCycles = 20;
    const r = await icarusRun(
      accDesign,
      { in: stim },
      { stall: 0, backpressure: 0, drainCycles, staticInputs: { bias: 100n } },
    );
    expect(r.outputs.out.rows()).toEqual(accReference(stim, n, 100n));
    // Record k is offered on edge k and transfers on edge k+1; the last group's result transfers on
    // edge n+2; the run then ends drainCycles later.
    expect(r.cycles).toBe(n + 2 + drainCycles);
  });

  it('applies only the first maxTransactions records', async () => {
    const r = await icarusRun(accDesign, { in: stim }, { maxTransactions: 57, drainCycles: 50, staticInputs: { bias: 1n } });
    expect(r.applied).toEqual({ in: 57 });
    expect(r.consumed).toEqual({ in: 57 });
    expect(r.outputs.out.rows()).toEqual(accReference(stim, 57, 1n));
  });

  it('handles an empty stimulus (and a missing one) by draining', async () => {
    const empty = await icarusRun(accDesign, { in: new TxnTable(ACC_IN, 0) }, { drainCycles: 10 });
    expect(empty.outputs.out.count).toBe(0);
    expect(empty.cycles).toBe(10);
    const missing = await icarusRun(accDesign, {}, { drainCycles: 10 });
    expect(missing.applied).toEqual({ in: 0 });
    expect(missing.hang).toBeUndefined();
  });
});

// ---------------------------------------------------------------------------------------------

describe('icarusRun: wide fields', () => {
  const FIELDS = [u('data', 96), s('extra', 70), u('tag', 1)];
  const design = fixture('kv_tb_pass_wide', [
    { name: 'in', dir: 'in', fields: FIELDS },
    { name: 'out', dir: 'out', fields: FIELDS },
  ]);

  it('a 96-bit and a 70-bit signed field pass through a register stage unchanged', async () => {
    const rows = fc.sample(
      fc.record({
        data: fc.bigInt({ min: 0n, max: (1n << 96n) - 1n }),
        extra: fc.bigInt({ min: -(1n << 69n), max: (1n << 69n) - 1n }),
        tag: fc.bigInt({ min: 0n, max: 1n }),
      }),
      { seed: 3, numRuns: 200 },
    );
    rows.push({ data: (1n << 96n) - 1n, extra: -(1n << 69n), tag: 1n }, { data: 0n, extra: (1n << 69n) - 1n, tag: 0n });
    const r = await icarusRun(design, { in: TxnTable.from(FIELDS, rows) }, { seed: 11, stall: 0.5, backpressure: 0.5 });
    expect(r.protocolErrors).toEqual([]);
    expect(r.hang).toBeUndefined();
    expect(r.outputs.out.rows()).toEqual(rows);
    expect(Array.from(r.outputs.out.words)).toEqual(Array.from(TxnTable.from(FIELDS, rows).words));
  });
});

describe('icarusRun: streams without fields, several outputs', () => {
  it('counts tokens on a field-less input and output', async () => {
    const design = fixture('kv_tb_tokens', [
      { name: 'go', dir: 'in', fields: [] },
      { name: 'n', dir: 'out', fields: [u('value', 8)] },
      { name: 'tick', dir: 'out', fields: [] },
    ]);
    const r = await icarusRun(design, { go: new TxnTable([], 300) }, { seed: 9, stall: 0.2, backpressure: 0.3 });
    expect(r.protocolErrors).toEqual([]);
    expect(r.hang).toBeUndefined();
    expect(r.consumed).toEqual({ go: 300 });
    expect(r.outputs.tick.count).toBe(300);
    expect(r.outputs.n.rows()).toEqual(Array.from({ length: 300 }, (_, i) => ({ value: BigInt((i + 1) % 256) })));
  });
});

// ---------------------------------------------------------------------------------------------

describe('icarusRun: misbehaving designs', () => {
  it('reports a hang with what was consumed and produced', async () => {
    const fields = [u('x', 8)];
    const design = fixture('kv_tb_stuck', [
      { name: 'in', dir: 'in', fields },
      { name: 'out', dir: 'out', fields },
    ]);
    const stim = TxnTable.from(fields, [1n, 2n, 3n, 4n, 5n, 6n].map((x) => ({ x })));
    const r = await icarusRun(design, { in: stim }, { hangCycles: 200, stall: 0.2, backpressure: 0.2 });
    expect(r.hang).toBeDefined();
    expect(r.hang!.reason).toBe('no-progress');
    // Only cycles in which the testbench held nothing back count towards hangCycles; backpressure
    // starved the others.
    expect(r.hang!.activeIdleCycles).toBe(200);
    expect(r.hang!.idleCycles).toBeGreaterThan(200);
    expect(r.hang!.inputs).toEqual({ in: { consumed: 3, applied: 6 } });
    expect(r.hang!.outputs).toEqual({ out: { produced: 3, valid: false } });
    expect(r.hang!.message).toBe(
      `kv_tb_stuck: no transfer for ${r.hang!.idleCycles} cycles (200 with every input offered and every output ready) at cycle ${r.cycles} with inputs remaining; ` +
        "input 'in' consumed 3 of 6; output 'out' produced 3",
    );
    expect(r.outputs.out.rows()).toEqual([{ x: 1n }, { x: 2n }, { x: 3n }]);
    // A run with a problem keeps its temporary directory for debugging.
    await access(path.join(r.runDir, 'tb.v'));
    await rm(r.runDir, { recursive: true, force: true });
  });

  it('reports max-cycles as a hang', async () => {
    const r = await icarusRun(accDesign, { in: accStimulus(100, 1) }, { maxCycles: 30 });
    expect(r.hang?.reason).toBe('max-cycles');
    expect(r.cycles).toBe(30);
    expect(r.hang?.message).toMatch(/^kv_tb_group_acc: stopped at maxCycles \(30\); input 'in' consumed \d+ of 100/);
    await rm(r.runDir, { recursive: true, force: true });
  });

  it('reports output protocol violations and X payloads', async () => {
    const design = fixture('kv_tb_bad_protocol', [
      { name: 'in', dir: 'in', fields: [u('x', 8)] },
      { name: 'out', dir: 'out', fields: [u('x', 8), u('junk', 4)] },
    ]);
    const stim = TxnTable.from([u('x', 8)], Array.from({ length: 40 }, (_, i) => ({ x: BigInt(i + 1) })));
    const r = await icarusRun(design, { in: stim }, { stall: 0.5, backpressure: 0.5, seed: 4, drainCycles: 20 });
    const errs = r.protocolErrors.join('\n');
    expect(errs).toMatch(/^cycle \d+: output stream 'out': valid dropped before the transfer/m);
    expect(errs).toMatch(/^cycle \d+: output stream 'out': payload changed while valid && !ready \(was x=[0-9a-f]{2} junk=x; now x=[0-9a-f]{2} junk=x\)/m);
    expect(errs).toMatch(/^cycle \d+: output stream 'out': payload has X\/Z bits at transfer 0 \(x=[0-9a-f]{2} junk=x; read as 0\)/m);
    expect(r.outputs.out.count).toBeGreaterThan(0);
    expect(r.outputs.out.get(0, 'junk')).toBe(0n);
    await rm(r.runDir, { recursive: true, force: true });
  });
});

// ---------------------------------------------------------------------------------------------

describe('icarusRun: errors and run directory', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'kvhdl-icarus-test-'));
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('keeps a given runDir, and its rerun command writes a waveform', async () => {
    const runDir = path.join(dir, 'acc');
    const r = await icarusRun(accDesign, { in: accStimulus(10, 5) }, { runDir, drainCycles: 5 });
    expect(r.runDir).toBe(runDir);
    expect(r.rerun).toBe(`cd ${runDir} && vvp -n tb.vvp +vcd`);
    const tb = await readFile(path.join(runDir, 'tb.v'), 'utf8');
    expect(tb).toContain('module kvhdl_tb;');
    const again = await runTool('vvp', ['-n', 'tb.vvp', '+vcd'], { cwd: runDir, timeoutMs: 60_000 });
    expect(again.exitCode).toBe(0);
    expect(again.stdout).toContain(`KVHDL:END 0 ${r.cycles} `);
    expect(await readFile(path.join(runDir, 'wave.vcd'), 'utf8')).toContain('$var');
  });

  it('deletes a temporary run directory after a clean run', async () => {
    const r = await icarusRun(accDesign, { in: accStimulus(5, 5) }, { drainCycles: 5 });
    await expect(access(r.runDir)).rejects.toThrow();
  });

  it('a compile error names the command and quotes iverilog', async () => {
    const design: DesignUnderTest = {
      top: 'kv_tb_syntax_error',
      files: [path.join(FIXTURES, 'kv_tb_syntax_error.v')],
      clock: 'clock',
      reset: 'reset',
      ports: [
        { name: 'clock', dir: 'input', width: 1, signed: false },
        { name: 'reset', dir: 'input', width: 1, signed: false },
      ],
      streams: [],
    };
    const err = await icarusRun(design, {}, { runDir: path.join(dir, 'syntax') }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IcarusError);
    expect((err as Error).message).toMatch(/^iverilog \(compiling kv_tb_syntax_error\) failed \(exit code \d+\): cd .* && iverilog -g2005 -o /);
    expect((err as Error).message).toMatch(/kv_tb_syntax_error\.v:7: syntax error/);
  });

  it('rejects a design description that does not match its streams, listing every problem', async () => {
    const bad = { ...accDesign, ports: accDesign.ports.filter((p) => p.name !== 'out_sum' && p.name !== 'in_ready') };
    const err = await icarusRun(bad, {}, {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IcarusError);
    expect((err as Error).message).toBe(
      'icarus testbench for kv_tb_group_acc: 2 problem(s):\n' +
        "  input stream 'in' needs port 'in_ready' (output, 1 bit), the design has none\n" +
        "  output stream 'out' field 'sum' needs port 'out_sum' (output, 24 bits), the design has none",
    );
  });

  it('rejects bad options, static inputs and stimulus', async () => {
    await expect(icarusRun(accDesign, {}, { stall: 1 })).rejects.toThrow('icarusRun: stall must be in [0, 1), got 1');
    await expect(icarusRun(accDesign, {}, { hangCycles: 0, maxTransactions: -1 })).rejects.toThrow(
      'icarusRun: hangCycles must be an integer >= 1, got 0; maxTransactions must be an integer >= 0, got -1',
    );
    await expect(icarusRun(accDesign, {}, { staticInputs: { bias: 128n } })).rejects.toThrow(
      "static input 'bias' (s8): value 128 out of range -128..127",
    );
    await expect(icarusRun(accDesign, {}, { staticInputs: { in_valid: 1n, nope: 0n } })).rejects.toThrow(
      /static input 'in_valid' must be a plain input port \(it is input stream 'in'\)\n {2}static input 'nope' is not a port/,
    );
    await expect(icarusRun(accDesign, { out: new TxnTable(ACC_OUT, 0) }, {})).rejects.toThrow(
      "stimulus for 'out', which is an output stream",
    );
    await expect(icarusRun(accDesign, { in: new TxnTable([u('a', 16)], 0) }, {})).rejects.toThrow(
      "stimulus for 'in' has fields (a:u16), the stream has (a:s16,b:s16,last:u1)",
    );
  });
});

// ---------------------------------------------------------------------------------------------

describe('record hex files', () => {
  it('round-trips any field layout', () => {
    const layout = fc.array(
      fc.record({ width: fc.integer({ min: 1, max: 130 }), signed: fc.boolean() }),
      { minLength: 0, maxLength: 4 },
    );
    fc.assert(
      fc.property(layout, fc.integer({ min: 0, max: 5 }), fc.integer(), (l, n, seed) => {
        const fields = l.map((f, i) => ({ name: `f${i}`, ...f }));
        const r = rng(seed);
        const rows = Array.from({ length: n }, () => {
          const row: Record<string, bigint> = {};
          for (const f of fields) {
            let v = 0n;
            for (let b = 0; b < f.width; b += 16) v = (v << 16n) | BigInt(Math.floor(r() * 65536));
            row[f.name] = f.signed ? BigInt.asIntN(f.width, v) : BigInt.asUintN(f.width, v);
          }
          return row;
        });
        const t = TxnTable.from(fields, rows);
        const back = hexToRecords(recordsToHex(t), fields, 'x.hex');
        expect(back.unknownBits).toEqual([]);
        expect(back.table.count).toBe(n);
        expect(back.table.rows()).toEqual(rows);
      }),
      { seed: 1, numRuns: 200 },
    );
  });

  it('writes the most significant word first and reads X/Z as 0', () => {
    const fields = [u('a', 8), u('b', 40)];
    const t = TxnTable.from(fields, [{ a: 0xabn, b: 0x12_3456_789an }]);
    expect(recordsToHex(t)).toBe('00000012' + '3456789a' + '000000ab\n');
    const p = hexToRecords('000000x2' + '3456789a' + '000000zb\n', fields, 'o.hex');
    expect(p.unknownBits).toEqual([0]);
    expect(p.table.rows()).toEqual([{ a: 0x0bn, b: 0x02_3456_789an }]);
    expect(() => hexToRecords('1234\n', fields, 'o.hex')).toThrow("o.hex:1: expected 24 hex digits, got 4 ('1234')");
  });
});

describe('generateTestbench', () => {
  it('emits a readable testbench (golden text: test/fixtures/icarus/kvhdl_tb.kv_tiny.golden.v)', async () => {
    const design = fixture(
      'kv_tiny',
      [
        { name: 'a', dir: 'in', fields: [u('x', 3)] },
        { name: 'q', dir: 'out', fields: [s('y', 40)] },
      ],
      [{ name: 'mode', dir: 'input', width: 2, signed: false }],
    );
    const cfg: TestbenchConfig = {
      seed: 1,
      stall: 0.25,
      backpressure: 0.5,
      hangCycles: 100,
      drainCycles: 10,
      maxCycles: 1000,
      resetCycles: 2,
      counts: { a: 4 },
      staticInputs: { mode: 2n },
    };
    await expect(generateTestbench(design, cfg)).toMatchFileSnapshot('../fixtures/icarus/kvhdl_tb.kv_tiny.golden.v');
  });
});
