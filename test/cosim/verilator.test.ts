// Verilator co-simulation harness: passing runs, caching, wide fields, static ports, lanes, traces.
import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cosim, formatReport, rerunFromDir, rerunWithTrace, reportToJSON, traceWindowFor } from '../../cosim/cosim.ts';
import { Rng, randomTable } from '../../data/rng.ts';
import { readTable, writeStimulus } from '../../cosim/stimulus-files.ts';
import { TxnTable } from '../../data/transactions.ts';
import { DesignError } from '../../cosim/verilator/design-check.ts';
import { generateTestbench } from '../../cosim/verilator/tbgen.ts';
import {
  ACCUM_IN,
  accumDesign,
  accumGolden,
  accumStimulus,
  FIXTURE_DIR,
  WIDE_OUT,
  wideDesign,
  wideGolden,
  wideStimulus,
} from '../fixtures/verilog/designs.ts';

let tmp: string;
beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'kvhdl-verilator-test-'));
});
afterAll(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});
const runDir = (name: string): string => path.join(tmp, name);

describe('fx_accum (correct)', () => {
  it('passes with random stalls and backpressure at several seeds', async () => {
    for (const seed of [1, 2, 3, 4]) {
      const r = await cosim(accumDesign(), accumGolden, accumStimulus(seed, 2000), { seed, stall: 0.3, backpressure: 0.4 });
      expect(r.ok, formatReport(r)).toBe(true);
      expect(r.status).toBe('done');
      expect(r.simulator).toBe('verilator');
      expect(r.seed).toBe(seed);
      expect(r.transactions.in).toBe(2000);
      expect(r.transactions.out).toBe(r.expectedTransactions.out);
      expect(r.protocolErrors).toEqual([]);
      expect(r.mismatch).toBeUndefined();
      expect(r.throughput.measured).toBe(false);
      // Stalls and backpressure slow the input below one record per cycle.
      expect(r.throughput.ii!).toBeGreaterThan(1);
    }
  });

  it('measures II = 1 and the latency without stalls', async () => {
    const stim = accumStimulus(5, 5000, 4);
    const r = await cosim(accumDesign(), accumGolden, stim, { seed: 5 });
    expect(r.ok, formatReport(r)).toBe(true);
    expect(r.throughput.measured).toBe(true);
    expect(r.throughput.ii).toBe(1);
    expect(r.throughput.cyclesPerTxn.in).toBe(1);
    // The first result appears the cycle after the first group's last beat is accepted.
    let firstLast = 0;
    while (!stim.in.get(firstLast, 'last')) firstLast++;
    expect(r.latency).toBe(firstLast + 1);
    // 5000 beats at one per cycle, then the drain.
    expect(r.cycles).toBeGreaterThanOrEqual(5000);
    expect(r.cycles).toBeLessThan(5000 + 200);
    expect(r.cyclesPerSecond).toBeGreaterThan(0);
  });

  it('handles empty stimulus', async () => {
    const r = await cosim(accumDesign(), accumGolden, { in: new TxnTable(ACCUM_IN, 0) }, { seed: 1 });
    expect(r.ok, formatReport(r)).toBe(true);
    expect(r.transactions).toEqual({ in: 0, out: 0 });
    expect(r.latency).toBeNull();
  });

  it('is deterministic for a seed', async () => {
    const stim = accumStimulus(9, 500);
    const a = await cosim(accumDesign(), accumGolden, stim, { seed: 9, stall: 0.5, backpressure: 0.5 });
    const b = await cosim(accumDesign(), accumGolden, stim, { seed: 9, stall: 0.5, backpressure: 0.5 });
    const c = await cosim(accumDesign(), accumGolden, stim, { seed: 10, stall: 0.5, backpressure: 0.5 });
    expect(a.cycles).toBe(b.cycles);
    expect(a.cycles).not.toBe(c.cycles);
  });
});

