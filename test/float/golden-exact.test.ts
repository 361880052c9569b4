/**
 * bf16 (and fp16) golden models (hdl/lib/float/golden/) against an independent exact reference
 * written here: values as BigInt rationals (a finite pattern is m / 2^K with K = bias + man − 1),
 * exact sums, products and quotients, rounded to the format by bracketing the exact value between
 * two neighbouring patterns (binary search over the sorted table of all values) and picking the
 * nearer one by exact comparison, ties to the even pattern (+inf counts as the value 2^(emax+1),
 * so IEEE overflow falls out). Zeros, infinities and NaN operands go through JS doubles, whose
 * IEEE semantics for those cases are exact and the same.
 * NumPy has no bfloat16; for fp16 this reference also cross-checks the NumPy-verified models.
 * Unary operations are checked exhaustively; binary ones on all pairs of a special-value set
 * and 200k seeded random pairs per format (`npm run regress`: 2M more for bf16).
 */
import { describe, expect, it } from 'vitest';
import { specialValues } from './values.ts';
import { BF16, canonicalNaN, FP16, type FloatFormat } from '../../hdl/lib/float/format.ts';
import {
  fpAdd, fpDiv, fpEq, fpFromNumber, fpFromUInt, fpLe, fpLt, fpMax, fpMin, fpMul, fpRoundEven, fpSub, fpToNumber, fpToUIntSat,
  roundPack, roundPackBig,
} from '../../hdl/lib/float/golden/index.ts';
import { Rng } from '../../data/rng.ts';

const H = (x: number) => `0x${x.toString(16).padStart(4, '0')}`;

/** The reference for one format. */
class Exact {
  readonly K: bigint;
  readonly sm: number;
  readonly inf: number;
  /** vals[p] = value of the positive pattern p in units of 2^-K; vals[inf] = 2^(emax+1). */
  readonly vals: bigint[] = [];
  /** The double value of every pattern (NaN for NaNs). */
  readonly dbl = new Float64Array(65536);
  /** double value → positive pattern (finite values). */
  private readonly byValue = new Map<number, number>();

  constructor(readonly f: FloatFormat) {
    this.K = BigInt(f.bias + f.man - 1);
    this.sm = 1 << (f.width - 1);
    this.inf = ((1 << f.exp) - 1) << f.man;
    for (let p = 0; p <= this.inf; p++) {
      const e = p >> f.man;
      const frac = BigInt(p & ((1 << f.man) - 1));
      this.vals.push(e === 0 ? frac : (frac + (1n << BigInt(f.man))) << BigInt(e - 1));
    }
    const scale = 2 ** -Number(this.K);
    for (let p = 0; p < this.sm; p++) {
      const v = p < this.inf ? Number(this.vals[p]) * scale : p === this.inf ? Infinity : NaN;
      this.dbl[p] = v;
      this.dbl[p | this.sm] = -v;
      if (p < this.inf) this.byValue.set(v, p);
    }
  }

  isNaN(p: number): boolean {
    return Number.isNaN(this.dbl[p]);
  }

  /** The pattern of a double that is exactly a value of the format (or ±inf, NaN → canonical). */
  ofDouble(x: number): number {
    if (Number.isNaN(x)) return canonicalNaN(this.f);
    if (x === Infinity) return this.inf;
    if (x === -Infinity) return this.inf | this.sm;
    const p = this.byValue.get(Math.abs(x));
    if (p === undefined) throw new Error(`reference: ${x} is not a ${this.f.name} value`);
    return x < 0 || Object.is(x, -0) ? p | this.sm : p;
  }

  /** The signed numerator of a finite pattern's value over 2^K. */
  num(p: number): bigint {
    const v = this.vals[p & (this.sm - 1)];
    return p & this.sm ? -v : v;
  }

