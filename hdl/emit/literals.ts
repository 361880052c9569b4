/** Verilog text of constants. */
import type { HType } from '../core/types.ts';

/** Two's-complement bit pattern of `v` in `width` bits. */
export function bitsOf(v: bigint, width: number): bigint {
  return v < 0n ? v + (1n << BigInt(width)) : v;
}

/** A sized literal: `8'd5`, `16'sd300`, `(-8'sd3)`, `1'b1`, `40'h00ff00ff00`. */
export function litText(t: HType, v: bigint): string {
  const w = t.width;
  if (w === 1) return `1'b${bitsOf(v, 1)}`;
  if (t.signed && v < 0n) {
    if (v === -(1n << BigInt(w - 1))) return `${w}'sh${bitsOf(v, w).toString(16)}`;
    return `(-${w}'sd${-v})`;
  }
  if (w > 32) return `${w}'${t.signed ? 's' : ''}h${v.toString(16)}`;
  return `${w}'${t.signed ? 's' : ''}d${v}`;
}

/** An unsigned sized literal of a bit pattern (case labels, memory init). */
export function patternText(width: number, v: bigint): string {
  const b = bitsOf(v, width);
  if (width === 1) return `1'b${b}`;
  return width > 32 ? `${width}'h${b.toString(16)}` : `${width}'d${b}`;
}

/** `[7:0]` or '' for one bit. */
export function rangeText(width: number): string {
  return width === 1 ? '' : `[${width - 1}:0]`;
}
