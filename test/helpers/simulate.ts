/**
 * Runs a built module in Verilator (the harness, with stalls) and in Icarus (a subset), and
 * checks both against a golden model. Returns the Verilator report for further assertions.
 */
import { mkdtempSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { expect } from 'vitest';
import type { Module } from '../../hdl/index.ts';
import { designFromModule } from '../../hdl/ports/from-module.ts';
import { laneWidthsOf } from '../../cosim/lane-widths.ts';
import { cosim, formatReport, type CosimOptions, type CosimReport } from '../../cosim/cosim.ts';
import { icarusRun } from '../../cosim/icarus/index.ts';
import { TxnTable } from '../../data/transactions.ts';
import type { MemorySpec } from '../../hdl/ports/design.ts';

export type Golden = (inputs: Record<string, TxnTable>) => Record<string, TxnTable>;

function prefix(t: TxnTable, n: number): TxnTable {
  const k = Math.min(n, t.count);
  return new TxnTable(t.fields, k, t.words.slice(0, k * t.stride));
}

/**
 * `memories`: the design's memories (a unit's `memories(cfg)`); their images are in `stimulus`
 * (whole, also for the Icarus prefix) and both testbenches answer the requests.
 */
export async function simulateBoth(top: Module, golden: Golden, stimulus: Record<string, TxnTable>, opts: CosimOptions & { icarusTransactions?: number; memories?: MemorySpec[] } = {}): Promise<CosimReport> {
  const dir = mkdtempSync(path.join(os.tmpdir(), `kvhdl-${top.name}-`));
  const { memories, icarusTransactions: _n, ...cosimOpts } = opts;
  const dut = designFromModule(top, dir, memories);
  const report = await cosim(dut, golden, stimulus, { laneWidths: laneWidthsOf(top, dut.streams), ...cosimOpts });
  expect(report.ok, formatReport(report)).toBe(true);

  // Icarus on a prefix of every input stream: the outputs must equal the golden model's on that prefix.
  const n = opts.icarusTransactions ?? 300;
  if (n === 0) return report;
  const images = new Set((memories ?? []).map((m) => m.name));
  const sub = Object.fromEntries(Object.entries(stimulus).map(([k, t]) => [k, images.has(k) ? t : prefix(t, n)]));
  const iv = await icarusRun(dut, sub, {
    seed: opts.seed ?? 1, stall: opts.stall ?? 0.2, backpressure: opts.backpressure ?? 0.2, staticInputs: opts.staticInputs as Record<string, bigint> | undefined, maxTransactions: n,
    ...(opts.memLatency ? { memLatency: opts.memLatency } : {}),
  });
  expect(iv.hang, iv.hang?.message).toBeUndefined();
  expect(iv.protocolErrors).toEqual([]);
  const want = golden(sub);
  for (const [name, t] of Object.entries(want)) {
    expect(iv.outputs[name].rows(), `Icarus output stream '${name}'`).toEqual(t.rows());
  }
  return report;
}
