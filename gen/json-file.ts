/**
 * Reading a JSON file from a user-given path (configs, rows.json, thresholds.json, report
 * configurations): only a regular file of at most JSON_FILE_MAX_BYTES, parsed by parseJsonText
 * (nesting and number limits). `--config /dev/zero` or a FIFO is refused instead of read forever.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { JsonTextError, parseJsonText, type JsonTextOptions } from './json-text.ts';

/** Largest JSON file read: 16 MiB. */
export const JSON_FILE_MAX_BYTES = 16 * 1024 * 1024;

/** Reads and parses a JSON file; throws JsonTextError with one line (without the file name). */
export function readJsonFile(file: string, opts: JsonTextOptions = {}): unknown {
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO must not wait for a writer (it is refused below)
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    throw new JsonTextError(`cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  let bytes: Buffer;
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new JsonTextError('not a regular file (JSON inputs must be regular files)');
    if (st.size > JSON_FILE_MAX_BYTES) throw new JsonTextError(`larger than 16 MiB (${st.size} bytes)`);
    // one byte more than its size: a file that grows while it is read is refused, not truncated
    const buf = Buffer.alloc(Math.min(st.size, JSON_FILE_MAX_BYTES) + 1);
    let n = 0;
    for (;;) {
      const r = readSync(fd, buf, n, buf.length - n, null);
      if (r === 0) break;
      n += r;
      if (n === buf.length) throw new JsonTextError('changed size while it was read');
    }
    bytes = buf.subarray(0, n);
  } catch (e) {
    if (e instanceof JsonTextError) throw e;
    throw new JsonTextError(`cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  } finally {
    closeSync(fd);
  }
  return parseJsonText(bytes.toString('utf8'), opts);
}
