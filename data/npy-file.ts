/**
 * .npy files on disk, with bounded reads: the prefix and header are read and checked before any
 * data, the data length the header implies is checked against the file size before the data
 * buffer is allocated, and the data is read in chunks straight into the array's buffer (so files
 * over 2 GiB load; Node's readFile stops at 2 GiB). Writing streams the header and then the data
 * in chunks, never building the whole file in one buffer. See data/npy.md ("Files").
 *
 * Accepted inputs: regular files, and pipes (FIFOs, `/dev/stdin` when it is a pipe), which are
 * read incrementally with the data bounded by the header. Character and block devices (e.g.
 * /dev/zero, a terminal), sockets and directories are refused with one line.
 */
import type { Stats } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import {
  allocateData,
  checkDataLength,
  byteSwap,
  encodeNpyHeader,
  finishData,
  HOST_LITTLE_ENDIAN,
  NpyError,
  parseNpyHeader,
  parseNpyPrefix,
  validateNpyArray,
  type NpyArray,
} from './npy-format.ts';

/** Bytes per read or write call (also the most a pipe reader asks for at once). */
const CHUNK = 64 << 20;

function errnoText(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  switch (err.code) {
    case 'ENOENT':
      return 'no such file';
    case 'EISDIR':
      return 'is a directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    default:
      return err.code ?? err.message;
  }
}

function kindOf(st: Stats): string {
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  if (st.isDirectory()) return 'a directory';
  return 'not a regular file';
}

/**
 * Reads into `buf` until it is full or the file ends; returns the bytes read. `position` null
 * reads sequentially (pipes); otherwise from that file offset.
 */
async function fill(fh: FileHandle, buf: Uint8Array, position: number | null): Promise<number> {
  let got = 0;
  while (got < buf.length) {
    const len = Math.min(CHUNK, buf.length - got);
    const { bytesRead } = await fh.read(buf, got, len, position === null ? null : position + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return got;
}

/** Reads `nbytes` into a fresh ArrayBuffer-backed region in chunks (views stay under the 2^32 typed-array limit). */
async function fillBuffer(fh: FileHandle, buf: ArrayBuffer, position: number | null): Promise<number> {
  let got = 0;
  while (got < buf.byteLength) {
    const len = Math.min(CHUNK, buf.byteLength - got);
    const n = await fill(fh, new Uint8Array(buf, got, len), position === null ? null : position + got);
    got += n;
    if (n < len) break;
  }
  return got;
}

/**
 * Reads and parses a .npy file; errors name the file. Regular files and pipes only (see the
 * module comment); the header is checked before the data is read or its buffer allocated.
 */
export async function readNpyFile(file: string): Promise<NpyArray> {
  const fail = (problem: string): never => {
    throw new NpyError(file, problem);
  };
  let fh: FileHandle;
  try {
    fh = await open(file, 'r');
  } catch (e) {
    return fail(`cannot read: ${errnoText(e)}`);
  }
  try {
    const st = await fh.stat();
    const regular = st.isFile();
    if (!regular && !st.isFIFO()) {
      return fail(`cannot read: ${kindOf(st)} (give a .npy file, or a pipe)`);
    }
    const pos = (p: number): number | null => (regular ? p : null);
    const size = regular ? st.size : Infinity;

    // Prefix: 10 bytes, 12 for format 2.0/3.0 (read separately so a pipe is never over-read).
    const pre = new Uint8Array(12);
    let n = await fill(fh, pre.subarray(0, 10), pos(0));
    if (n === 10 && (pre[6] === 2 || pre[6] === 3)) n += await fill(fh, pre.subarray(10, 12), pos(10));
    const prefix = parseNpyPrefix(pre.subarray(0, n), file);
    const dataStart = prefix.headerStart + prefix.headerLen;
    if (dataStart > size) {
      fail(`truncated header: it declares ${prefix.headerLen} bytes but the file has ${size - prefix.headerStart} after the prefix`);
    }
    const headerBytes = new Uint8Array(prefix.headerLen);
    const hn = await fill(fh, headerBytes, pos(prefix.headerStart));
    if (hn < prefix.headerLen) {
      fail(`truncated header: it declares ${prefix.headerLen} bytes but the file has ${hn} after the prefix`);
    }
    const h = parseNpyHeader(prefix, headerBytes, file);

    if (regular) checkDataLength(h, size - dataStart, file); // before allocating anything
    const buf = allocateData(h, file);
    const got = await fillBuffer(fh, buf, pos(dataStart));
    if (got < h.nbytes) checkDataLength(h, got, file); // the file shrank, or the pipe ended early
    if (!regular) {
      const more = await fill(fh, new Uint8Array(1), null);
      if (more > 0) fail(`unexpected bytes after the data (shape (${h.shape.join(', ')}) of ${h.dtype} is ${h.nbytes} bytes)`);
    }
    return finishData(h, buf, file);
  } catch (e) {
    if (e instanceof NpyError) throw e;
    return fail(`cannot read: ${errnoText(e)}`);
  } finally {
    await fh.close().catch(() => undefined);
  }
}

/**
 * Writes an array as a .npy file (byte-identical to `numpy.save`); errors name the file. The
 * header and then the data are written in chunks, so arrays of any size the process holds can be
 * written without a second copy.
 */
export async function writeNpyFile(file: string, a: NpyArray): Promise<void> {
  validateNpyArray(a, file);
  let fh: FileHandle | undefined;
  try {
    fh = await open(file, 'w');
    const header = encodeNpyHeader(a);
    await writeAll(fh, header);
    const total = a.data.byteLength;
    for (let off = 0; off < total; off += CHUNK) {
      const len = Math.min(CHUNK, total - off);
      const view = new Uint8Array(a.data.buffer, a.data.byteOffset + off, len);
      // On a big-endian host, swap a copy of this chunk only.
      await writeAll(fh, HOST_LITTLE_ENDIAN ? view : swapped(view, a.data.BYTES_PER_ELEMENT));
    }
    const done = fh;
    fh = undefined;
    await done.close(); // a failing close (e.g. a full disk on a network file system) is a write error
  } catch (e) {
    if (e instanceof NpyError) throw e;
    throw new NpyError(file, `cannot write: ${errnoText(e)}`);
  } finally {
    await fh?.close().catch(() => undefined);
  }
}

/** Writes all of `bytes` (write() may write less than asked). */
async function writeAll(fh: FileHandle, bytes: Uint8Array): Promise<void> {
  let off = 0;
  while (off < bytes.length) {
    const { bytesWritten } = await fh.write(bytes, off, bytes.length - off);
    off += bytesWritten;
  }
}

/** A little-endian copy of native-order bytes (big-endian hosts). */
function swapped(view: Uint8Array, size: number): Uint8Array {
  const copy = view.slice();
  byteSwap(copy, size);
  return copy;
}