  /** num / den (den > 0, num ≠ 0) rounded to nearest, ties to the even pattern. */
  round(num: bigint, den: bigint): number {
    const neg = num < 0n;
    const target = (neg ? -num : num) << this.K; // compare vals[p] · den with target
    let lo = 0;
    let hi = this.inf; // invariant: vals[lo]·den ≤ target (vals[0] = 0), and we look for the largest such
    if (this.vals[hi] * den <= target) return neg ? this.inf | this.sm : this.inf;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (this.vals[mid] * den <= target) lo = mid;
      else hi = mid;
    }
    let p: number;
    const below = this.vals[lo] * den;
    if (below === target) p = lo;
    else {
      const twice = 2n * target;
      const mids = (this.vals[lo] + this.vals[hi]) * den;
      p = twice < mids ? lo : twice > mids ? hi : lo % 2 === 0 ? lo : hi;
    }
    return neg ? p | this.sm : p;
  }

  private special(a: number, b: number): boolean {
    const x = this.dbl[a];
    const y = this.dbl[b];
    return !Number.isFinite(x) || !Number.isFinite(y) || x === 0 || y === 0;
  }

  add(a: number, b: number): number {
    if (this.special(a, b)) return this.ofDouble(this.dbl[a] + this.dbl[b]);
    const s = this.num(a) + this.num(b);
    return s === 0n ? 0 : this.round(s, 1n << this.K);
  }

  sub(a: number, b: number): number {
    if (this.special(a, b)) return this.ofDouble(this.dbl[a] - this.dbl[b]);
    const s = this.num(a) - this.num(b);
    return s === 0n ? 0 : this.round(s, 1n << this.K);
  }

  mul(a: number, b: number): number {
    if (this.special(a, b)) return this.ofDouble(this.dbl[a] * this.dbl[b]);
    return this.round(this.num(a) * this.num(b), 1n << (2n * this.K));
  }

  div(a: number, b: number): number {
    if (this.special(a, b)) return this.ofDouble(this.dbl[a] / this.dbl[b]);
    const n = this.num(a);
    const d = this.num(b);
    return d < 0n ? this.round(-n, -d) : this.round(n, d);
  }

  /** Nearest integer (ties to even) of a finite pattern, as a bigint (sign separate). */
  rintMag(p: number): bigint {
    const n = this.vals[p & (this.sm - 1)];
    const one = 1n << this.K;
    const q = n >> this.K;
    const twiceRem = 2n * (n - (q << this.K));
    return twiceRem > one || (twiceRem === one && q % 2n === 1n) ? q + 1n : q;
  }

  rint(p: number): number {
    const x = this.dbl[p];
    if (!Number.isFinite(x)) return this.ofDouble(x);
    const q = this.rintMag(p);
    const neg = (p & this.sm) !== 0;
    if (q === 0n) return neg ? this.sm : 0;
    return this.round(neg ? -q : q, 1n);
  }

  toUIntSat(p: number, bits: number): number {
    const x = this.dbl[p];
    const max = 2 ** bits - 1;
    if (Number.isNaN(x) || x < 0 || Object.is(x, -0)) return 0;
    if (x === Infinity) return max;
    const q = this.rintMag(p);
    return q > BigInt(max) ? max : Number(q);
  }

  /** A double rounded once to the format: its exact rational value found by exact doublings. */
  fromNumber(x: number): number {
    if (!Number.isFinite(x) || x === 0) return this.ofDouble(x);
    let y = Math.abs(x);
    let e = 0;
    while (!Number.isInteger(y)) { y *= 2; e++; } // exact: y < 2^53 while not an integer
    const n = BigInt(y);
    return this.round(x < 0 ? -n : n, 1n << BigInt(e));
  }
}


