/**
 * NumPy `.npy` files: read format versions 1.0, 2.0 and 3.0, write 1.0 (2.0 when the header does
 * not fit 1.0's 16-bit length), byte-for-byte the way `numpy.save` writes them.
 *
 * Supported: little-endian (or byte-order-free) numeric and bool dtypes in C order. Everything else
 * (Fortran order, big-endian, object/structured/string dtypes, truncated files) is rejected with an
 * `NpyError` whose message is one line naming the file and the problem. See cosim/npy.md.
 */
import { readFile, writeFile } from 'node:fs/promises';

export type NpyDtype =
  | 'bool'
  | 'int8'
  | 'uint8'
  | 'int16'
  | 'uint16'
  | 'int32'
  | 'uint32'
  | 'int64'
  | 'uint64'
  | 'float16'
  | 'float32'
  | 'float64';

export type NpyData =
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array
  | Float32Array
  | Float64Array;

/**
 * An n-dimensional array in C (row-major) order. `data.length` is the product of `shape` (1 for a
 * 0-d array, `shape = []`). `float16` data holds the raw IEEE binary16 bit patterns in a
 * Uint16Array; `bool` data is a Uint8Array of 0/1.
 */
export interface NpyArray {
  dtype: NpyDtype;
  shape: number[];
  data: NpyData;
}

/** Bad .npy input or an array that cannot be written. The message is one line: `<file>: <problem>`. */
export class NpyError extends Error {
  override name = 'NpyError';
  /** The file (or `<bytes>`) the problem is about. */
  readonly source: string;
  /** The problem without the source prefix. */
  readonly problem: string;
  constructor(source: string, problem: string) {
    super(`${source}: ${problem}`);
    this.source = source;
    this.problem = problem;
  }
}

interface DtypeInfo {
  /** numpy `descr` kind+size without the byte-order character, e.g. 'f4'. */
  code: string;
  size: number;
  /** Typed array constructor used for the data. */
  make: (buf: ArrayBuffer, length: number) => NpyData;
  ctorName: string;
  is: (d: unknown) => boolean;
}

type TypedCtor = { new (buf: ArrayBuffer, offset: number, length: number): NpyData; name: string };

function dt(code: string, size: number, Ctor: TypedCtor): DtypeInfo {
  return { code, size, make: (b, n) => new Ctor(b, 0, n), ctorName: Ctor.name, is: (d) => d instanceof Ctor };
}

const DTYPES: Record<NpyDtype, DtypeInfo> = {
  bool: dt('b1', 1, Uint8Array),
  int8: dt('i1', 1, Int8Array),
  uint8: dt('u1', 1, Uint8Array),
  int16: dt('i2', 2, Int16Array),
  uint16: dt('u2', 2, Uint16Array),
  int32: dt('i4', 4, Int32Array),
  uint32: dt('u4', 4, Uint32Array),
  int64: dt('i8', 8, BigInt64Array),
  uint64: dt('u8', 8, BigUint64Array),
  float16: dt('f2', 2, Uint16Array),
  float32: dt('f4', 4, Float32Array),
  float64: dt('f8', 8, Float64Array),
};

/** Every supported dtype name. */
export const NPY_DTYPES: readonly NpyDtype[] = Object.keys(DTYPES) as NpyDtype[];

const BY_CODE = new Map<string, NpyDtype>(NPY_DTYPES.map((d) => [DTYPES[d].code, d]));
// Aliases numpy accepts in a descr string.
BY_CODE.set('?', 'bool');
BY_CODE.set('b', 'int8');
BY_CODE.set('B', 'uint8');
BY_CODE.set('e', 'float16');
BY_CODE.set('f', 'float32');
BY_CODE.set('d', 'float64');

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
const ARRAY_ALIGN = 64;
const GROWTH_AXIS_MAX_DIGITS = 21;
const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

// ---------------------------------------------------------------------------------------------
// Header parsing: a Python dict literal (what numpy writes with repr and reads with literal_eval).

type PyValue = string | number | boolean | null | PyValue[] | { tuple: PyValue[] } | Map<string, PyValue>;

class HeaderParser {
  private pos = 0;
  constructor(
    private readonly text: string,
    private readonly fail: (problem: string) => never,
  ) {}

  parseAll(): PyValue {
    const v = this.value();
    this.ws();
    if (this.pos !== this.text.length) this.error(`unexpected ${JSON.stringify(this.text[this.pos])}`);
    return v;
  }

