// The Verilator testbench's memory model (cosim/README.md, "Memories"): in-order answers after a
// random latency, backpressure on both ports, several outstanding requests, out-of-range addresses.
import { mkdtempSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Bool, ModuleBuilder, UInt, type Module } from '../../hdl/index.ts';
import { fifo, streamIn, streamOut } from '../../hdl/lib/index.ts';
import { cosim, formatReport, rerunFromDir, type CosimOptions } from '../../cosim/cosim.ts';
import { designFromModule } from '../../hdl/ports/from-module.ts';
import { memoryImageFields, type DesignUnderTest, type MemorySpec } from '../../hdl/ports/design.ts';
import { Rng } from '../../data/rng.ts';
import { TxnTable } from '../../data/transactions.ts';
import { icarusRun } from '../../cosim/icarus/index.ts';
import { DesignError } from '../../cosim/verilator/design-check.ts';

const AW = 10;
const WW = 40; // two words per image record: exercises multi-word data (100 bits in one test: VlWide)

/**
 * A memory reader: every `in` address goes out as a read request (registered); the word comes back
 * on `mem_resp` into a 2-entry FIFO whose output is `out`. The FIFO's in_ready is mem_resp_ready,
 * so backpressure on `out` turns into response backpressure; requests run ahead of responses.
 */
function readerModule(WW: number): Module {
  const m = new ModuleBuilder(`kv_test_mem_reader_w${WW}`);
  const inp = streamIn(m, 'in', { addr: UInt(AW) });
  const req = streamOut(m, 'mem_req', { addr: UInt(AW) });
  const resp = streamIn(m, 'mem_resp', { data: UInt(WW) });
  const out = streamOut(m, 'out', { data: UInt(WW) });
  const rv = m.reg('req_v', Bool, { reset: 0 });
  const ra = m.reg('req_a', UInt(AW));
  const take = m.wire('take', rv.not().or(req.ready));
  inp.ready.set(take);
  m.when(take, () => {
    rv.set(inp.valid);
    ra.set(inp.bits.addr);
  });
  req.valid.set(rv);
  req.bits.addr.set(ra);
  const q = fifo(m, 'resp_q', resp, 2);
  out.valid.set(q.valid);
  out.bits.data.set(q.bits.data);
  q.ready.set(out.ready);
  return m.build();
}

const MEM: MemorySpec = { name: 'ram', request: 'mem_req', addressField: 'addr', response: 'mem_resp', dataField: 'data', wordWidth: WW };

function design(ww = WW): DesignUnderTest {
  return designFromModule(readerModule(ww), mkdtempSync(path.join(os.tmpdir(), 'kvhdl-mem-')), [{ ...MEM, wordWidth: ww }]);
}

function image(words: number, seed: number, ww = WW): TxnTable {
  const r = new Rng(seed);
  const t = new TxnTable(memoryImageFields({ ...MEM, wordWidth: ww }), words);
  for (let i = 0; i < words; i++) t.set(i, 'data', ((r.bits(ww - 8) << 8n) | BigInt(i & 0xff)) & ((1n << BigInt(ww)) - 1n));
  return t;
}

function addresses(n: number, words: number, seed: number, bad: number[] = []): TxnTable {
  const r = new Rng(seed);
  const t = new TxnTable([{ name: 'addr', width: AW, signed: false }], n);
  for (let i = 0; i < n; i++) t.set(i, 'addr', BigInt(bad.includes(i) ? words + i : r.int(0, words - 1)));
  return t;
}

// The golden model reads the image independently of the testbench.
const golden = (ins: Record<string, TxnTable>): Record<string, TxnTable> => {
  const img = ins.ram;
  const a = ins.in;
  const out = new TxnTable([{ name: 'data', width: img.fields[0].width, signed: false }], a.count);
  for (let i = 0; i < a.count; i++) {
    const k = Number(a.get(i, 'addr'));
    out.set(i, 'data', k < img.count ? img.get(k, 'data') : 0n);
  }
  return { out };
};

