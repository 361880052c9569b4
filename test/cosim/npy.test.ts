import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  NPY_DTYPES,
  NpyError,
  readNpy,
  readNpyFile,
  writeNpy,
  writeNpyFile,
  type NpyArray,
  type NpyDtype,
} from '../../data/npy.ts';
import { runTool } from '../../toolchain/run-tool.ts';
import { needTools } from '../helpers/tools.ts';

needTools('numpy');

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/npy');

const enc = (s: string) => new TextEncoder().encode(s);

/** Builds .npy bytes by hand: magic, version, little-endian header length, header text, data. */
function npyBytes(header: string, data: number[] = [], version: 1 | 2 | 3 = 1): Uint8Array {
  const h = enc(header);
  const lenBytes = version === 1 ? [h.length & 0xff, h.length >> 8] : [h.length & 0xff, (h.length >> 8) & 0xff, h.length >> 16, 0];
  return new Uint8Array([0x93, ...enc('NUMPY'), version, 0, ...lenBytes, ...h, ...data]);
}

/** The arrays in test/fixtures/npy (written by numpy via make-fixtures.py). */
const NUMPY_FIXTURES: Record<string, NpyArray> = {
  'bool_2x3.npy': { dtype: 'bool', shape: [2, 3], data: new Uint8Array([1, 0, 1, 0, 0, 1]) },
  'int8_5.npy': { dtype: 'int8', shape: [5], data: new Int8Array([-128, -1, 0, 1, 127]) },
  'uint8_scalar.npy': { dtype: 'uint8', shape: [], data: new Uint8Array([200]) },
  'int16_2x2.npy': { dtype: 'int16', shape: [2, 2], data: new Int16Array([-32768, -2, 3, 32767]) },
  'uint16_4.npy': { dtype: 'uint16', shape: [4], data: new Uint16Array([0, 1, 65534, 65535]) },
  'int32_2x1x3.npy': {
    dtype: 'int32',
    shape: [2, 1, 3],
    data: new Int32Array([-2147483648, -7, 0, 5, 123456789, 2147483647]),
  },
  'uint32_3.npy': { dtype: 'uint32', shape: [3], data: new Uint32Array([0, 1, 4294967295]) },
  'int64_3.npy': { dtype: 'int64', shape: [3], data: new BigInt64Array([-(2n ** 63n), -1n, 2n ** 63n - 1n]) },
  'uint64_2.npy': { dtype: 'uint64', shape: [2], data: new BigUint64Array([0n, 2n ** 64n - 1n]) },
  'float16_7.npy': {
    dtype: 'float16',
    shape: [7],
    data: new Uint16Array([0x0000, 0x8000, 0x3c00, 0x7bff, 0x7c00, 0x0001, 0x7e00]),
  },
  'float32_0x3.npy': { dtype: 'float32', shape: [0, 3], data: new Float32Array(0) },
  'float32_3.npy': { dtype: 'float32', shape: [3], data: new Float32Array([1.5, -0, 3.4028234663852886e38]) },
  'float64_4.npy': { dtype: 'float64', shape: [4], data: new Float64Array([0.1, -2.5, Infinity, 1e-310]) },
  'uint8_1x1.npy': { dtype: 'uint8', shape: [1, 1], data: new Uint8Array([0]) },
};

function expectSameArray(got: NpyArray, want: NpyArray): void {
  expect(got.dtype).toBe(want.dtype);
  expect(got.shape).toEqual(want.shape);
  expect(got.data.constructor).toBe(want.data.constructor);
  // Compare bit patterns (so -0, NaN payloads and subnormals count).
  expect(Buffer.from(got.data.buffer, got.data.byteOffset, got.data.byteLength)).toEqual(
    Buffer.from(want.data.buffer, want.data.byteOffset, want.data.byteLength),
  );
}

/** Catches the NpyError thrown by fn and returns its message. */
function npyErrorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(NpyError);
    const msg = (e as Error).message;
    expect(msg).not.toContain('\n');
    return msg;
  }
  throw new Error('expected an NpyError');
}

