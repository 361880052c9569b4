/**
 * Hardware value types: an unsigned or signed bit vector of a fixed width, optionally viewed as a
 * packed vector of equal lanes (lane i in bits [i*W +: W], lane 0 least significant).
 */

export interface LaneLayout {
  count: number;
  elem: HType;
}

export class HType {
  readonly width: number;
  readonly signed: boolean;
  /** Present when the type is a packed vector of lanes; the whole vector is unsigned. */
  readonly lanes?: LaneLayout;

  constructor(width: number, signed: boolean, lanes?: LaneLayout) {
    if (!Number.isInteger(width) || width < 1) {
      throw new RangeError(`bit width must be a positive integer, got ${width}`);
    }
    this.width = width;
    this.signed = signed;
    this.lanes = lanes;
  }

  /** A packed vector of `count` lanes of this type (lane 0 in the least significant bits). */
  vec(count: number): HType {
    if (!Number.isInteger(count) || count < 1) throw new RangeError(`lane count must be a positive integer, got ${count}`);
    return new HType(this.width * count, false, { count, elem: this });
  }

  /** Smallest and largest value of the type. */
  get min(): bigint {
    return this.signed ? -(1n << BigInt(this.width - 1)) : 0n;
  }
  get max(): bigint {
    return this.signed ? (1n << BigInt(this.width - 1)) - 1n : (1n << BigInt(this.width)) - 1n;
  }

  fits(v: bigint): boolean {
    return v >= this.min && v <= this.max;
  }

  /** `u8`, `s16`, `u16x8` (8 lanes of u16 packed into 128 bits). */
  toString(): string {
    if (this.lanes) return `${this.lanes.elem.toString()}x${this.lanes.count}`;
    return `${this.signed ? 's' : 'u'}${this.width}`;
  }

  /** The same width with the given signedness (lanes dropped). */
  withSign(signed: boolean): HType {
    return new HType(this.width, signed);
  }
}

/** Unsigned bit vector of width `w`. */
export function UInt(w: number): HType {
  return new HType(w, false);
}

/** Signed (two's complement) bit vector of width `w`. */
export function SInt(w: number): HType {
  return new HType(w, true);
}

/** One-bit unsigned. */
export const Bool: HType = UInt(1);

/** Number of bits needed to hold values 0..n-1 (at least 1). */
export function log2Ceil(n: number): number {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`log2Ceil of ${n}`);
  let b = 0;
  while (2 ** b < n) b++;
  return Math.max(b, 1);
}

/** Number of bits needed to hold values 0..n (at least 1). */
export function bitsFor(n: number | bigint): number {
  let v = BigInt(n);
  if (v < 0n) throw new RangeError(`bitsFor of negative ${n}`);
  let b = 0;
  while (v > 0n) {
    b++;
    v >>= 1n;
  }
  return Math.max(b, 1);
}
