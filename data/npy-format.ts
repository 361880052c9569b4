/**
 * The .npy format itself: dtypes, the header (a Python dict literal) and its prefix, shape
 * arithmetic and array validation. Shared by the in-memory codec (`npy.ts`) and the bounded file
 * reader/writer (`npy-file.ts`). See data/npy.md.
 */
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

export interface DtypeInfo {
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

export const DTYPES: Record<NpyDtype, DtypeInfo> = {
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

export const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
const ARRAY_ALIGN = 64;
const GROWTH_AXIS_MAX_DIGITS = 21;
export const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

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
// The fixed prefix (magic, version, header length) and the header.

/** Bytes a reader needs to see before it knows the header's length (the v2.0/v3.0 prefix). */
export const NPY_PREFIX_MAX = 12;
/**
 * Longest header accepted (1 MiB). numpy itself refuses headers over 10000 bytes unless told
 * otherwise; this bound keeps a corrupt length field from making a reader allocate gigabytes.
 */
export const NPY_MAX_HEADER = 1 << 20;

export interface NpyPrefix {
  major: number;
  /** Offset of the header text (10 for format 1.0, 12 for 2.0 and 3.0). */
  headerStart: number;
  headerLen: number;
}

/**
 * Checks the magic and version in the first bytes of a file (all of it if it is shorter than
 * NPY_PREFIX_MAX) and returns the header's position and length.
 */
export function parseNpyPrefix(bytes: Uint8Array, source: string): NpyPrefix {
  const fail = failer(source);
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
  if (headerLen > NPY_MAX_HEADER) fail(`header length ${headerLen} is over the ${NPY_MAX_HEADER}-byte limit (corrupt file?)`);
  return { major, headerStart, headerLen };
}

export interface NpyHeader {
  dtype: NpyDtype;
  shape: number[];
  /** Elements (product of shape; 1 for 0-d). */
  count: number;
  /** Data bytes the header implies. */
  nbytes: number;
  /** Offset of the data in the file. */
  dataStart: number;
}

/** Parses the header text (`headerBytes` = the header alone, after the prefix). */
export function parseNpyHeader(prefix: NpyPrefix, headerBytes: Uint8Array, source: string): NpyHeader {
  const fail = failer(source);
  let header: string;
  if (prefix.major === 3) {
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
  const nbytes = count * DTYPES[dtype].size;
  if (!Number.isSafeInteger(nbytes)) fail(`shape (${shape.join(', ')}) is too large`);
  return { dtype, shape, count, nbytes, dataStart: prefix.headerStart + prefix.headerLen };
}

/** Checks a data length against the header: the same messages for bytes in memory and files. */
export function checkDataLength(h: NpyHeader, available: number, source: string): void {
  const fail = failer(source);
  if (available < h.nbytes) {
    fail(`truncated data: shape (${h.shape.join(', ')}) of ${h.dtype} needs ${h.nbytes} bytes, the file has ${available}`);
  }
  if (available > h.nbytes) {
    fail(`${available - h.nbytes} unexpected bytes after the data (shape (${h.shape.join(', ')}) of ${h.dtype} is ${h.nbytes} bytes)`);
  }
}

/**
 * Most elements a typed array holds in Node.js 20 (V8's limit, 2^32): the largest array readNpy
 * and readNpyFile can return, whatever the dtype (memory permitting).
 */
export const NPY_MAX_ELEMENTS = 2 ** 32;

/** Allocates the data buffer for a header: NpyError when it is over the typed-array limit or memory is short. */
export function allocateData(h: NpyHeader, source: string): ArrayBuffer {
  const fail = failer(source);
  if (h.count > NPY_MAX_ELEMENTS) {
    fail(`shape (${h.shape.join(', ')}) has ${h.count} elements; arrays in Node.js hold at most ${NPY_MAX_ELEMENTS} (2^32)`);
  }
  try {
    return new ArrayBuffer(h.nbytes);
  } catch {
    return fail(`cannot allocate ${h.nbytes} bytes for shape (${h.shape.join(', ')}) of ${h.dtype} (out of memory)`);
  }
}

/** Turns the raw little-endian data bytes into the dtype's typed array (byte swap on big-endian hosts, bool check). */
export function finishData(h: NpyHeader, buf: ArrayBuffer, source: string): NpyArray {
  const info = DTYPES[h.dtype];
  const dst = new Uint8Array(buf);
  if (!HOST_LITTLE_ENDIAN) byteSwap(dst, info.size);
  if (h.dtype === 'bool') {
    const bad = dst.findIndex((b) => b > 1);
    if (bad >= 0) failer(source)(`bool element ${bad} has byte value ${dst[bad]} (expected 0 or 1)`);
  }
  return { dtype: h.dtype, shape: h.shape, data: info.make(buf, h.count) };
}

/**
 * The prefix and padded header `numpy.save` writes for an array (format 1.0, or 2.0 when the
 * header is longer than 65535 bytes); the data follows it.
 */
export function encodeNpyHeader(a: NpyArray): Uint8Array {
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
  const out = new Uint8Array(prefixLen + total);
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
  return out;
}

/** The raw bytes of an array's data (a view; a little-endian copy on big-endian hosts). */
export function dataBytes(a: NpyArray): Uint8Array {
  const view = new Uint8Array(a.data.buffer, a.data.byteOffset, a.data.byteLength);
  if (HOST_LITTLE_ENDIAN) return view;
  const copy = view.slice();
  byteSwap(copy, DTYPES[a.dtype].size);
  return copy;
}

function failer(source: string): (problem: string) => never {
  return (problem) => {
    throw new NpyError(source, problem);
  };
}

export function shapeSize(shape: readonly number[], fail: (p: string) => never): number {
  let n = 1;
  for (const d of shape) {
    if (!Number.isSafeInteger(d) || d < 0) fail(`shape (${shape.join(', ')}) has an invalid dimension ${d}`);
    n *= d;
    if (!Number.isSafeInteger(n)) fail(`shape (${shape.join(', ')}) is too large`);
  }
  return n;
}

export function byteSwap(b: Uint8Array, size: number): void {
  if (size === 1) return;
  for (let i = 0; i < b.length; i += size) b.subarray(i, i + size).reverse();
}

export function pyShape(shape: readonly number[]): string {
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

/** Number of elements of a shape (1 for a 0-d array). */
export function npySize(shape: readonly number[]): number {
  return shapeSize(shape, (p) => {
    throw new NpyError('<shape>', p);
  });
}