/** A seeded random array of a dtype and shape (fast-check arbitrary). */
function arbArray(dtype: NpyDtype): fc.Arbitrary<NpyArray> {
  const shapeArb = fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 0, maxLength: 3 });
  return shapeArb.chain((shape) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const bytesPer = { bool: 1, int8: 1, uint8: 1, int16: 2, uint16: 2, int32: 4, uint32: 4, int64: 8, uint64: 8, float16: 2, float32: 4, float64: 8 }[dtype];
    return fc.uint8Array({ minLength: n * bytesPer, maxLength: n * bytesPer }).map((raw): NpyArray => {
      const buf = raw.slice().buffer;
      switch (dtype) {
        case 'bool':
          return { dtype, shape, data: raw.map((b) => b & 1) };
        case 'int8':
          return { dtype, shape, data: new Int8Array(buf) };
        case 'uint8':
          return { dtype, shape, data: new Uint8Array(buf) };
        case 'int16':
          return { dtype, shape, data: new Int16Array(buf) };
        case 'uint16':
        case 'float16':
          return { dtype, shape, data: new Uint16Array(buf) };
        case 'int32':
          return { dtype, shape, data: new Int32Array(buf) };
        case 'uint32':
          return { dtype, shape, data: new Uint32Array(buf) };
        case 'int64':
          return { dtype, shape, data: new BigInt64Array(buf) };
        case 'uint64':
          return { dtype, shape, data: new BigUint64Array(buf) };
        case 'float32':
          return { dtype, shape, data: new Float32Array(buf) };
        case 'float64':
          return { dtype, shape, data: new Float64Array(buf) };
      }
    });
  });
}

