/**
 * Helpers for float operator tests that put an fp16 and a bf16 instance of one operator side by
 * side in one module (one Verilator build checks both): y = {bf16 result, fp16 result}.
 */
import { Bool, ModuleBuilder, UInt, cat, type Expr } from '../../hdl/index.ts';
import { BF16, FP16, type FloatFormat } from '../../hdl/lib/float/format.ts';
import { fpToNumber } from '../../hdl/lib/float/golden/index.ts';
import { opModule } from './op-harness.ts';
import type { FloatOpOptions, FloatOpResult } from '../../hdl/lib/float/op.ts';

export function allPairs(vals: number[]): [number[], number[]] {
  const a: number[] = [];
  const b: number[] = [];
  for (const x of vals) for (const y of vals) { a.push(x); b.push(y); }
  return [a, b];
}

/** Whether the exact value lies exactly halfway between the rounded result `g` and a neighbour. */
export function isTie(f: FloatFormat, exact: number, g: number): boolean {
  const gv = fpToNumber(f, g);
  if (!Number.isFinite(gv) || !Number.isFinite(exact) || exact === gv) return false;
  const away = Math.abs(exact) > Math.abs(gv);
  if ((g & 0x7fff) === 0 && !away) return false;
  const nv = fpToNumber(f, away ? g + 1 : g - 1);
  if (!Number.isFinite(nv)) return false;
  return Math.abs(exact - gv) === Math.abs(nv - gv) / 2;
}

export function concat(...parts: [ArrayLike<number>, ArrayLike<number>][]): [Uint32Array, Uint32Array] {
  const n = parts.reduce((s, p) => s + p[0].length, 0);
  const a = new Uint32Array(n);
  const b = new Uint32Array(n);
  let o = 0;
  for (const [x, y] of parts) { a.set(x, o); b.set(y, o); o += x.length; }
  return [a, b];
}

/** `n` registers after `e`, loading with `en` (balances two operators' latencies). */
export function delay(m: ModuleBuilder, name: string, e: Expr, n: number, en: Expr): Expr {
  for (let k = 0; k < n; k++) {
    const r = m.reg(`${name}_d${k}`, e.type);
    const prev = e;
    m.when(en, () => r.set(prev));
    e = r;
  }
  return e;
}

type BinaryOp = (m: ModuleBuilder, name: string, fmt: FloatFormat, a: Expr, b: Expr, opts: FloatOpOptions) => FloatOpResult;

/** The test module `<prefix>_h<s16>_b<s8>`, instances `<opName>_fp16` / `<opName>_bf16`: `op` in fp16 (stages s16) and bf16 (stages s8), latencies balanced. */
export function dualFormatTop(prefix: string, opName: string, op: BinaryOp, s16: number, s8: number) {
  return opModule(`${prefix}_h${s16}_b${s8}`, 16, (m, a, b, en) => {
    const h = op(m, `${opName}_fp16`, FP16, a, b, { stages: s16, enable: en });
    const bf = op(m, `${opName}_bf16`, BF16, a, b, { stages: s8, enable: en });
    const lat = Math.max(h.latency, bf.latency);
    return { result: cat(delay(m, 'bf16_y', bf.result, lat - bf.latency, en), delay(m, 'fp16_y', h.result, lat - h.latency, en)), latency: lat };
  });
}

/** The expected {bf16, fp16} word of `golden` on one operand pair. */
export function dualFormatGolden(golden: (f: FloatFormat, a: number, b: number) => number) {
  return (x: number, y: number) => ((golden(BF16, x, y) << 16) | golden(FP16, x, y)) >>> 0;
}

/** One module holding `op` at every stages setting 0..maxStages(f) of both formats (for a single lint run). */
export function allStagesModule(name: string, opName: string, op: BinaryOp, maxStages: (f: FloatFormat) => number) {
  const m = new ModuleBuilder(name);
  const a = m.input('a', UInt(16));
  const b = m.input('b', UInt(16));
  const en = m.input('en', Bool);
  const ys: Expr[] = [];
  for (const f of [FP16, BF16]) {
    for (let s = 0; s <= maxStages(f); s++) ys.push(op(m, `${opName}_${f.name}_s${s}`, f, a, b, { stages: s, enable: en }).result);
  }
  m.output('y', UInt(16 * ys.length)).set(cat(...ys));
  return m.build();
}
