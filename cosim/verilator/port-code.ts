/**
 * C++ statements that move words between a Verilated model's ports and the testbench's record
 * buffers (`uint32_t` words, least significant first; Verilator's `CData`/`SData`/`IData`/`QData`
 * for ports up to 64 bits, `VlWide` above).
 */
import { fieldWords } from '../../data/transactions.ts';
import type { FieldSpec } from '../../hdl/ports/design.ts';

const hex32 = (n: number): string => `0x${(n >>> 0).toString(16)}u`;
const topMask = (width: number): number => (width % 32 === 0 ? 0xffffffff : 2 ** (width % 32) - 1);

/** Statements that set the model input `port` from words `src(k)` (k = 0 is least significant). */
export function setPort(port: string, width: number, src: (k: number) => string, indent: string): string {
  const nw = Math.ceil(width / 32);
  const m = hex32(topMask(width));
  const d = `dut->${port}`;
  if (width <= 32) return `${indent}${d} = ${src(0)} & ${m};\n`;
  if (width <= 64) {
    return `${indent}${d} = (static_cast<uint64_t>(${src(1)} & ${m}) << 32) | static_cast<uint64_t>(${src(0)});\n`;
  }
  let s = '';
  for (let k = 0; k < nw; k++) s += `${indent}${d}[${k}] = ${src(k)}${k === nw - 1 ? ` & ${m}` : ''};\n`;
  return s;
}

/** Statements that set the model input `port` to random bits from `rng` (evaluation order fixed). */
export function setPortRandom(port: string, width: number, rng: string, indent: string): string {
  const nw = Math.ceil(width / 32);
  if (width <= 32) return `${indent}dut->${port} = ${rng}.u32() & ${hex32(topMask(width))};\n`;
  if (width <= 64) {
    const mask = width === 64 ? '~0ULL' : `((1ULL << ${width}) - 1)`;
    return `${indent}dut->${port} = ${rng}.next() & ${mask};\n`;
  }
  let s = '';
  for (let k = 0; k < nw; k++) s += `${indent}dut->${port}[${k}] = ${rng}.u32()${k === nw - 1 ? ` & ${hex32(topMask(width))}` : ''};\n`;
  return s;
}

/** Statements that copy the model output `port` into words `dst[off..]`. */
export function readPort(port: string, width: number, dst: string, off: number, indent: string): string {
  const nw = Math.ceil(width / 32);
  const m = hex32(topMask(width));
  const d = `dut->${port}`;
  if (width <= 32) return `${indent}${dst}[${off}] = static_cast<uint32_t>(${d}) & ${m};\n`;
  if (width <= 64) {
    return (
      `${indent}{ const uint64_t v_ = ${d}; ${dst}[${off}] = static_cast<uint32_t>(v_); ` +
      `${dst}[${off + 1}] = static_cast<uint32_t>(v_ >> 32) & ${m}; }\n`
    );
  }
  let s = '';
  for (let k = 0; k < nw; k++) s += `${indent}${dst}[${off + k}] = ${d}[${k}]${k === nw - 1 ? ` & ${m}` : ''};\n`;
  return s;
}

/** Word offset of each field in a record. */
export function fieldOffsets(fields: readonly FieldSpec[]): number[] {
  const offs: number[] = [];
  let o = 0;
  for (const f of fields) {
    offs.push(o);
    o += fieldWords(f);
  }
  return offs;
}

/** A C++ string literal of an identifier (identifiers are checked, so JSON quoting is valid C++). */
export function cstr(s: string): string {
  return JSON.stringify(s);
}