/** All pairs of the special values, then n random pairs: uniform, close magnitudes, and tiny. */
function pairs(f: FloatFormat, n: number, seed: number): [number, number][] {
  const sp = specialValues(f);
  const out: [number, number][] = [];
  for (const x of sp) for (const y of sp) out.push([x, y]);
  const r = new Rng(seed);
  const sm = 1 << (f.width - 1);
  const subTop = (3 << f.man) - 1;
  for (let i = 0; i < n; i++) {
    const mode = r.u32() & 3;
    const x = r.u32() & 0xffff;
    if (mode <= 1) out.push([x, r.u32() & 0xffff]);
    else if (mode === 2) out.push([x, (((x & (sm - 1)) + r.int(-40, 40)) & (sm - 1)) | (r.u32() & sm)]);
    else out.push([r.int(0, subTop) | (r.u32() & sm), r.int(0, subTop) | (r.u32() & sm)]);
  }
  return out;
}

type Bin = (f: FloatFormat, a: number, b: number) => number;

function checkBinary(ref: Exact, ps: [number, number][]): void {
  const f = ref.f;
  const ops: [string, Bin, (a: number, b: number) => number][] = [
    ['add', fpAdd, (a, b) => ref.add(a, b)],
    ['sub', fpSub, (a, b) => ref.sub(a, b)],
    ['mul', fpMul, (a, b) => ref.mul(a, b)],
    ['div', fpDiv, (a, b) => ref.div(a, b)],
  ];
  const bad: string[] = [];
  const nan = canonicalNaN(f);
  for (const [name, op, want] of ops) {
    for (const [a, b] of ps) {
      const w = want(a, b);
      const g = op(f, a, b);
      if (g !== w && !(ref.isNaN(w) && g === nan)) {
        bad.push(`${f.name} ${name}(${H(a)}, ${H(b)}): reference ${H(w)}, golden ${H(g)}`);
        if (bad.length >= 8) break;
      }
    }
  }
  for (const [a, b] of ps) {
    const x = ref.dbl[a];
    const y = ref.dbl[b];
    const cmp = (name: string, g: boolean, w: boolean) => { if (g !== w && bad.length < 16) bad.push(`${f.name} ${name}(${H(a)}, ${H(b)}): ${g}`); };
    cmp('lt', fpLt(f, a, b), x < y);
    cmp('le', fpLe(f, a, b), x <= y);
    cmp('eq', fpEq(f, a, b), x === y);
    // min/max: canonical NaN if either is NaN; the second operand only if strictly smaller / larger
    const anyNaN = Number.isNaN(x) || Number.isNaN(y);
    const mn = anyNaN ? nan : y < x ? b : a;
    const mx = anyNaN ? nan : y > x ? b : a;
    if (fpMin(f, a, b) !== mn && bad.length < 16) bad.push(`${f.name} min(${H(a)}, ${H(b)}): want ${H(mn)}`);
    if (fpMax(f, a, b) !== mx && bad.length < 16) bad.push(`${f.name} max(${H(a)}, ${H(b)}): want ${H(mx)}`);
  }
  expect(bad, bad.join('\n')).toEqual([]);
}