describe('npy round trip', () => {
  it.each(NPY_DTYPES.map((d) => [d]))('%s: readNpy(writeNpy(a)) is a', (dtype) => {
    fc.assert(
      fc.property(arbArray(dtype), (a) => {
        const bytes = writeNpy(a);
        expect((bytes.length - a.data.byteLength) % 64).toBe(0); // header aligned like numpy's
        expectSameArray(readNpy(bytes), a);
      }),
      { seed: 42, numRuns: 60 },
    );
  });

  it('reads unaligned input (header not at an 8-byte boundary of the buffer)', () => {
    const a: NpyArray = { dtype: 'float64', shape: [2], data: new Float64Array([1.25, -3]) };
    const bytes = writeNpy(a);
    const shifted = new Uint8Array(bytes.length + 3);
    shifted.set(bytes, 3);
    expectSameArray(readNpy(shifted.subarray(3)), a);
  });

  it('writes format 2.0 when the header does not fit 16 bits, and reads it back', () => {
    const shape = new Array<number>(25000).fill(1);
    const a: NpyArray = { dtype: 'int16', shape, data: new Int16Array([-5]) };
    const bytes = writeNpy(a);
    expect([bytes[6], bytes[7]]).toEqual([2, 0]);
    expect((bytes.length - 2) % 64).toBe(0);
    expectSameArray(readNpy(bytes), a);
  });

  it('readNpyFile/writeNpyFile round trip', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'kvhdl-npy-'));
    try {
      const a: NpyArray = { dtype: 'uint32', shape: [2, 2], data: new Uint32Array([1, 2, 3, 0xffffffff]) };
      const p = path.join(dir, 'a.npy');
      await writeNpyFile(p, a);
      expectSameArray(await readNpyFile(p), a);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('npy files written by numpy (test/fixtures/npy, from make-fixtures.py)', () => {
  it.each(Object.keys(NUMPY_FIXTURES).map((k) => [k]))('%s: read, and written byte-for-byte the same', async (name) => {
    const bytes = new Uint8Array(await readFile(path.join(FIXTURES, name)));
    const want = NUMPY_FIXTURES[name];
    expectSameArray(readNpy(bytes, name), want);
    expect(Buffer.from(writeNpy(want))).toEqual(Buffer.from(bytes));
  });

  it('reads numpy format 2.0 and 3.0 files', async () => {
    expectSameArray(await readNpyFile(path.join(FIXTURES, 'float32_2x3_v2.npy')), {
      dtype: 'float32',
      shape: [2, 3],
      data: new Float32Array([0, 1, 2, 3, 4, 5]),
    });
    expectSameArray(await readNpyFile(path.join(FIXTURES, 'int16_4_v3.npy')), {
      dtype: 'int16',
      shape: [4],
      data: new Int16Array([1, -2, 3, -4]),
    });
  });
});

describe('npy header parsing (hand-made bytes)', () => {
  it("parses keys in any order, '|u1', extra whitespace, no trailing comma", () => {
    const a = readNpy(npyBytes("{ 'shape' : ( 2 , 2 ) ,\"fortran_order\":False,'descr':'|u1'}\n", [1, 2, 3, 255]));
    expectSameArray(a, { dtype: 'uint8', shape: [2, 2], data: new Uint8Array([1, 2, 3, 255]) });
  });

  it('parses a version 2.0 header (32-bit length)', () => {
    const a = readNpy(npyBytes("{'descr': '<i2', 'fortran_order': False, 'shape': (3,), }   \n", [1, 0, 0xff, 0xff, 0, 0x80], 2));
    expectSameArray(a, { dtype: 'int16', shape: [3], data: new Int16Array([1, -1, -32768]) });
  });

  it('parses a 0-d array, a bool, Python-2 style long dims and the 1-byte aliases', () => {
    expectSameArray(readNpy(npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': ()}", [0, 0, 0xc0, 0x3f])), {
      dtype: 'float32',
      shape: [],
      data: new Float32Array([1.5]),
    });
    expectSameArray(readNpy(npyBytes("{'descr': '|b1', 'fortran_order': False, 'shape': (2L, 1L)}", [1, 0])), {
      dtype: 'bool',
      shape: [2, 1],
      data: new Uint8Array([1, 0]),
    });
    expect(readNpy(npyBytes("{'descr': '<i1', 'fortran_order': False, 'shape': (1,)}", [0xfe])).data).toEqual(
      new Int8Array([-2]),
    );
    expect(readNpy(npyBytes("{'descr': '<f2', 'fortran_order': False, 'shape': (1,)}", [0x00, 0x3c])).dtype).toBe(
      'float16',
    );
  });
});

describe('npy rejects bad input with one-line NpyError messages', () => {
  const hdr = (descr: string, shape = '(1,)', fortran = 'False') =>
    `{'descr': ${descr}, 'fortran_order': ${fortran}, 'shape': ${shape}, }`;

  it.each([
    ['not npy at all', enc('hello world, not numpy'), /not a \.npy file/],
    ['too short', new Uint8Array([0x93, 0x4e]), /not a \.npy file \(only 2 bytes\)/],
    ['unknown version', (() => { const b = npyBytes(hdr("'<i4'"), [0, 0, 0, 0]); b[6] = 4; return b; })(), /unsupported \.npy format version 4\.0/],
    ['truncated header', npyBytes(hdr("'<i4'")).subarray(0, 30), /truncated header/],
    ['fortran order', npyBytes(hdr("'<i4'", '(2, 2)', 'True'), new Array(16).fill(0)), /fortran_order=True is not supported/],
    ['big-endian', npyBytes(hdr("'>i4'"), [0, 0, 0, 1]), /big-endian dtype '>i4' is not supported/],
    ['native order', npyBytes(hdr("'=i4'"), [0, 0, 0, 1]), /must state little-endian/],
    ['object dtype', npyBytes(hdr("'|O'"), new Array(8).fill(0)), /unsupported dtype '\|O' \(object arrays are not supported\)/],
    ['complex dtype', npyBytes(hdr("'<c8'"), new Array(8).fill(0)), /complex arrays are not supported/],
    ['string dtype', npyBytes(hdr("'<U3'"), new Array(12).fill(0)), /string arrays are not supported/],
    ['structured dtype', npyBytes(hdr("[('a', '<i4'), ('b', '<f4')]"), new Array(8).fill(0)), /structured\/record dtypes are not supported/],
    ['float128', npyBytes(hdr("'<f16'"), new Array(16).fill(0)), /unsupported dtype '<f16'/],
    ['truncated data', npyBytes(hdr("'<i4'", '(3,)'), [1, 0, 0, 0, 2, 0]), /truncated data: shape \(3\) of int32 needs 12 bytes, the file has 6/],
    ['trailing bytes', npyBytes(hdr("'<i2'", '(1,)'), [1, 0, 9]), /1 unexpected bytes after the data/],
    ['missing key', npyBytes("{'descr': '<i2', 'shape': (1,)}", [1, 0]), /header keys must be exactly/],
    ['extra key', npyBytes("{'descr': '<i2', 'fortran_order': False, 'shape': (1,), 'x': 1}", [1, 0]), /header keys must be exactly/],
    ['malformed header', npyBytes("{'descr': '<i2', 'fortran_order': False, 'shape': (1,", [1, 0]), /malformed header/],
    ['header not a dict', npyBytes('(1, 2)', []), /header is a tuple, not a dictionary/],
    ['shape not a tuple', npyBytes(hdr("'<i2'", '[1]'), [1, 0]), /'shape' must be a tuple/],
    ['negative dim', npyBytes(hdr("'<i2'", '(-1,)'), []), /non-negative integers/],
    ['bool byte 2', npyBytes(hdr("'|b1'", '(2,)'), [1, 2]), /bool element 1 has byte value 2/],
  ] as const)('%s', (_name, bytes, re) => {
    const msg = npyErrorOf(() => readNpy(bytes, 'bad.npy'));
    expect(msg.startsWith('bad.npy: ')).toBe(true);
    expect(msg).toMatch(re);
  });

  it('writeNpy rejects shape/data mismatch, wrong typed arrays and unknown dtypes', () => {
    expect(npyErrorOf(() => writeNpy({ dtype: 'int32', shape: [2, 3], data: new Int32Array(5) }, 'out.npy'))).toBe(
      'out.npy: shape (2, 3) has 6 elements but data has 5',
    );
    expect(npyErrorOf(() => writeNpy({ dtype: 'int32', shape: [2], data: new Uint32Array(2) }))).toMatch(
      /dtype int32 needs its data in a Int32Array, got Uint32Array/,
    );
    expect(
      npyErrorOf(() => writeNpy({ dtype: 'complex64' as NpyDtype, shape: [1], data: new Float32Array(2) })),
    ).toMatch(/unsupported dtype 'complex64'/);
    expect(npyErrorOf(() => writeNpy({ dtype: 'int8', shape: [1.5], data: new Int8Array(1) }))).toMatch(
      /invalid dimension 1\.5/,
    );
    expect(npyErrorOf(() => writeNpy({ dtype: 'bool', shape: [1], data: new Uint8Array([3]) }))).toMatch(
      /bool element 0 is 3/,
    );
  });

  it('readNpyFile names the file when it is missing or bad', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'kvhdl-npy-'));
    try {
      const missing = path.join(dir, 'nope.npy');
      await expect(readNpyFile(missing)).rejects.toThrow(new NpyError(missing, 'cannot read: no such file'));
      const bad = path.join(dir, 'bad.npy');
      await writeFile(bad, npyBytes("{'descr': '>f8', 'fortran_order': False, 'shape': (1,)}", new Array(8).fill(0)));
      await expect(readNpyFile(bad)).rejects.toThrow(`${bad}: big-endian dtype '>f8' is not supported`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Live cross-check against numpy. numpy is part of the project's toolchain (python3-numpy in
// /work/shared/toolchain.md); where it is missing, the same claims are checked against the
// numpy-written fixtures above, so this test never silently passes without checking anything.

describe('npy against numpy itself', () => {
  let dir = '';
  let hasNumpy = false;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'kvhdl-npy-np-'));
    const r = await runTool('python3', ['-c', 'import numpy'], { timeoutMs: 60_000 });
    hasNumpy = r.exitCode === 0;
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('numpy reads what we write, and np.save of it is byte-identical to ours; we read numpy output', async () => {
    if (!hasNumpy) {
      // Recorded numpy output instead of live numpy (see make-fixtures.py).
      for (const [name, want] of Object.entries(NUMPY_FIXTURES)) {
        const bytes = new Uint8Array(await readFile(path.join(FIXTURES, name)));
        expect(Buffer.from(writeNpy(want))).toEqual(Buffer.from(bytes));
      }
      return;
    }
    const arrays: NpyArray[] = [];
    NPY_DTYPES.forEach((dtype, k) => {
      arrays.push(...fc.sample(arbArray(dtype), { seed: 7 + k, numRuns: 4 }));
    });
    const names = arrays.map((_, i) => `a${i}`);
    await Promise.all(arrays.map((a, i) => writeNpyFile(path.join(dir, `${names[i]}.npy`), a)));
    const script = `
import sys, numpy as np
d = sys.argv[1]
for name in sys.argv[2:]:
    a = np.load(f"{d}/{name}.npy", allow_pickle=False)
    print(name, a.dtype.name, a.shape)
    np.save(f"{d}/{name}.np.npy", a)
`;
    const r = await runTool('python3', ['-c', script, dir, ...names], { timeoutMs: 120_000 });
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    const lines = r.stdout.trim().split('\n');
    for (let i = 0; i < arrays.length; i++) {
      const a = arrays[i];
      const pyShape = a.shape.length === 1 ? `(${a.shape[0]},)` : `(${a.shape.join(', ')})`;
      expect(lines[i]).toBe(`${names[i]} ${a.dtype} ${pyShape}`);
      const theirs = new Uint8Array(await readFile(path.join(dir, `${names[i]}.np.npy`)));
      expect(Buffer.from(theirs)).toEqual(Buffer.from(writeNpy(a)));
      expectSameArray(readNpy(theirs), a);
    }
  });
});