describe('memory model (Verilator)', () => {
  it('answers in order after random latencies, with stalls and backpressure on every port', async () => {
    const d = design();
    for (const [seed, opts] of [
      [1, { stall: 0.3, backpressure: 0.4, memLatency: [1, 8] }],
      [2, { stall: 0, backpressure: 0, memLatency: [1, 1] }],
      [3, { stall: 0.5, backpressure: 0.2, memLatency: [5, 30], memOutstanding: 3 }],
    ] as [number, CosimOptions][]) {
      const stim = { in: addresses(3000, 700, seed), ram: image(700, seed) };
      const r = await cosim(d, golden, stim, { seed, ...opts });
      expect(r.ok, formatReport(r)).toBe(true);
      expect(r.memories?.ram).toMatchObject({ words: 700, requests: 3000, responses: 3000 });
      // request/response streams are neither stimulus nor compared
      expect(Object.keys(r.transactions).sort()).toEqual(['in', 'out']);
      if (seed === 3) expect(r.memories!.ram.peakOutstanding).toBeLessThanOrEqual(3);
      if (seed === 1) expect(r.memories!.ram.peakOutstanding).toBeGreaterThan(1);
    }
  });

  it('carries words wider than 64 bits', async () => {
    const d = design(100);
    const stim = { in: addresses(800, 300, 8), ram: image(300, 8, 100) };
    const r = await cosim(d, golden, stim, { seed: 8, stall: 0.3, backpressure: 0.3, memLatency: [2, 9] });
    expect(r.ok, formatReport(r)).toBe(true);
    expect(r.memories?.ram.requests).toBe(800);
  });

  it('measures the latency: no stalls, fixed latency L gives one read per cycle once the pipe is full', async () => {
    const d = design();
    const stim = { in: addresses(500, 64, 9), ram: image(64, 9) };
    const r4 = await cosim(d, golden, stim, { memLatency: [4, 4] });
    const r20 = await cosim(d, golden, stim, { memLatency: [20, 20] });
    expect(r4.ok && r20.ok, formatReport(r4) + formatReport(r20)).toBe(true);
    expect(r4.throughput.cyclesPerTxn.out).toBeCloseTo(1, 5);
    expect(r20.latency! - r4.latency!).toBe(16);
  });

  it('reports an address outside the image as a protocol error', async () => {
    const d = design();
    const stim = { in: addresses(50, 32, 4, [7, 20]), ram: image(32, 4) };
    const r = await cosim(d, golden, stim, { seed: 4 });
    expect(r.ok).toBe(false);
    expect(r.protocolErrorCount).toBe(2);
    expect(r.protocolErrors[0]).toMatchObject({ stream: 'mem_req', kind: 'address-out-of-range', field: 'addr', before: 32n, after: 39n });
    expect(r.protocolErrors[0].message).toMatch(/read address 39 at cycle \d+ is outside the memory image \(32 words\)/);
  });

  it('catches a DUT that reads the wrong word (golden mismatch) and re-runs from the run directory', async () => {
    const d = design();
    const stim = { in: addresses(200, 50, 5), ram: image(50, 5) };
    const wrong = (ins: Record<string, TxnTable>) => {
      const g = golden(ins);
      g.out.set(13, 'data', g.out.get(13, 'data') ^ 1n);
      return g;
    };
    const r = await cosim(d, wrong, stim, { seed: 5, stall: 0.2, backpressure: 0.2 });
    expect(r.ok).toBe(false);
    expect(r.mismatch).toMatchObject({ kind: 'value', stream: 'out', index: 13 });
    const again = await rerunFromDir(r.runDir);
    expect(again.mismatch).toMatchObject({ stream: 'out', index: 13 });
    expect(again.memories?.ram.requests).toBe(200);
    await fs.rm(r.runDir, { recursive: true, force: true });
  });

  it('a hang report names the memory traffic', async () => {
    const d = design();
    const stim = { in: addresses(20, 16, 6), ram: image(16, 6) };
    const more = (ins: Record<string, TxnTable>) => {
      const g = golden(ins).out;
      const t = new TxnTable(g.fields, g.count + 1);
      t.words.set(g.words);
      return { out: t };
    };
    const r = await cosim(d, more, stim, { seed: 6, hangCycles: 200 });
    expect(r.status).toBe('hang');
    expect(r.hang?.message).toMatch(/out 20\/21\); memory 'ram': 20 requests, 20 answered$/);
  });

  it('checks the memory description and the image', async () => {
    const d = design();
    await expect(cosim(d, golden, { in: addresses(5, 8, 1) })).rejects.toThrow(/no image for memory 'ram'/);
    const badImg = new TxnTable([{ name: 'data', width: 8, signed: false }], 4);
    await expect(cosim(d, golden, { in: addresses(5, 8, 1), ram: badImg })).rejects.toThrow(/image of memory 'ram' has fields \[data:u8\], expected \[data:u40\]/);
    await expect(cosim(d, golden, { in: addresses(5, 8, 1), ram: image(8, 1) }, { memLatency: [0, 3] })).rejects.toThrow(/memLatency must be/);
    const bad = { ...d, memories: [{ ...MEM, wordWidth: 32, request: 'out' }] };
    await expect(cosim(bad, golden, { in: addresses(5, 8, 1), ram: image(8, 1) })).rejects.toThrow(DesignError);
    await expect(cosim(bad, golden, { in: addresses(5, 8, 1), ram: image(8, 1) })).rejects.toThrow(/request stream 'out' has no field 'addr'[\s\S]*is 40 bits, the word width is 32/);
  });

  it('Icarus: the same memory model (in-order answers, random latency, backpressure, out-of-range addresses)', async () => {
    const d = design();
    for (const seed of [1, 2]) {
      const stim = { in: addresses(300, 100, seed), ram: image(100, seed) };
      const iv = await icarusRun(d, stim, { seed, stall: 0.3, backpressure: 0.3, memLatency: [1, 10], memOutstanding: seed === 2 ? 3 : 64 });
      expect(iv.hang, iv.hang?.message).toBeUndefined();
      expect(iv.protocolErrors).toEqual([]);
      expect(iv.outputs.out.rows()).toEqual(golden(stim).out.rows());
      expect(iv.memories?.ram).toMatchObject({ requests: 300, responses: 300 });
      if (seed === 2) expect(iv.memories!.ram.peakOutstanding).toBeLessThanOrEqual(3);
    }
    const wide = design(100);
    const ws = { in: addresses(120, 40, 3), ram: image(40, 3, 100) };
    const iw = await icarusRun(wide, ws, { seed: 3, memLatency: [2, 5] });
    expect(iw.outputs.out.rows()).toEqual(golden(ws).out.rows());
    const bad = { in: addresses(30, 16, 4, [5]), ram: image(16, 4) };
    const ib = await icarusRun(d, bad, { seed: 4 });
    expect(ib.protocolErrors).toHaveLength(1);
    expect(ib.protocolErrors[0]).toMatch(/output stream 'mem_req': read address 21 is outside the memory image \(16 words\)/);
    await expect(icarusRun(d, { in: addresses(5, 8, 1) })).rejects.toThrow(/no image for memory 'ram'/);
  });
});