  private error(what: string): never {
    this.fail(`malformed header at character ${this.pos}: ${what} in ${JSON.stringify(this.text.trim())}`);
  }

  private ws(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos])) this.pos++;
  }

  private value(): PyValue {
    this.ws();
    const c = this.text[this.pos];
    if (c === undefined) this.error('unexpected end');
    if (c === '{') return this.dict();
    if (c === '(') return { tuple: this.seq('(', ')') };
    if (c === '[') return this.seq('[', ']');
    if (c === "'" || c === '"') return this.str();
    const m = /^(?:True|False|None|[-+]?\d+L?)/.exec(this.text.slice(this.pos));
    if (!m) this.error(`unexpected ${JSON.stringify(c)}`);
    this.pos += m[0].length;
    if (m[0] === 'True') return true;
    if (m[0] === 'False') return false;
    if (m[0] === 'None') return null;
    const n = Number(m[0].replace(/L$/, ''));
    if (!Number.isSafeInteger(n)) this.error(`integer ${m[0]} too large`);
    return n;
  }

  private str(): string {
    const q = this.text[this.pos++];
    let s = '';
    for (;;) {
      const c = this.text[this.pos++];
      if (c === undefined) this.error('unterminated string');
      if (c === q) return s;
      if (c === '\\') {
        const e = this.text[this.pos++];
        if (e === undefined) this.error('unterminated string');
        s += e === 'n' ? '\n' : e === 't' ? '\t' : e;
      } else s += c;
    }
  }

  private seq(open: string, close: string): PyValue[] {
    this.pos++; // open
    const items: PyValue[] = [];
    for (;;) {
      this.ws();
      if (this.text[this.pos] === close) {
        this.pos++;
        return items;
      }
      items.push(this.value());
      this.ws();
      const c = this.text[this.pos];
      if (c === ',') this.pos++;
      else if (c !== close) this.error(`expected ',' or '${close}' after ${open}...`);
    }
  }

  private dict(): Map<string, PyValue> {
    this.pos++; // {
    const d = new Map<string, PyValue>();
    for (;;) {
      this.ws();
      if (this.text[this.pos] === '}') {
        this.pos++;
        return d;
      }
      const k = this.value();
      if (typeof k !== 'string') this.error('dictionary keys must be strings');
      this.ws();
      if (this.text[this.pos] !== ':') this.error(`expected ':' after key '${k}'`);
      this.pos++;
      d.set(k, this.value());
      this.ws();
      const c = this.text[this.pos];
      if (c === ',') this.pos++;
      else if (c !== '}') this.error("expected ',' or '}'");
    }
  }
}

function describe(v: PyValue): string {
  if (v instanceof Map) return 'a dictionary';
  if (Array.isArray(v)) return 'a list';
  if (v !== null && typeof v === 'object') return 'a tuple';
  return JSON.stringify(v);
}

function parseDescr(descr: PyValue, fail: (p: string) => never): NpyDtype {
  if (typeof descr !== 'string') {
    fail(`structured/record dtypes are not supported (descr is ${describe(descr)})`);
  }
  const m = /^([<>|=]?)([a-zA-Z?]\d*)$/.exec(descr);
  if (!m) fail(`unsupported dtype '${descr}'`);
  const [, order, code] = m;
  const dtype = BY_CODE.get(code);
  if (!dtype) {
    const kind = code[0];
    const why =
      kind === 'O'
        ? 'object arrays are not supported'
        : kind === 'U' || kind === 'S' || kind === 'a'
          ? 'string arrays are not supported'
          : kind === 'c'
            ? 'complex arrays are not supported'
            : kind === 'M' || kind === 'm'
              ? 'datetime arrays are not supported'
              : kind === 'V'
                ? 'void/raw arrays are not supported'
                : `supported dtypes are ${NPY_DTYPES.join(', ')}`;
    fail(`unsupported dtype '${descr}' (${why})`);
  }
  const size = DTYPES[dtype].size;
  if (size > 1) {
    if (order === '>') fail(`big-endian dtype '${descr}' is not supported (convert with a.astype('<${code}'))`);
    if (order !== '<') fail(`dtype '${descr}' must state little-endian byte order ('<${code}')`);
  }
  return dtype;
}

// ---------------------------------------------------------------------------------------------

/**
 * Parses the bytes of a .npy file. `source` names the file in error messages (default `<bytes>`).
 * The returned data is a fresh, aligned copy.
 */