describe.each([BF16, FP16])('$name golden models against the exact BigInt reference', (f) => {
  const ref = new Exact(f);

  it('the reference itself: known values', () => {
    const one = f.bias << f.man;
    expect(ref.dbl[one]).toBe(1);
    expect(ref.add(one, one)).toBe(one + (1 << f.man)); // 1 + 1 = 2
    expect(ref.dbl[ref.inf - 1]).toBe(f.name === 'bf16' ? 3.3895313892515355e38 : 65504);
    expect(ref.dbl[1]).toBe(f.name === 'bf16' ? 2 ** -133 : 2 ** -24);
    expect(ref.add(ref.inf - 1, ref.inf - 1)).toBe(ref.inf); // overflow
    expect(ref.mul(1, one - (1 << f.man))).toBe(0); // min subnormal / 2: tie to even (0)
    expect(ref.mul(3, one - (1 << f.man))).toBe(2); // 1.5 · min subnormal: tie to even (2)
    expect(ref.sub(one, one)).toBe(0); // +0
  });

  it('unary operations over all 65,536 patterns: rint, toUIntSat, toNumber, fromNumber of every value', () => {
    const bad: string[] = [];
    const nan = canonicalNaN(f);
    for (let p = 0; p < 65536 && bad.length < 8; p++) {
      const w = ref.rint(p);
      const g = fpRoundEven(f, p);
      if (g !== w && !(ref.isNaN(w) && g === nan)) bad.push(`rint(${H(p)}): reference ${H(w)}, golden ${H(g)}`);
      for (const bits of [1, 2, 4, 8, 16, 32]) {
        const gu = fpToUIntSat(f, p, bits);
        if (gu !== ref.toUIntSat(p, bits)) bad.push(`toUIntSat(${H(p)}, ${bits}): reference ${ref.toUIntSat(p, bits)}, golden ${gu}`);
      }
      const v = fpToNumber(f, p);
      if (!Object.is(v, ref.dbl[p])) bad.push(`toNumber(${H(p)}): reference ${ref.dbl[p]}, golden ${v}`);
      if (!ref.isNaN(p) && fpFromNumber(f, ref.dbl[p]) !== p) bad.push(`fromNumber(toNumber(${H(p)})) ≠ itself`);
    }
    if (f.name === 'bf16') {
      // bf16 is the top half of float32: the exact value is the float32 with 16 zero bits appended
      const f32 = new Float32Array(1);
      const u32 = new Uint32Array(f32.buffer);
      for (let p = 0; p < 65536 && bad.length < 8; p++) {
        u32[0] = p << 16;
        if (!Object.is(fpToNumber(f, p), f32[0]) && !Number.isNaN(f32[0])) bad.push(`toNumber(${H(p)}) ≠ float32 ${f32[0]}`);
      }
    }
    expect(bad, bad.join('\n')).toEqual([]);
  });

  it('fromNumber: every midpoint and its neighbours, 100k random doubles, double-rounding traps', () => {
    const xs: number[] = [5e-324, 1e300, 1e-300, Number.MAX_VALUE, 1 + 2 ** -(f.man + 1) + 2 ** -40];
    for (let p = 0; p + 1 < ref.inf; p++) {
      const mid = (ref.dbl[p] + ref.dbl[p + 1]) / 2;
      xs.push(mid, mid * (1 + 2 ** -52), mid * (1 - 2 ** -53));
    }
    const top = (ref.dbl[ref.inf - 1] + 2 ** (2 ** (f.exp - 1))) / 2; // overflow threshold
    xs.push(top, top * (1 - 2 ** -53));
    const r = new Rng(21);
    const lo = -f.bias - f.man - 3;
    for (let i = 0; i < 100_000; i++) xs.push((1 + r.float()) * 2 ** r.int(lo, f.bias + 2));
    const bad: string[] = [];
    const nan = canonicalNaN(f);
    for (const x0 of xs) {
      for (const x of [x0, -x0]) {
        const w = ref.fromNumber(x);
        const g = fpFromNumber(f, x);
        if (g !== w && !(ref.isNaN(w) && g === nan)) bad.push(`fromNumber(${x}): reference ${H(w)}, golden ${H(g)}`);
      }
      if (bad.length >= 8) break;
    }
    expect(fpFromNumber(f, NaN)).toBe(nan);
    expect(fpFromNumber(f, -0)).toBe(ref.sm);
    expect(fpFromNumber(f, -Infinity)).toBe(ref.inf | ref.sm);
    expect(fpFromNumber(f, 1 + 2 ** -(f.man + 1) + 2 ** -40)).toBe((f.bias << f.man) + 1); // not via float32
    if (f.name === 'bf16') {
      // float32 → bf16 by the usual integer trick: (bits + 0x7fff + lsb) >> 16 (non-NaN inputs)
      const f32 = new Float32Array(1);
      const u32 = new Uint32Array(f32.buffer);
      for (let i = 0; i < 300_000 && bad.length < 8; i++) {
        const bits = i < 65536 ? ((i << 16) | 0x8000) >>> 0 : r.u32(); // all ties, then random
        u32[0] = bits;
        if (Number.isNaN(f32[0])) continue;
        const w = (bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16;
        const g = fpFromNumber(f, f32[0]);
        if (g !== w) bad.push(`fromNumber(float32 0x${bits.toString(16)}): ${H(w)} expected, golden ${H(g)}`);
      }
    }
    expect(bad, bad.join('\n')).toEqual([]);
  });

  it('fromUInt: 0..2^16, random integers up to 2^60 (bigint), overflow', () => {
    const bad: string[] = [];
    const r = new Rng(31);
    const ns: bigint[] = [];
    for (let n = 0; n <= 65536; n++) ns.push(BigInt(n));
    for (let i = 0; i < 20_000; i++) ns.push(r.bits(r.int(17, 60)));
    ns.push(1n << 128n, (1n << 128n) - (1n << 103n), (1n << 128n) - (1n << 104n), 1n << 300n, 65519n, 65520n);
    for (const n of ns) {
      const w = n === 0n ? 0 : ref.round(n, 1n);
      const g = fpFromUInt(f, n);
      const gn = n <= BigInt(Number.MAX_SAFE_INTEGER) ? fpFromUInt(f, Number(n)) : g;
      if (g !== w || gn !== w) bad.push(`fromUInt(${n}): reference ${H(w)}, golden ${H(g)} / ${H(gn)}`);
      if (bad.length >= 8) break;
    }
    expect(bad, bad.join('\n')).toEqual([]);
  });

  it('add, sub, mul, div, lt, le, eq, min, max: all special pairs and 200k random pairs', () => {
    checkBinary(ref, pairs(f, 200_000, f.name === 'bf16' ? 1601 : 1602));
  });

  if (process.env.KVHDL_REGRESS && f.name === 'bf16') {
    it('regress: 2M more random bf16 pairs', () => {
      for (let s = 0; s < 10; s++) checkBinary(ref, pairs(f, 200_000, 5000 + s));
    }, 1_800_000);
  }
});

describe('roundPackBig', () => {
  it('folds the bits below 53 into the sticky bit', () => {
    const one = (x: FloatFormat) => x.bias << x.man;
    // 2^100 + 2^(100 - man - 1) + 1: just above a tie, rounds up
    for (const f of [FP16, BF16]) {
      const m = BigInt(f.man);
      const exact = Exact.prototype.round.call(new Exact(f), (1n << 100n) + (1n << (100n - m - 1n)) + 1n, 1n << 100n);
      expect(roundPackBig(f, 0, (1n << 100n) + (1n << (100n - m - 1n)) + 1n, -100)).toBe(exact);
      expect(exact).toBe(one(f) + 1);
      expect(roundPackBig(f, 1, (1n << 100n) + (1n << (100n - m - 1n)), -100)).toBe((one(f) | (1 << (f.width - 1))));
    }
  });
});

describe('argument checks', () => {
  it('rejects non-patterns, bad widths, bad significands and a sticky bit without a guard bit', () => {
    for (const bad of [-1, 0x10000, 1.5, NaN]) {
      expect(() => fpAdd(FP16, bad, 0)).toThrow(RangeError);
      expect(() => fpRoundEven(BF16, bad)).toThrow(RangeError);
    }
    expect(() => fpToUIntSat(FP16, 0x3c00, 0)).toThrow(/bits must be an integer in \[1, 53\]/);
    expect(() => fpFromUInt(FP16, -1)).toThrow(RangeError);
    expect(() => fpFromUInt(FP16, 2 ** 53)).toThrow(/bigint/);
    expect(() => roundPack(FP16, 0, 2 ** 53, 0)).toThrow(RangeError);
    expect(() => roundPack(FP16, 0, 0x7ff, 0, true)).toThrow(/guard bit/);
    expect(roundPack(FP16, 0, 0x7ff << 1, -1, true)).toBe(fpFromNumber(FP16, 0x7ff)); // 2047 + δ/2 rounds down
    expect(roundPack(FP16, 0, 0xfff, -1, true)).toBe(fpFromNumber(FP16, 2048)); // 2047.5 + δ/2 rounds up
  });
});
