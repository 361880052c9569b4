/**
 * fp16 golden models (hdl/lib/float/golden/) against NumPy float16, bit for bit (NaN results by
 * NaN-ness): every unary operation exhaustively over all 65,536 patterns, the binary operations on
 * all pairs of a special-value set and on 1M seeded random pairs. NumPy float16 arithmetic rounds
 * the float32 result of the exactly representable operands, which is the correctly rounded binary16
 * result for +, −, ×, ÷ (2·11 + 2 ≤ 24), so NumPy is a correctly rounded oracle.
 * NumPy is required (Debian: python3-numpy): without it these tests fail, they never skip.
 * `npm run regress` adds all pairs of (every pattern) × (1,024 structured patterns).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { specialValues } from './values.ts';
import { canonicalNaN, FP16, type FloatFormat } from '../../hdl/lib/float/format.ts';
import {
  fpAdd, fpDiv, fpEq, fpFromNumber, fpFromUInt, fpIsNaN, fpLe, fpLt, fpMul, fpRoundEven, fpSub, fpToNumber, fpToUIntSat,
} from '../../hdl/lib/float/golden/index.ts';
import { Rng } from '../../data/rng.ts';
import { needTools } from '../helpers/tools.ts';

needTools('numpy');

const SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'numpy', 'fp16_ops.py');
const H = (x: number) => `0x${x.toString(16).padStart(4, '0')}`;

let workDir = '';

let numpyChecked: Promise<void> | undefined;
/** Every test goes through here: without NumPy each one fails with a one-line message (no skips). */
function requireNumpy(): Promise<void> {
  numpyChecked ??= execa('python3', ['-c', 'import numpy'], { reject: false, timeout: 60_000 }).then((r) => {
    if (r.failed || r.exitCode !== 0) {
      throw new Error('kvhdl: the float16 golden tests need NumPy as their oracle: install python3-numpy (apt-get install python3-numpy)');
    }
  });
  return numpyChecked;
}

let seq = 0;
/** Writes the inputs into a fresh directory, runs `fp16_ops.py mode dir`, returns a reader. */
async function numpy(mode: string, inputs: Record<string, ArrayBufferView>): Promise<(name: string) => Buffer> {
  await requireNumpy();
  if (!workDir) workDir = mkdtempSync(path.join(os.tmpdir(), 'kvhdl-golden-fp16-'));
  const dir = path.join(workDir, `${mode}-${seq++}`);
  mkdirSync(dir);
  for (const [name, data] of Object.entries(inputs)) writeFileSync(path.join(dir, name), new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  await execa('python3', [SCRIPT, mode, dir], { timeout: 600_000 });
  return (name) => readFileSync(path.join(dir, name));
}

const u16 = (b: Buffer) => new Uint16Array(b.buffer, b.byteOffset, b.byteLength / 2);
const f64 = (b: Buffer) => new Float64Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));


/** Pairs: all pairs of the special set, then `n` seeded random pairs (uniform, near-cancelling, tiny). */
function testPairs(f: FloatFormat, n: number, seed: number): { a: Uint16Array; b: Uint16Array } {
  const sp = specialValues(f);
  const total = sp.length * sp.length + n;
  const a = new Uint16Array(total);
  const b = new Uint16Array(total);
  let k = 0;
  for (const x of sp) for (const y of sp) { a[k] = x; b[k] = y; k++; }
  const r = new Rng(seed);
  const sm = 1 << (f.width - 1);
  const subTop = (3 << f.man) - 1; // subnormals and the two lowest binades
  while (k < total) {
    const mode = r.u32() & 3;
    const x = r.u32() & 0xffff;
    let y: number;
    if (mode <= 1) y = r.u32() & 0xffff;
    else if (mode === 2) y = ((x & (sm - 1)) + r.int(-40, 40)) & (sm - 1) | (r.u32() & sm); // close magnitudes
    else { a[k] = r.int(0, subTop) | (r.u32() & sm); b[k] = r.int(0, subTop) | (r.u32() & sm); k++; continue; }
    a[k] = x; b[k] = y; k++;
  }
  return { a, b };
}

