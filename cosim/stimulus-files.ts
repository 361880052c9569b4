/**
 * Transaction files shared by every simulator back end (Verilator C++ testbench, Icarus testbench).
 *
 * In a run directory, per stream:
 *   `<stream>.in.bin`        input records (written here, read by the testbench)
 *   `<stream>.out.bin`       output records (written by the testbench)
 *   `<stream>.out.cycles.bin` the cycle of each output record, uint64 little-endian (Verilator tb)
 *   `<stream>.expected.bin`  the golden model's output records (kept for re-runs)
 * Records use the `TxnTable` layout (data/transactions.ts): no header, `count * stride` uint32
 * little-endian words; each field ceil(width/32) words, least significant word first.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { memoryImageFields, type DesignUnderTest, type FieldSpec, type StreamSpec } from '../hdl/ports/design.ts';
import { recordWords, TxnTable } from '../data/transactions.ts';

if (os.endianness() !== 'LE') {
  // Uint32Array views are written as-is; a big-endian host would need byte swapping.
  throw new Error('kvhdl cosim: transaction files assume a little-endian host');
}

export const inputFile = (dir: string, stream: string): string => path.join(dir, `${stream}.in.bin`);
export const outputFile = (dir: string, stream: string): string => path.join(dir, `${stream}.out.bin`);
export const outputCyclesFile = (dir: string, stream: string): string => path.join(dir, `${stream}.out.cycles.bin`);
export const expectedFile = (dir: string, stream: string): string => path.join(dir, `${stream}.expected.bin`);
/** The image of memory `name` (see `MemorySpec`): one record per word, word i at address i. */
export const memoryImageFile = (dir: string, name: string): string => path.join(dir, `${name}.mem.bin`);

/** Splits stimulus into the memories' images (by memory name) and the tables of the input streams. */
export function splitMemoryImages(
  design: DesignUnderTest,
  stimulus: Record<string, TxnTable>,
): { images: Record<string, TxnTable>; streams: Record<string, TxnTable> } {
  const names = new Set((design.memories ?? []).map((m) => m.name));
  const images: Record<string, TxnTable> = {};
  const streams: Record<string, TxnTable> = {};
  for (const [k, t] of Object.entries(stimulus)) (names.has(k) ? images : streams)[k] = t;
  return { images, streams };
}

/** Problems (one line each) with the memories' images in `stimulus`: missing, not a table, wrong field. */
export function checkMemoryImages(design: DesignUnderTest, stimulus: Record<string, TxnTable>, what: string): string[] {
  const problems: string[] = [];
  for (const m of design.memories ?? []) {
    const t = stimulus[m.name];
    const want = memoryImageFields(m);
    if (!t) problems.push(`${what}: no image for memory '${m.name}' (a TxnTable with the field [${describeFields(want)}], one record per word)`);
    else if (!(t instanceof TxnTable)) problems.push(`${what}: the image of memory '${m.name}' is not a TxnTable`);
    else if (!sameLayout(t.fields, want)) {
      problems.push(`${what}: the image of memory '${m.name}' has fields [${describeFields(t.fields)}], expected [${describeFields(want)}]`);
    }
  }
  return problems;
}

export interface StimulusFile {
  stream: string;
  path: string;
  /** Number of records. */
  count: number;
  /** Words per record. */
  stride: number;
}

function sameLayout(a: readonly FieldSpec[], b: readonly FieldSpec[]): boolean {
  return a.length === b.length && a.every((f, i) => f.name === b[i].name && f.width === b[i].width);
}

function describeFields(fields: readonly FieldSpec[]): string {
  return fields.length ? fields.map((f) => `${f.name}:${f.signed ? 's' : 'u'}${f.width}`).join(', ') : '(no fields)';
}

/**
 * Problems (one line each) with `tables` as the data of the design's streams of direction `dir`:
 * missing or unknown streams, and tables whose fields differ from the stream's (name, width, order).
 */
