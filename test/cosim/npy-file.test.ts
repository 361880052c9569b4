// .npy files on disk: bounded reads (header first, size checked before allocating, devices
// refused, pipes read incrementally) and files over 2 GiB (reliability issue #13, items 7 and 9).
import { closeSync, mkdtempSync, openSync, readSync, rmSync, statSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { NpyError, readNpyFile, writeNpyFile } from '../../data/npy.ts';
import { encodeNpyHeader } from '../../data/npy-format.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'kvhdl-npy-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The prefix and header `numpy.save` writes for a 1-d int16 array of n elements. */
const int16Header = (n: number): Uint8Array => encodeNpyHeader({ dtype: 'int16', shape: [n], data: new Int16Array(0) });

const bin = path.resolve('bin/kvhdl.js');
const kvhdl = (args: string[]) => execa('node', [bin, ...args], { reject: false, timeout: 120_000 });

describe('readNpyFile: bounded reads', () => {
  it('refuses a character device (/dev/zero) at once instead of reading it forever', async () => {
    await expect(readNpyFile('/dev/zero')).rejects.toThrow(new NpyError('/dev/zero', 'cannot read: a character device (give a .npy file, or a pipe)'));
  });

  it('refuses a directory', async () => {
    await expect(readNpyFile(dir)).rejects.toThrow(/cannot read: (is a directory|a directory)/);
  });

  it('checks the size the header implies before allocating the data', async () => {
    // A header claiming 2^31 int16 (4 GiB of data) on a file with 8 data bytes.
    const f = path.join(dir, 'liar.npy');
    const h = int16Header(2 ** 31);
    writeFileSync(f, Buffer.concat([h, Buffer.alloc(8)]));
    await expect(readNpyFile(f)).rejects.toThrow(
      new NpyError(f, `truncated data: shape (${2 ** 31}) of int16 needs ${2 ** 32} bytes, the file has 8`),
    );
  });

  it('rejects a header length field beyond the header limit without reading it', async () => {
    const f = path.join(dir, 'bighdr.npy');
    writeFileSync(f, new Uint8Array([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 2, 0, 0xff, 0xff, 0xff, 0x7f, 0x7b]));
    await expect(readNpyFile(f)).rejects.toThrow(/header length 2147483647 is over the 1048576-byte limit/);
  });

  it('reads a named pipe incrementally, with the data bounded by the header', async () => {
    const fifo = path.join(dir, 'in.fifo');
    await execa('mkfifo', [fifo], { timeout: 10_000 });
    const a = { dtype: 'int32' as const, shape: [3, 2], data: new Int32Array([1, -2, 3, -4, 5, -6]) };
    const good = path.join(dir, 'good.npy');
    await writeNpyFile(good, a);
    const writer = execa('sh', ['-c', `cat "$1" > "$2"`, 'sh', good, fifo], { timeout: 30_000 });
    const got = await readNpyFile(fifo);
    await writer;
    expect(got.shape).toEqual([3, 2]);
    expect([...got.data]).toEqual([1, -2, 3, -4, 5, -6]);

    // A writer that never stops (a valid header, then /dev/zero): one line, the reader stops.
    const endless = execa('sh', ['-c', `cat "$1" /dev/zero > "$2"`, 'sh', good, fifo], { timeout: 30_000, reject: false });
    await expect(readNpyFile(fifo)).rejects.toThrow(`${fifo}: unexpected bytes after the data (shape (3, 2) of int32 is 24 bytes)`);
    await endless; // SIGPIPE once the reader closed
  });

  it('kvhdl golden/cosim --in /dev/zero: one line, exit 2', async () => {
    for (const cmd of ['golden', 'cosim']) {
      const r = await kvhdl([cmd, 'minmax', '--in', '/dev/zero', '--out-dir', path.join(dir, `zero-${cmd}`)]);
      expect(r.exitCode, r.stderr).toBe(2);
      expect(r.stderr.trim()).toBe(`kvhdl ${cmd}: /dev/zero: cannot read: a character device (give a .npy file, or a pipe)`);
    }
  });
});

describe('.npy files over 2 GiB', () => {
  it('reads a sparse 2 GiB + 128 B file (shape and values at chosen offsets) and writes it back in chunks', async () => {
    const n = 2 ** 30 + 64; // int16: 2^31 + 128 data bytes
    const f = path.join(dir, 'big.npy');
    const h = int16Header(n);
    writeFileSync(f, h);
    truncateSync(f, h.length + n * 2);
    const marks: [number, number][] = [
      [0, 1234],
      [2 ** 30 - 1, -7], // last element below the 2 GiB boundary
      [2 ** 30, 31000], // first element past it
      [n - 1, -32768],
    ];
    const fd = openSync(f, 'r+');
    for (const [i, v] of marks) {
      const b = Buffer.alloc(2);
      b.writeInt16LE(v);
      writeSync(fd, b, 0, 2, h.length + i * 2);
    }
    closeSync(fd);

    const a = await readNpyFile(f);
    expect(a.dtype).toBe('int16');
    expect(a.shape).toEqual([n]);
    expect(a.data.length).toBe(n);
    for (const [i, v] of marks) expect(a.data[i], `element ${i}`).toBe(v);
    expect(a.data[12345]).toBe(0);
    rmSync(f);

    const out = path.join(dir, 'big-out.npy');
    await writeNpyFile(out, a);
    expect(statSync(out).size).toBe(h.length + n * 2);
    const ofd = openSync(out, 'r');
    const head = Buffer.alloc(h.length);
    readSync(ofd, head, 0, h.length, 0);
    expect(head.equals(Buffer.from(h))).toBe(true);
    for (const [i, v] of marks) {
      const b = Buffer.alloc(2);
      readSync(ofd, b, 0, 2, h.length + i * 2);
      expect(b.readInt16LE(), `element ${i}`).toBe(v);
    }
    closeSync(ofd);
    rmSync(out);
  });
});