describe('build cache', () => {
  it('compiles once per content hash; the second run does not recompile', async () => {
    const cacheDir = path.join(tmp, 'cache');
    const stim = accumStimulus(1, 100);
    const cold = await cosim(accumDesign(), accumGolden, stim, { seed: 1, cacheDir });
    expect(cold.ok).toBe(true);
    expect(cold.buildCached).toBe(false);
    const warm = await cosim(accumDesign(), accumGolden, stim, { seed: 2, cacheDir, stall: 0.2 });
    expect(warm.ok).toBe(true);
    expect(warm.buildCached).toBe(true);
    expect(warm.buildSeconds).toBeLessThan(1);
    const entries = (await fs.readdir(path.join(cacheDir, 'verilator'))).filter((e) => !e.startsWith('.'));
    expect(entries).toHaveLength(1);
    for (const f of ['sim', 'tb.cpp', 'build.log', 'key.json']) expect(existsSync(path.join(cacheDir, 'verilator', entries[0], f))).toBe(true);
    const key = JSON.parse(await fs.readFile(path.join(cacheDir, 'verilator', entries[0], 'key.json'), 'utf8'));
    expect(key.verilator).toMatch(/^Verilator 5/);
    expect(key.flags).toContain('OPT_FAST=-O2 OBJCACHE=ccache');
    expect(key.flags).toContain('--x-initial');
  }, 180_000);

  it('two concurrent cold builds of the same design build it once', async () => {
    const cacheDir = path.join(tmp, 'cache-concurrent');
    const stim = accumStimulus(2, 100);
    const [a, b] = await Promise.all([
      cosim(accumDesign(), accumGolden, stim, { seed: 1, cacheDir }),
      cosim(accumDesign(), accumGolden, stim, { seed: 2, cacheDir }),
    ]);
    expect(a.ok && b.ok).toBe(true);
    expect([a.buildCached, b.buildCached].sort()).toEqual([false, true]);
    const entries = (await fs.readdir(path.join(cacheDir, 'verilator'))).filter((e) => !e.startsWith('.') && !e.endsWith('.lock'));
    expect(entries).toHaveLength(1);
  }, 180_000);

  it('the testbench source is deterministic', () => {
    expect(generateTestbench(accumDesign())).toBe(generateTestbench(accumDesign()));
    expect(generateTestbench(accumDesign())).not.toBe(generateTestbench(wideDesign()));
  });
});

describe('fx_wide: multi-word fields, static inputs, plain outputs', () => {
  it('round-trips 100-, 70- and 40-bit fields (signed and unsigned) under stalls', async () => {
    const stim = wideStimulus(3, 1500);
    // Edge values: all ones, zero, most negative b, q = 0 (n = 0) and q = 1 (n = -1).
    const edges: [bigint, bigint, bigint][] = [
      [(1n << 100n) - 1n, -1n, (1n << 40n) - 1n],
      [0n, -32768n, 0n],
      [1n << 99n, 32767n, 1n],
    ];
    edges.forEach(([a, b, q], i) => {
      stim.in.set(i, 'a', a);
      stim.in.set(i, 'b', b);
      stim.in.set(i, 'q', q);
    });
    const r = await cosim(wideDesign(), wideGolden(200n), stim, {
      seed: 3,
      stall: 0.25,
      backpressure: 0.25,
      staticInputs: { k: 200n },
      runDir: runDir('wide'),
    });
    expect(r.ok, formatReport(r)).toBe(true);
    expect(r.transactions.out).toBe(1500);
    expect(r.plainOutputs.count).toBe(1500n);
    // The raw output file holds exactly the golden records.
    const got = await readTable(path.join(r.runDir, 'out.out.bin'), WIDE_OUT);
    const want = wideGolden(200n)(stim).out;
    expect(got.count).toBe(1500);
    expect(Array.from(got.words)).toEqual(Array.from(want.words));
    expect(got.get(1, 'n')).toBe(0n);
    expect(got.get(2, 'n')).toBe(-1n);
    expect(got.get(0, 'y')).toBe(BigInt.asUintN(100, (1n << 100n) - 1n - 1n + 200n));
  });

  it('a wrong static input shows as a mismatch', async () => {
    const r = await cosim(wideDesign(), wideGolden(1n), wideStimulus(4, 50), { seed: 4, staticInputs: { k: 2 }, runDir: runDir('wide-k') });
    expect(r.ok).toBe(false);
    expect(r.mismatch).toMatchObject({ kind: 'value', stream: 'out', index: 0, field: 'y' });
    expect(r.mismatch!.got! - r.mismatch!.expected!).toBe(1n);
  });

  it('reports the first differing lane of a packed field', async () => {
    const stim = wideStimulus(5, 40);
    const golden = (inputs: Record<string, TxnTable>): Record<string, TxnTable> => {
      const out = wideGolden(0n)(inputs).out;
      // Corrupt lane 2 (bits 50..74) of record 7's y in the "golden" model.
      out.set(7, 'y', out.get(7, 'y') ^ (1n << 60n));
      return { out };
    };
    const r = await cosim(wideDesign(), golden, stim, { seed: 5, laneWidths: { 'out.y': 25 }, runDir: runDir('lanes') });
    expect(r.ok).toBe(false);
    const m = r.mismatch!;
    expect(m).toMatchObject({ kind: 'value', stream: 'out', index: 7, field: 'y', lane: 2, laneWidth: 25, differing: 1 });
    expect(m.expectedLane! ^ m.gotLane!).toBe(1n << 10n);
    expect(m.message).toContain('lane 2 (25-bit lanes)');
  });

  it('reports extra output transactions', async () => {
    const golden = (inputs: Record<string, TxnTable>): Record<string, TxnTable> => {
      const full = wideGolden(0n)(inputs).out;
      return { out: new TxnTable(WIDE_OUT, 3, full.words.slice(0, 3 * full.stride)) };
    };
    const r = await cosim(wideDesign(), golden, wideStimulus(6, 10), { seed: 6, runDir: runDir('extra') });
    expect(r.ok).toBe(false);
    expect(r.status).toBe('extra');
    expect(r.mismatch).toMatchObject({ kind: 'extra', stream: 'out', index: 3, expectedCount: 3 });
    expect(r.mismatch!.gotCount).toBeGreaterThan(3);
    expect(r.mismatch!.message).toContain('got more than the 3 expected transactions');
  });

  it('rejects a static value for a port that is not a plain input', async () => {
    await expect(cosim(wideDesign(), wideGolden(0n), wideStimulus(1, 2), { staticInputs: { in_q: 1 } })).rejects.toThrow(
      /no plain input port 'in_q'/,
    );
    await expect(cosim(wideDesign(), wideGolden(0n), wideStimulus(1, 2), { staticInputs: { k: 256 } })).rejects.toThrow(/does not fit 8 bits/);
  });
});