export function checkTables(
  design: DesignUnderTest,
  tables: Record<string, TxnTable>,
  dir: 'in' | 'out',
  what: string,
): string[] {
  const problems: string[] = [];
  const streams = design.streams.filter((s) => s.dir === dir);
  for (const s of streams) {
    const t = tables[s.name];
    if (!t) {
      problems.push(`${what}: no transactions for ${dir}put stream '${s.name}'`);
      continue;
    }
    if (!(t instanceof TxnTable)) {
      problems.push(`${what}: stream '${s.name}' is not a TxnTable`);
      continue;
    }
    if (!sameLayout(t.fields, s.fields)) {
      problems.push(
        `${what}: stream '${s.name}' has fields [${describeFields(t.fields)}] but the design's stream has [${describeFields(s.fields)}]`,
      );
    }
  }
  for (const name of Object.keys(tables)) {
    if (!streams.some((s) => s.name === name)) {
      const other = design.streams.find((s) => s.name === name);
      problems.push(
        other
          ? `${what}: '${name}' is an ${other.dir}put stream of ${design.top}, expected ${dir}put streams only`
          : `${what}: ${design.top} has no stream '${name}' (streams: ${design.streams.map((s) => s.name).join(', ') || 'none'})`,
      );
    }
  }
  return problems;
}

function asBytes(words: Uint32Array): Uint8Array {
  return new Uint8Array(words.buffer, words.byteOffset, words.byteLength);
}

/** Writes one table's words as a raw record file. */
export async function writeTable(file: string, table: TxnTable): Promise<void> {
  await fs.writeFile(file, asBytes(table.words));
}

/**
 * Reads a raw record file as a table of `fields`. The record count is the file size divided by the
 * record size (pass `count` for streams whose records have no words). A missing file is an empty
 * table when `missingOk`.
 */
export async function readTable(
  file: string,
  fields: readonly FieldSpec[],
  opts: { count?: number; missingOk?: boolean } = {},
): Promise<TxnTable> {
  const stride = recordWords(fields);
  let buf: Buffer;
  try {
    buf = await fs.readFile(file);
  } catch (e) {
    if (opts.missingOk && (e as NodeJS.ErrnoException).code === 'ENOENT') return new TxnTable(fields, 0);
    throw e;
  }
  if (buf.byteLength % 4 !== 0 || (stride > 0 && buf.byteLength % (stride * 4) !== 0)) {
    throw new Error(`${file}: ${buf.byteLength} bytes is not a whole number of ${stride * 4}-byte records`);
  }
  const count = stride > 0 ? buf.byteLength / (stride * 4) : (opts.count ?? 0);
  // Buffers from the pool may be unaligned for a Uint32Array view: copy in that case.
  const words =
    buf.byteOffset % 4 === 0
      ? new Uint32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4)
      : new Uint32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  return new TxnTable(fields, count, words);
}

/**
 * Writes `<stream>.in.bin` for every input stream of the design into `dir` (created if needed).
 * Throws one error listing every problem if `stimulus` does not match the design's input streams.
 * Returns, per input stream, the file, its record count and its record size in words.
 */
export async function writeStimulus(
  dir: string,
  design: DesignUnderTest,
  stimulus: Record<string, TxnTable>,
): Promise<Record<string, StimulusFile>> {
  const problems = checkTables(design, stimulus, 'in', 'stimulus');
  if (problems.length) throw new Error(problems.join('\n'));
  await fs.mkdir(dir, { recursive: true });
  const out: Record<string, StimulusFile> = {};
  await Promise.all(
    design.streams
      .filter((s) => s.dir === 'in')
      .map(async (s) => {
        const t = stimulus[s.name];
        const file = inputFile(dir, s.name);
        await writeTable(file, t);
        out[s.name] = { stream: s.name, path: file, count: t.count, stride: t.stride };
      }),
  );
  return out;
}

/** Reads `<stream>.out.bin` of every output stream (a missing file is an empty table). */
export async function readOutputs(
  dir: string,
  design: DesignUnderTest,
  counts: Record<string, number> = {},
): Promise<Record<string, TxnTable>> {
  const out: Record<string, TxnTable> = {};
  await Promise.all(
    design.streams
      .filter((s: StreamSpec) => s.dir === 'out')
      .map(async (s) => {
        out[s.name] = await readTable(outputFile(dir, s.name), s.fields, { count: counts[s.name], missingOk: true });
      }),
  );
  return out;
}

/** Reads `<stream>.out.cycles.bin` (uint64 per output record) as numbers; empty if missing. */
export async function readOutputCycles(dir: string, stream: string): Promise<Float64Array> {
  let buf: Buffer;
  try {
    buf = await fs.readFile(outputCyclesFile(dir, stream));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return new Float64Array(0);
    throw e;
  }
  const n = Math.floor(buf.byteLength / 8);
  const cycles = new Float64Array(n);
  for (let i = 0; i < n; i++) cycles[i] = buf.readUInt32LE(i * 8) + buf.readUInt32LE(i * 8 + 4) * 4294967296;
  return cycles;
}
