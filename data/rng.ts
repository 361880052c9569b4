/**
 * Seeded pseudo-random numbers for stimulus generation (units' `randomStimulus`) and tests.
 *
 * The generator is xoshiro128** (32-bit state words, `Math.imul` only, no bigint in the hot path),
 * seeded through splitmix32 so that nearby seeds (0, 1, 2, ...) give unrelated sequences.
 * The same seed always gives the same sequence on every platform.
 */
import type { FieldSpec } from './fields.ts';
import { fieldWords, TxnTable } from './transactions.ts';

function splitmix32(state: { s: number }): number {
  state.s = (state.s + 0x9e3779b9) | 0;
  let z = state.s;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /** `seed`: any integer (number or bigint); only its low 64 bits matter. */
  constructor(seed: number | bigint = 1) {
    const s = BigInt.asUintN(64, BigInt(seed));
    const st = { s: Number(s & 0xffffffffn) | 0 };
    const hi = Number(s >> 32n) | 0;
    // Mix the high half in so that seeds that differ only above bit 31 differ.
    st.s = (st.s ^ Math.imul(hi, 0x27d4eb2f)) | 0;
    this.a = splitmix32(st);
    this.b = splitmix32(st);
    this.c = splitmix32(st);
    this.d = splitmix32(st);
    if ((this.a | this.b | this.c | this.d) === 0) this.a = 1;
  }

  /** Uniform unsigned 32-bit integer. */
  u32(): number {
    const r = Math.imul(rotl(Math.imul(this.b, 5), 7), 9) >>> 0;
    const t = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return r;
  }

  /** Uniform float in [0, 1) with 53 random bits. */
  float(): number {
    return ((this.u32() >>> 5) * 67108864 + (this.u32() >>> 6)) / 9007199254740992;
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.float() < p;
  }

  /** Uniform integer in [lo, hi] (inclusive); both must be safe integers. */
  int(lo: number, hi: number): number {
    if (!Number.isSafeInteger(lo) || !Number.isSafeInteger(hi) || hi < lo) {
      throw new RangeError(`Rng.int: bad range ${lo}..${hi}`);
    }
    const span = hi - lo + 1;
    if (span <= 0x100000000) {
      // Rejection sampling: unbiased.
      const limit = Math.floor(0x100000000 / span) * span;
      for (;;) {
        const x = this.u32();
        if (x < limit) return lo + (x % span);
      }
    }
    return lo + Number(this.bigBelow(BigInt(span)));
  }

  /** Uniform unsigned value of `width` bits, as a bigint in [0, 2^width). */
  bits(width: number): bigint {
    if (!Number.isInteger(width) || width < 0) throw new RangeError(`Rng.bits: bad width ${width}`);
    let v = 0n;
    let got = 0;
    while (got < width) {
      v |= BigInt(this.u32()) << BigInt(got);
      got += 32;
    }
    return BigInt.asUintN(width, v);
  }

  /** Uniform bigint in [lo, hi] (inclusive). */
  bigint(lo: bigint, hi: bigint): bigint {
    if (hi < lo) throw new RangeError(`Rng.bigint: bad range ${lo}..${hi}`);
    return lo + this.bigBelow(hi - lo + 1n);
  }

  /** Uniform value that fits a field: unsigned [0, 2^w) or signed [-2^(w-1), 2^(w-1)). */
  fieldValue(width: number, signed: boolean): bigint {
    const v = this.bits(width);
    return signed ? BigInt.asIntN(width, v) : v;
  }

  /** Uniform element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('Rng.pick: empty array');
    return items[this.int(0, items.length - 1)];
  }

  /** Shuffles in place (Fisher-Yates) and returns the array. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(0, i);
      const t = items[i];
      items[i] = items[j];
      items[j] = t;
    }
    return items;
  }

  /** A new generator whose sequence is independent of this one's future output (for sub-streams). */
  fork(): Rng {
    return new Rng((BigInt(this.u32()) << 32n) | BigInt(this.u32()));
  }

  private bigBelow(n: bigint): bigint {
    const width = n.toString(2).length;
    for (;;) {
      const x = this.bits(width);
      if (x < n) return x;
    }
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** Shorthand for `new Rng(seed)`. */
export function rng(seed: number | bigint): Rng {
  return new Rng(seed);
}

/**
 * A table of `count` records whose every field is uniform over its full range, filled word by word
 * (fast: no bigint per value). `overrides` replaces fields with a function of the record index.
 */
export function randomTable(
  fields: readonly FieldSpec[],
  count: number,
  r: Rng,
  overrides: Record<string, (i: number) => bigint> = {},
): TxnTable {
  const t = new TxnTable(fields, count);
  const w = t.words;
  let k = 0;
  for (let i = 0; i < count; i++) {
    for (const f of fields) {
      const n = fieldWords(f);
      for (let j = 0; j < n; j++) w[k + j] = r.u32();
      const top = f.width % 32;
      if (top !== 0) w[k + n - 1] &= 2 ** top - 1;
      k += n;
    }
  }
  for (const [name, fn] of Object.entries(overrides)) {
    for (let i = 0; i < count; i++) t.set(i, name, fn(i));
  }
  return t;
}
