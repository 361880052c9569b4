/**
 * Text form of TxnTable records for the Icarus testbench: one record per line, the record's 32-bit
 * words (TxnTable layout) printed most significant word first, 8 hex digits each. That is exactly
 * what `$fscanf("%h")` reads into, and `$fwrite("%h")` prints from, a `reg [32*stride-1:0]` whose word
 * k holds TxnTable word k, so no bit-level repacking is needed on either side.
 * A stream without payload fields (stride 0) has one line `1` per transfer.
 */
import type { FieldSpec } from '../../hdl/ports/design.ts';
import { TxnTable } from '../../data/transactions.ts';

const HEX8 = (w: number) => (w >>> 0).toString(16).padStart(8, '0');

/** Hex lines for the first `count` records of `t` (default all), each ending in '\n'. */
export function recordsToHex(t: TxnTable, count = t.count): string {
  if (count > t.count) throw new RangeError(`recordsToHex: ${count} records requested, table has ${t.count}`);
  const s = t.stride;
  if (s === 0) return '1\n'.repeat(count);
  const lines: string[] = new Array(count);
  for (let i = 0; i < count; i++) {
    let line = '';
    for (let w = s - 1; w >= 0; w--) line += HEX8(t.words[i * s + w]);
    lines[i] = line;
  }
  return count === 0 ? '' : `${lines.join('\n')}\n`;
}

export interface ParsedRecords {
  table: TxnTable;
  /** Indices of records that had X or Z digits (those digits were read as 0). */
  unknownBits: number[];
}

/**
 * Parses hex lines written by the testbench back into a TxnTable with `fields`' layout.
 * `source` names the file in error messages. X/Z digits (from an undriven output) are read as 0
 * and reported in `unknownBits`.
 */
export function hexToRecords(text: string, fields: readonly FieldSpec[], source: string): ParsedRecords {
  const lines = text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const probe = new TxnTable(fields, 0);
  const s = probe.stride;
  const t = new TxnTable(fields, lines.length);
  const unknownBits: number[] = [];
  const digits = 8 * s;
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i].trim();
    if (s === 0) {
      if (line !== '1') throw new Error(`${source}:${i + 1}: expected '1', got '${line}'`);
      continue;
    }
    if (line.length !== digits) {
      throw new Error(`${source}:${i + 1}: expected ${digits} hex digits, got ${line.length} ('${line.slice(0, 80)}')`);
    }
    if (/[xXzZ]/.test(line)) {
      unknownBits.push(i);
      line = line.replace(/[xXzZ]/g, '0');
    }
    if (!/^[0-9a-fA-F]*$/.test(line)) throw new Error(`${source}:${i + 1}: not a hex record: '${line.slice(0, 80)}'`);
    for (let w = 0; w < s; w++) {
      const end = digits - 8 * w;
      t.words[i * s + w] = parseInt(line.slice(end - 8, end), 16);
    }
  }
  // Bits above a field's width must be zero (the testbench pads with zeros); X/Z-scrubbing keeps that.
  return { table: t, unknownBits };
}