export function readNpy(bytes: Uint8Array, source = '<bytes>'): NpyArray {
  const fail: (problem: string) => never = (problem) => {
    throw new NpyError(source, problem);
  };
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) {
    fail(bytes.length < 6 ? `not a .npy file (only ${bytes.length} bytes)` : 'not a .npy file (missing \\x93NUMPY magic)');
  }
  const major = bytes[6];
  const minor = bytes[7];
  let headerLen: number;
  let headerStart: number;
  if (major === 1) {
    headerLen = bytes[8] | (bytes[9] << 8);
    headerStart = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) fail(`truncated header (file is ${bytes.length} bytes)`);
    headerLen = (bytes[8] | (bytes[9] << 8) | (bytes[10] << 16) | (bytes[11] << 24)) >>> 0;
    headerStart = 12;
  } else {
    return fail(`unsupported .npy format version ${major}.${minor} (supported: 1.0, 2.0, 3.0)`);
  }
  if (minor !== 0) fail(`unsupported .npy format version ${major}.${minor} (supported: 1.0, 2.0, 3.0)`);
  const dataStart = headerStart + headerLen;
  if (dataStart > bytes.length) {
    fail(`truncated header: it declares ${headerLen} bytes but the file has ${bytes.length - headerStart} after the prefix`);
  }
  const headerBytes = bytes.subarray(headerStart, dataStart);
  let header: string;
  if (major === 3) {
    try {
      header = new TextDecoder('utf-8', { fatal: true }).decode(headerBytes);
    } catch {
      return fail('header is not valid UTF-8');
    }
  } else {
    header = '';
    for (const b of headerBytes) {
      if (b > 0x7f) fail('header is not ASCII (format version 1.0/2.0 headers are latin1 Python literals)');
      header += String.fromCharCode(b);
    }
  }

  const dict = new HeaderParser(header, fail).parseAll();
  if (!(dict instanceof Map)) return fail(`header is ${describe(dict)}, not a dictionary`);
  const keys = [...dict.keys()].sort();
  if (keys.join(',') !== 'descr,fortran_order,shape') {
    fail(`header keys must be exactly 'descr', 'fortran_order', 'shape' (got ${keys.map((k) => `'${k}'`).join(', ') || 'none'})`);
  }
  const fortran = dict.get('fortran_order');
  if (typeof fortran !== 'boolean') fail(`'fortran_order' must be True or False (got ${describe(fortran!)})`);
  if (fortran) fail('fortran_order=True is not supported (save a C-ordered array: np.ascontiguousarray(a))');
  const dtype = parseDescr(dict.get('descr')!, fail);
  const shapeV = dict.get('shape')!;
  if (shapeV === null || typeof shapeV !== 'object' || !('tuple' in shapeV)) {
    return fail(`'shape' must be a tuple of integers (got ${describe(shapeV)})`);
  }
  const shape: number[] = [];
  for (const d of shapeV.tuple) {
    if (typeof d !== 'number' || d < 0) fail(`'shape' must be a tuple of non-negative integers (got ${describe(d)})`);
    shape.push(d as number);
  }
  const count = shapeSize(shape, fail);
  const info = DTYPES[dtype];
  const nbytes = count * info.size;
  const available = bytes.length - dataStart;
  if (available < nbytes) {
    fail(`truncated data: shape (${shape.join(', ')}) of ${dtype} needs ${nbytes} bytes, the file has ${available}`);
  }
  if (available > nbytes) {
    fail(`${available - nbytes} unexpected bytes after the data (shape (${shape.join(', ')}) of ${dtype} is ${nbytes} bytes)`);
  }
  const buf = new ArrayBuffer(nbytes);
  const dst = new Uint8Array(buf);
  dst.set(bytes.subarray(dataStart, dataStart + nbytes));
  if (!HOST_LITTLE_ENDIAN) byteSwap(dst, info.size);
  if (dtype === 'bool') {
    const bad = dst.findIndex((b) => b > 1);
    if (bad >= 0) fail(`bool element ${bad} has byte value ${dst[bad]} (expected 0 or 1)`);
  }
  return { dtype, shape, data: info.make(buf, count) };
}

function shapeSize(shape: readonly number[], fail: (p: string) => never): number {
  let n = 1;
  for (const d of shape) {
    if (!Number.isSafeInteger(d) || d < 0) fail(`shape (${shape.join(', ')}) has an invalid dimension ${d}`);
    n *= d;
    if (!Number.isSafeInteger(n)) fail(`shape (${shape.join(', ')}) is too large`);
  }
  return n;
}