describe('modules without clock, reset or streams', () => {
  it('runs a combinational module and reports its plain outputs', async () => {
    const d = {
      top: 'fx_comb',
      files: [path.join(FIXTURE_DIR, 'fx_comb.v')],
      clock: 'clock',
      reset: 'reset',
      ports: [
        { name: 'a', dir: 'input' as const, width: 8, signed: false },
        { name: 'b', dir: 'input' as const, width: 8, signed: false },
        { name: 's', dir: 'output' as const, width: 9, signed: false },
      ],
      streams: [],
    };
    const r = await cosim(d, () => ({}), {}, { staticInputs: { a: 200, b: 0xff } });
    expect(r.ok, formatReport(r)).toBe(true);
    expect(r.plainOutputs).toEqual({ s: 455n });
  });
});

describe('traces and re-runs', () => {
  it('writes a VCD limited to the requested window', async () => {
    const r = await cosim(accumDesign(), accumGolden, accumStimulus(6, 300), {
      seed: 6,
      stall: 0.2,
      trace: 'vcd',
      traceWindow: [10, 20],
      runDir: runDir('vcd'),
    });
    expect(r.ok, formatReport(r)).toBe(true);
    expect(r.traceFile).toBe(path.join(r.runDir, 'wave.vcd'));
    const vcd = await fs.readFile(r.traceFile!, 'utf8');
    expect(vcd).toMatch(/\$var wire\s+32 \S+ out_sum/);
    const times = [...vcd.matchAll(/^#(\d+)$/gm)].map((m) => Number(m[1]));
    // Cycle c (after 5 reset cycles) is dumped at times 10*(c+5) and 10*(c+5)+5.
    expect(Math.min(...times)).toBe(150);
    expect(Math.max(...times)).toBe(255);
  }, 180_000);

  it('rerunWithTrace re-runs a passing run (whose dir was removed) with an FST waveform', async () => {
    const r = await cosim(accumDesign(), accumGolden, accumStimulus(7, 200), { seed: 7, backpressure: 0.3 });
    expect(r.ok).toBe(true);
    expect(r.runDirKept).toBe(false);
    expect(existsSync(r.runDir)).toBe(false);
    expect(traceWindowFor(r)).toBeUndefined();
    const t = await rerunWithTrace(r);
    expect(t.ok).toBe(true);
    expect(t.cycles).toBe(r.cycles);
    expect(t.traceFile).toMatch(/wave\.fst$/);
    const head = await fs.readFile(t.traceFile!);
    expect(head.byteLength).toBeGreaterThan(100);
    await fs.rm(t.runDir, { recursive: true, force: true });
  }, 180_000);

  it('rerunFromDir repeats a saved run exactly', async () => {
    const r = await cosim(accumDesign(), accumGolden, accumStimulus(8, 400), { seed: 8, stall: 0.3, backpressure: 0.3, runDir: runDir('saved') });
    const again = await rerunFromDir(r.runDir);
    expect(again.ok).toBe(true);
    expect(again.cycles).toBe(r.cycles);
    expect(again.seed).toBe(8);
    expect(again.stall).toBe(0.3);
  });

  it('formats reports as text and JSON', async () => {
    const r = await cosim(accumDesign(), accumGolden, accumStimulus(1, 50), { seed: 1 });
    expect(formatReport(r)).toMatch(/^cosim fx_accum \(verilator, seed 1, no stalls\): PASS/);
    const j = JSON.parse(reportToJSON(r));
    expect(j.transactions.in).toBe(50);
  });
});

describe('input checking', () => {
  it('lists every problem of an inconsistent design description', () => {
    const d = accumDesign();
    d.ports = d.ports.filter((p) => p.name !== 'in_ready').map((p) => (p.name === 'out_sum' ? { ...p, width: 16 } : p));
    d.streams.push({ name: 'bad', dir: 'out', fields: [{ name: 'v', width: 8, signed: false }] });
    let err: unknown;
    try {
      generateTestbench(d);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DesignError);
    const msg = (err as Error).message;
    expect(msg).toContain(`port 'in_ready'`);
    expect(msg).toContain(`port 'out_sum' is 32 bits wide, the port list says 16`);
    expect(msg).toContain(`port 'bad_valid'`);
    expect(msg).toContain(`port 'bad_v'`);
  });

  it('rejects stimulus that does not match the streams', async () => {
    const wrong = { in: randomTable([{ name: 'x', width: 8, signed: true }], 3, new Rng(1)) };
    await expect(cosim(accumDesign(), accumGolden, wrong)).rejects.toThrow(/stream 'in' has fields \[x:s8\] but the design's stream has \[x:s16, last:u1\]/);
    await expect(cosim(accumDesign(), accumGolden, {})).rejects.toThrow(/no transactions for input stream 'in'/);
    await expect(cosim(accumDesign(), accumGolden, accumStimulus(1, 3), { stall: 1 })).rejects.toThrow(/stall must be a probability/);
  });

  it('rejects golden output that does not match the streams', async () => {
    await expect(cosim(accumDesign(), () => ({}), accumStimulus(1, 3))).rejects.toThrow(/golden model output: no transactions for output stream 'out'/);
  });

  it('surfaces Verilator errors of a broken design', async () => {
    const bad = path.join(tmp, 'fx_broken.v');
    await fs.writeFile(bad, 'module fx_broken(input clock, input reset, output x);\n  assign x = undefined_signal;\nendmodule\n');
    const d = {
      top: 'fx_broken',
      files: [bad],
      clock: 'clock',
      reset: 'reset',
      ports: [
        { name: 'clock', dir: 'input' as const, width: 1, signed: false },
        { name: 'reset', dir: 'input' as const, width: 1, signed: false },
        { name: 'x', dir: 'output' as const, width: 1, signed: false },
      ],
      streams: [],
    };
    await expect(cosim(d, () => ({}), {}, { cacheDir: path.join(tmp, 'cache-broken') })).rejects.toThrow(/undefined_signal/);
  });
});

describe('stimulus files', () => {
  it('writes the TxnTable layout verbatim', async () => {
    const stim = accumStimulus(2, 10);
    const files = await writeStimulus(runDir('files'), accumDesign(), stim);
    expect(files.in).toMatchObject({ count: 10, stride: 2 });
    const bytes = await fs.readFile(files.in.path);
    expect(bytes.byteLength).toBe(10 * 2 * 4);
    expect(bytes.readUInt32LE(0)).toBe(stim.in.words[0]);
    const back = await readTable(files.in.path, ACCUM_IN);
    expect(back.rows()).toEqual(stim.in.rows());
  });
});

describe('rng', () => {
  it('is deterministic and seed-sensitive', () => {
    const a = new Rng(1);
    const b = new Rng(1);
    const c = new Rng(2);
    const sa = Array.from({ length: 5 }, () => a.u32());
    expect(sa).toEqual(Array.from({ length: 5 }, () => b.u32()));
    expect(sa).not.toEqual(Array.from({ length: 5 }, () => c.u32()));
    expect(new Rng(1n << 40n).u32()).not.toBe(new Rng(0).u32());
  });

  it('stays in range', () => {
    const r = new Rng(3);
    for (let i = 0; i < 1000; i++) {
      const x = r.int(-3, 4);
      expect(x).toBeGreaterThanOrEqual(-3);
      expect(x).toBeLessThanOrEqual(4);
      const v = r.fieldValue(12, true);
      expect(v >= -2048n && v < 2048n).toBe(true);
      const w = r.bigint(-(1n << 70n), 5n);
      expect(w >= -(1n << 70n) && w <= 5n).toBe(true);
      const f = r.float();
      expect(f >= 0 && f < 1).toBe(true);
    }
    const t = randomTable([{ name: 'a', width: 33, signed: false }, { name: 'b', width: 7, signed: true }], 100, r);
    for (let i = 0; i < 100; i++) {
      expect(t.words[i * 3 + 1]).toBeLessThan(2);
      expect(t.words[i * 3 + 2]).toBeLessThan(128);
    }
  });
});