type Bin = (f: FloatFormat, a: number, b: number) => number;
const BIN: [string, Bin][] = [['add', fpAdd], ['sub', fpSub], ['mul', fpMul], ['div', fpDiv]];

/** Compares golden `op` with NumPy's results; returns up to 8 mismatch descriptions. */
function diffBinary(name: string, op: Bin, a: Uint16Array, b: Uint16Array, want: Uint16Array): string[] {
  const bad: string[] = [];
  const nan = canonicalNaN(FP16);
  for (let i = 0; i < a.length && bad.length < 8; i++) {
    const got = op(FP16, a[i], b[i]);
    const w = want[i];
    const ok = fpIsNaN(FP16, w) ? got === nan : got === w;
    if (!ok) bad.push(`${name}(${H(a[i])}, ${H(b[i])}): numpy ${H(w)}, golden ${H(got)}`);
  }
  return bad;
}

async function checkBinary(a: Uint16Array, b: Uint16Array): Promise<void> {
  const out = await numpy('binary', { 'a.u16': a, 'b.u16': b });
  const bad: string[] = [];
  for (const [name, op] of BIN) bad.push(...diffBinary(name, op, a, b, u16(out(`${name}.u16`))));
  const cmps: [string, (f: FloatFormat, a: number, b: number) => boolean][] = [['lt', fpLt], ['le', fpLe], ['eq', fpEq]];
  for (const [name, op] of cmps) {
    const want = out(`${name}.u8`);
    for (let i = 0, n = 0; i < a.length && n < 8; i++) {
      if (op(FP16, a[i], b[i]) !== (want[i] === 1)) { bad.push(`${name}(${H(a[i])}, ${H(b[i])}): numpy ${want[i]}`); n++; }
    }
  }
  expect(bad, bad.join('\n')).toEqual([]);
}