function byteSwap(b: Uint8Array, size: number): void {
  if (size === 1) return;
  for (let i = 0; i < b.length; i += size) b.subarray(i, i + size).reverse();
}

function pyShape(shape: readonly number[]): string {
  if (shape.length === 0) return '()';
  if (shape.length === 1) return `(${shape[0]},)`;
  return `(${shape.join(', ')})`;
}

/** Checks that `a` is well-formed (known dtype, typed array matching it, data length = shape size). */
export function validateNpyArray(a: NpyArray, source = '<array>'): void {
  const fail: (problem: string) => never = (problem) => {
    throw new NpyError(source, problem);
  };
  const info = (DTYPES as Record<string, DtypeInfo | undefined>)[a.dtype];
  if (!info) fail(`unsupported dtype '${String(a.dtype)}' (supported: ${NPY_DTYPES.join(', ')})`);
  if (!Array.isArray(a.shape)) fail('shape must be an array of non-negative integers');
  const count = shapeSize(a.shape, fail);
  if (!info!.is(a.data)) {
    const got = (a.data as { constructor?: { name?: string } } | undefined)?.constructor?.name ?? typeof a.data;
    fail(`dtype ${a.dtype} needs its data in a ${info!.ctorName}, got ${got}`);
  }
  if (a.data.length !== count) {
    fail(`shape ${pyShape(a.shape)} has ${count} elements but data has ${a.data.length}`);
  }
  if (a.dtype === 'bool') {
    const d = a.data as Uint8Array;
    const bad = d.findIndex((b) => b > 1);
    if (bad >= 0) fail(`bool element ${bad} is ${d[bad]} (expected 0 or 1)`);
  }
}

/**
 * Serialises an array as a .npy file, byte-for-byte as `numpy.save` writes it (format 1.0, or
 * 2.0 when the header is longer than 65535 bytes). Throws NpyError for a malformed array.
 */
export function writeNpy(a: NpyArray, source = '<array>'): Uint8Array {
  validateNpyArray(a, source);
  const info = DTYPES[a.dtype];
  const descr = `${info.size === 1 ? '|' : '<'}${info.code}`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${pyShape(a.shape)}, }`;
  if (a.shape.length > 0) header += ' '.repeat(Math.max(0, GROWTH_AXIS_MAX_DIGITS - String(a.shape[0]).length));
  let major = 1;
  let prefixLen = 10;
  const hlen = header.length + 1;
  let padlen = ARRAY_ALIGN - ((prefixLen + hlen) % ARRAY_ALIGN);
  if (hlen + padlen > 0xffff) {
    major = 2;
    prefixLen = 12;
    padlen = ARRAY_ALIGN - ((prefixLen + hlen) % ARRAY_ALIGN);
  }
  const total = hlen + padlen;
  const nbytes = a.data.byteLength;
  const out = new Uint8Array(prefixLen + total + nbytes);
  out.set(MAGIC, 0);
  out[6] = major;
  out[7] = 0;
  if (major === 1) {
    out[8] = total & 0xff;
    out[9] = total >> 8;
  } else {
    new DataView(out.buffer).setUint32(8, total, true);
  }
  for (let i = 0; i < header.length; i++) out[prefixLen + i] = header.charCodeAt(i);
  out.fill(0x20, prefixLen + header.length, prefixLen + total - 1);
  out[prefixLen + total - 1] = 0x0a;
  const data = new Uint8Array(a.data.buffer, a.data.byteOffset, nbytes);
  out.set(data, prefixLen + total);
  if (!HOST_LITTLE_ENDIAN) byteSwap(out.subarray(prefixLen + total), info.size);
  return out;
}

/** Reads and parses a .npy file; errors name the file. */
export async function readNpyFile(path: string): Promise<NpyArray> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why =
      err.code === 'ENOENT' ? 'no such file' : err.code === 'EISDIR' ? 'is a directory' : (err.code ?? err.message);
    throw new NpyError(path, `cannot read: ${why}`);
  }
  return readNpy(bytes, path);
}

/** Writes an array as a .npy file; errors name the file. */
export async function writeNpyFile(path: string, a: NpyArray): Promise<void> {
  const bytes = writeNpy(a, path);
  try {
    await writeFile(path, bytes);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new NpyError(path, `cannot write: ${err.code ?? err.message}`);
  }
}

/** Number of elements of a shape (1 for a 0-d array). */
export function npySize(shape: readonly number[]): number {
  return shapeSize(shape, (p) => {
    throw new NpyError('<shape>', p);
  });
}
