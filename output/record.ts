/**
 * The record of what kvhdl wrote into a directory: `<dir>/.kvhdl-written.json`, one entry per file
 * (path relative to the directory, sha256 of the content kvhdl wrote, and whether the file belongs to
 * the directory's whole output set or was a single-file output). A file is kvhdl's to replace or
 * remove only while its content still has the recorded hash.
 */
import { createHash } from 'node:crypto';
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import * as path from 'node:path';
import { OutputError } from './errors.ts';

export const RECORD_FILE = '.kvhdl-written.json';

export interface RecordEntry {
  sha256: string;
  /** 'set': part of the directory's output set (removed when a later run no longer writes it); 'file': a single output. */
  kind: 'set' | 'file';
  /** Set only while a commit is renaming files into place: the hash of the content being written. */
  pending?: string;
}

export interface WrittenRecord {
  generator: 'kvhdl';
  /** The command that last wrote into the directory (information only). */
  command: string;
  files: Record<string, RecordEntry>;
}

export function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** sha256 of a file's content, read in chunks (outputs and the files they replace can exceed 2 GiB). */
export function sha256File(file: string): string {
  const h = createHash('sha256');
  const buf = Buffer.allocUnsafe(16 << 20);
  const fd = openSync(file, 'r');
  try {
    for (let n; (n = readSync(fd, buf, 0, buf.length, null)) > 0; ) h.update(buf.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return h.digest('hex');
}

const isEntry = (e: unknown): e is RecordEntry =>
  typeof e === 'object' && e !== null && typeof (e as RecordEntry).sha256 === 'string' &&
  ((e as RecordEntry).kind === 'set' || (e as RecordEntry).kind === 'file');

/** The record in `dir`, undefined when there is none; a record that is not kvhdl's is an OutputError. */
export function readRecord(dir: string): WrittenRecord | undefined {
  const file = path.join(dir, RECORD_FILE);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw new OutputError(`${file}: cannot read kvhdl's record of written files (${code ?? (e as Error).message})`);
  }
  let r: unknown;
  try {
    r = JSON.parse(text);
  } catch {
    r = undefined;
  }
  const ok = typeof r === 'object' && r !== null && (r as WrittenRecord).generator === 'kvhdl' &&
    typeof (r as WrittenRecord).files === 'object' && (r as WrittenRecord).files !== null &&
    Object.values((r as WrittenRecord).files).every(isEntry);
  if (!ok) throw new OutputError(`${file}: not a record kvhdl wrote (kvhdl keeps its list of written files there); move it away`);
  return r as WrittenRecord;
}

export function recordText(r: WrittenRecord): string {
  const files = Object.fromEntries(Object.keys(r.files).sort().map((k) => [k, r.files[k]]));
  return `${JSON.stringify({ ...r, files }, null, 2)}\n`;
}