afterAll(() => {
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

const ALL = Uint16Array.from({ length: 65536 }, (_, i) => i);

describe('fp16 golden models against NumPy float16', () => {
  it('rint, exact value and saturating unsigned rounding: all 65,536 patterns', async () => {
    const out = await numpy('unary', { 'a.u16': ALL });
    const rint = u16(out('rint.u16'));
    const val = f64(out('f64.f64'));
    const bad: string[] = [];
    for (let x = 0; x < 65536 && bad.length < 8; x++) {
      const got = fpRoundEven(FP16, x);
      if (fpIsNaN(FP16, rint[x]) ? got !== canonicalNaN(FP16) : got !== rint[x]) bad.push(`rint(${H(x)}): numpy ${H(rint[x])}, golden ${H(got)}`);
      const v = fpToNumber(FP16, x);
      if (!Object.is(v, val[x])) bad.push(`toNumber(${H(x)}): numpy ${val[x]}, golden ${v}`);
    }
    for (const bits of [2, 4, 8, 16]) {
      const want = f64(out(`uint${bits}.f64`));
      for (let x = 0; x < 65536 && bad.length < 8; x++) {
        const got = fpToUIntSat(FP16, x, bits);
        if (got !== want[x]) bad.push(`toUIntSat(${H(x)}, ${bits}): numpy ${want[x]}, golden ${got}`);
      }
    }
    expect(bad, bad.join('\n')).toEqual([]);
  });

  it('fromNumber: every value, every midpoint and its neighbours, 200k random doubles, one rounding from the double', async () => {
    const xs: number[] = [0, -0, Infinity, -Infinity, NaN, 5e-324, -5e-324, 1e300, -1e300, 65504, 65519.99, 65520, 2 ** -25, 2 ** -25 * (1 + 2 ** -52), 2 ** -26,
      1 + 2 ** -11 + 2 ** -40, // float32 would round this to the tie 1 + 2^-11 (then to 1); correct: 1 + 2^-10
    ];
    for (let x = 0; x < 0x7c00; x++) {
      const v = fpToNumber(FP16, x);
      const mid = (v + fpToNumber(FP16, x + 1)) / 2; // exact in double (x + 1 = 0x7c00 gives +inf: skip)
      xs.push(v);
      if (x + 1 < 0x7c00) xs.push(mid, mid * (1 + 2 ** -52), mid * (1 - 2 ** -53));
    }
    xs.push((65504 + 65536) / 2, ((65504 + 65536) / 2) * (1 - 2 ** -53));
    const r = new Rng(11);
    for (let i = 0; i < 200_000; i++) {
      const m = 1 + r.float();
      xs.push(m * 2 ** r.int(-30, 17));
    }
    const n = xs.length;
    const x = new Float64Array(2 * n);
    for (let i = 0; i < n; i++) { x[i] = xs[i]; x[n + i] = -xs[i]; }
    const out = await numpy('fromf64', { 'x.f64': x });
    const want = u16(out('h.u16'));
    const bad: string[] = [];
    for (let i = 0; i < x.length && bad.length < 8; i++) {
      const got = fpFromNumber(FP16, x[i]);
      if (fpIsNaN(FP16, want[i]) ? got !== canonicalNaN(FP16) : got !== want[i]) bad.push(`fromNumber(${x[i]}): numpy ${H(want[i])}, golden ${H(got)}`);
    }
    expect(bad, bad.join('\n')).toEqual([]);
    expect(fpFromNumber(FP16, 1 + 2 ** -11 + 2 ** -40)).toBe(0x3c01);
  });

  it('fromUInt: 0..2^17 and 20k random integers up to 2^40 (number and bigint)', async () => {
    const r = new Rng(12);
    const ns: number[] = Array.from({ length: 1 << 17 }, (_, i) => i);
    for (let i = 0; i < 20_000; i++) ns.push(r.int(0, 2 ** r.int(17, 40)));
    const out = await numpy('fromint', { 'n.i64': BigInt64Array.from(ns, (v) => BigInt(v)) });
    const want = u16(out('h.u16'));
    const bad: string[] = [];
    for (let i = 0; i < ns.length && bad.length < 8; i++) {
      const got = fpFromUInt(FP16, ns[i]);
      if (got !== want[i] || fpFromUInt(FP16, BigInt(ns[i])) !== want[i]) bad.push(`fromUInt(${ns[i]}): numpy ${H(want[i])}, golden ${H(got)}`);
    }
    expect(bad, bad.join('\n')).toEqual([]);
    expect(fpFromUInt(FP16, 1n << 200n)).toBe(0x7c00);
  });

  it('add, sub, mul, div, lt, le, eq: all pairs of the special values and 1M random pairs', async () => {
    const { a, b } = testPairs(FP16, 1_000_000, 2026);
    await checkBinary(a, b);
  });

  if (process.env.KVHDL_REGRESS) {
    it('regress: every pattern × 1,024 structured patterns (all exponents, both signs, edge mantissas)', async () => {
      const r = new Rng(99);
      const mans = [0, 1, 2, 3, 0x1ff, 0x200, 0x201, 0x3fc, 0x3fd, 0x3fe, 0x3ff];
      while (mans.length < 16) mans.push(r.int(4, 0x3fb));
      const bs: number[] = [];
      for (let s = 0; s < 2; s++) for (let e = 0; e < 32; e++) for (const m of mans) bs.push((s << 15) | (e << 10) | m);
      for (let c = 0; c < bs.length; c += 64) {
        const chunk = bs.slice(c, c + 64);
        const a = new Uint16Array(65536 * chunk.length);
        const b = new Uint16Array(a.length);
        let k = 0;
        for (const y of chunk) for (let x = 0; x < 65536; x++) { a[k] = x; b[k] = y; k++; }
        await checkBinary(a, b);
      }
    }, 1_800_000);
  }
});
