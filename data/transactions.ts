/**
 * Transactions of one stream, stored as fixed-size binary records so that they can be written to
 * and read from the simulators without per-transaction objects.
 *
 * Record layout (normative; the C++ and Verilog testbenches read/write the same layout):
 * every field of the stream, in `StreamSpec.fields` order, occupies ceil(width/32) little-endian
 * 32-bit words, least significant word first (the layout of Verilator's `VlWide`/`IData`).
 * Bits above `width` in the last word are zero. Signed fields are stored as their two's-complement
 * bit pattern (so a field's words never carry a sign extension).
 */
import type { FieldSpec } from './fields.ts';

export function fieldWords(f: FieldSpec): number {
  return Math.ceil(f.width / 32);
}

export function recordWords(fields: readonly FieldSpec[]): number {
  return fields.reduce((n, f) => n + fieldWords(f), 0);
}

export class TxnTable {
  readonly fields: readonly FieldSpec[];
  readonly words: Uint32Array;
  readonly count: number;
  readonly stride: number;
  private readonly offsets: Map<string, { f: FieldSpec; off: number }>;

  constructor(fields: readonly FieldSpec[], count: number, words?: Uint32Array) {
    this.fields = fields;
    this.count = count;
    this.stride = recordWords(fields);
    this.words = words ?? new Uint32Array(count * this.stride);
    if (this.words.length !== count * this.stride) {
      throw new Error(`TxnTable: ${this.words.length} words for ${count} records of ${this.stride} words`);
    }
    this.offsets = new Map();
    let off = 0;
    for (const f of fields) {
      this.offsets.set(f.name, { f, off });
      off += fieldWords(f);
    }
  }

  private field(name: string): { f: FieldSpec; off: number } {
    const e = this.offsets.get(name);
    if (!e) throw new Error(`TxnTable: no field '${name}'`);
    return e;
  }

  /** Field value as a bigint; signed fields are sign-extended. */
  get(i: number, name: string): bigint {
    const { f, off } = this.field(name);
    const base = i * this.stride + off;
    let v = 0n;
    for (let w = fieldWords(f) - 1; w >= 0; w--) v = (v << 32n) | BigInt(this.words[base + w]);
    if (f.signed && (v >> BigInt(f.width - 1)) & 1n) v -= 1n << BigInt(f.width);
    return v;
  }

  /** Sets a field; the value must fit the field (signed range for signed fields). */
  set(i: number, name: string, value: bigint): void {
    const { f, off } = this.field(name);
    const w = BigInt(f.width);
    const lo = f.signed ? -(1n << (w - 1n)) : 0n;
    const hi = f.signed ? (1n << (w - 1n)) - 1n : (1n << w) - 1n;
    if (value < lo || value > hi) {
      throw new RangeError(`field '${name}' (${f.signed ? 's' : 'u'}${f.width}): value ${value} out of range ${lo}..${hi}`);
    }
    let v = value < 0n ? value + (1n << w) : value;
    const base = i * this.stride + off;
    for (let k = 0; k < fieldWords(f); k++) {
      this.words[base + k] = Number(v & 0xffffffffn);
      v >>= 32n;
    }
  }

  /**
   * Lane k of a packed multi-lane field as a number (lane width 1..32; lane 0 in the least
   * significant bits), without bigint: the fast path for golden models over wide vectors.
   */
  lane(i: number, name: string, laneWidth: number, k: number, signed: boolean): number {
    return this.laneAt(this.wordIndex(i, name), laneWidth, k, signed);
  }

  /** Index in `words` of the first word of field `name` of record i (for loops over lanes). */
  wordIndex(i: number, name: string): number {
    return i * this.stride + this.field(name).off;
  }

  /** Lane k of the packed field whose first word is `words[base]` (see `lane`). */
  laneAt(base: number, laneWidth: number, k: number, signed: boolean): number {
    const bit = k * laneWidth;
    const w = base + (bit >>> 5);
    const off = bit & 31;
    let v = this.words[w] >>> off;
    if (off + laneWidth > 32) v |= this.words[w + 1] << (32 - off);
    if (laneWidth < 32) v &= (1 << laneWidth) - 1; // int arithmetic (2 ** w here is 15x slower)
    if (signed) return laneWidth === 32 ? v | 0 : (v << (32 - laneWidth)) >> (32 - laneWidth);
    return v >>> 0;
  }

  /** Sets lane k of a packed field (lane width 1..32) to the low bits of `value`. */
  setLane(i: number, name: string, laneWidth: number, k: number, value: number): void {
    const base = i * this.stride + this.field(name).off;
    const bit = k * laneWidth;
    const w = base + (bit >>> 5);
    const off = bit & 31;
    const mask = laneWidth === 32 ? 0xffffffff : ((1 << laneWidth) - 1) >>> 0;
    const v = (value & mask) >>> 0;
    this.words[w] = ((this.words[w] & ~((mask << off) >>> 0)) | (v << off)) >>> 0;
    if (off + laneWidth > 32) {
      const hiMask = mask >>> (32 - off);
      this.words[w + 1] = ((this.words[w + 1] & ~hiMask) | (v >>> (32 - off))) >>> 0;
    }
  }

  /** Builds a table from plain records (convenient for small tests). */
  static from(fields: readonly FieldSpec[], rows: readonly Record<string, bigint>[]): TxnTable {
    const t = new TxnTable(fields, rows.length);
    rows.forEach((r, i) => {
      for (const f of fields) t.set(i, f.name, r[f.name] ?? 0n);
    });
    return t;
  }

  /** All records as plain objects (for messages and small tests). */
  rows(): Record<string, bigint>[] {
    const out: Record<string, bigint>[] = [];
    for (let i = 0; i < this.count; i++) {
      const r: Record<string, bigint> = {};
      for (const f of this.fields) r[f.name] = this.get(i, f.name);
      out.push(r);
    }
    return out;
  }
}
