/**
 * Test harness for float operators: wraps an operator builder in a stream module
 * (in: {a, b}, out: {y}) with a valid pipeline beside the operator's `latency` registers, and runs
 * it through the Verilator harness against a TS golden function on bit patterns.
 */
import { mkdtempSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { expect } from 'vitest';
import { Bool, ModuleBuilder, UInt, type Expr, type Module } from '../../hdl/index.ts';
import { fire, streamIn, streamOut } from '../../hdl/lib/index.ts';
import { designFromModule } from '../../hdl/ports/from-module.ts';
import { cosim, formatReport, type CosimReport } from '../../cosim/cosim.ts';
import { TxnTable } from '../../data/transactions.ts';

/** What an operator builder returns: its result (any width) and its latency in cycles. */
export interface OpResult {
  result: Expr;
  latency: number;
}

/**
 * An operator under test: `build(m, a, b, enable)` creates the logic; registers it adds must load
 * only when `enable` is high (the whole pipeline stalls together).
 */
export type OpBuilder = (m: ModuleBuilder, a: Expr, b: Expr, enable: Expr) => OpResult;

export function opModule(name: string, inWidth: number, build: OpBuilder): Module {
  return pipeModule(name, { a: UInt(inWidth), b: UInt(inWidth) }, (m, i, en) => {
    const r = build(m, i.a, i.b, en);
    return { result: r.result.signed ? r.result.asUInt() : r.result, latency: r.latency };
  });
}

/**
 * A stream wrapper of any operator: in {fields} -> op (its `latency` registers load on `en`) ->
 * out {y} (the result's type), with a valid pipeline beside the operator's registers plus one
 * output register; the whole pipeline stalls together.
 */
export function pipeModule(name: string, fields: Record<string, ReturnType<typeof UInt>>, build: (m: ModuleBuilder, ins: Record<string, Expr>, en: Expr) => OpResult): Module {
  const m = new ModuleBuilder(name);
  const inp = streamIn(m, 'in', fields);
  const en = m.wire('en', Bool);
  const r = build(m, inp.bits as Record<string, Expr>, en);
  const out = streamOut(m, 'out', { y: r.result.type });
  en.set(out.valid.not().or(out.ready));
  inp.ready.set(en);
  let v: Expr = fire(inp);
  for (let k = 0; k < r.latency; k++) {
    const s = m.reg(`v${k}`, Bool, { reset: 0 });
    const prev = v;
    m.when(en, () => s.set(prev));
    v = s;
  }
  const ov = m.reg('ov', Bool, { reset: 0 });
  const oy = m.reg('oy', r.result.type);
  m.when(en, () => {
    ov.set(v);
    oy.set(r.result);
  });
  out.valid.set(ov);
  out.bits.y.set(oy);
  return m.build();
}

/** Runs `a[i] op b[i]` for all i through Verilator and compares with `golden` (bit patterns). */
export async function checkOp(
  top: Module,
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  outWidth: number,
  golden: (a: number, b: number) => number,
  opts: { seed?: number; stall?: number; same?: (got: number, want: number) => boolean } = {},
): Promise<CosimReport> {
  const inW = top.ports.find((p) => p.name === 'in_a')!.type.width;
  const n = a.length;
  const stim = new TxnTable([{ name: 'a', width: inW, signed: false }, { name: 'b', width: inW, signed: false }], n);
  for (let i = 0; i < n; i++) {
    stim.words[i * 2] = a[i] >>> 0;
    stim.words[i * 2 + 1] = b[i] >>> 0;
  }
  const want = new TxnTable([{ name: 'y', width: outWidth, signed: false }], n);
  for (let i = 0; i < n; i++) want.words[i] = golden(a[i], b[i]) >>> 0;
  const dut = designFromModule(top, mkdtempSync(path.join(os.tmpdir(), `kvhdl-${top.name}-`)));
  const seed = opts.seed ?? 1;
  const stall = opts.stall ?? 0.1;
  if (!opts.same) {
    const r = await cosim(dut, () => ({ out: want }), { in: stim }, { seed, stall, backpressure: stall });
    expect(r.ok, formatReport(r)).toBe(true);
    return r;
  }
  // With an equivalence (e.g. any NaN equals any NaN): compare the outputs ourselves.
  const r = await cosim(dut, () => ({ out: want }), { in: stim }, { seed, stall, backpressure: stall, keepRunDir: true });
  const { readOutputs } = await import('../../cosim/stimulus-files.ts');
  const got = (await readOutputs(r.runDir, dut)).out;
  expect(got.count).toBe(n);
  for (let i = 0; i < n; i++) {
    const g = got.words[i];
    const w = want.words[i];
    if (g !== w && !opts.same(g, w)) {
      throw new Error(`${top.name}: a=0x${(a[i] >>> 0).toString(16)} b=0x${(b[i] >>> 0).toString(16)}: expected 0x${w.toString(16)}, got 0x${g.toString(16)}`);
    }
  }
  return r;
}
