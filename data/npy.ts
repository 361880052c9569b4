/**
 * NumPy `.npy` files: read format versions 1.0, 2.0 and 3.0, write 1.0 (2.0 when the header does
 * not fit 1.0's 16-bit length), byte-for-byte the way `numpy.save` writes them.
 *
 * Supported: little-endian (or byte-order-free) numeric and bool dtypes in C order. Everything else
 * (Fortran order, big-endian, object/structured/string dtypes, truncated files) is rejected with an
 * `NpyError` whose message is one line naming the file and the problem. See data/npy.md.
 *
 * This file is the public surface and the in-memory codec; the format lives in `npy-format.ts`,
 * the bounded file reader and chunked writer in `npy-file.ts`.
 */
import {
  allocateData,
  checkDataLength,
  dataBytes,
  encodeNpyHeader,
  finishData,
  NpyError,
  parseNpyHeader,
  parseNpyPrefix,
  validateNpyArray,
  type NpyArray,
} from './npy-format.ts';

export {
  NPY_DTYPES,
  NPY_MAX_ELEMENTS,
  NpyError,
  npySize,
  validateNpyArray,
  type NpyArray,
  type NpyData,
  type NpyDtype,
} from './npy-format.ts';
export { readNpyFile, writeNpyFile } from './npy-file.ts';

/**
 * Parses the bytes of a .npy file. `source` names the file in error messages (default `<bytes>`).
 * The returned data is a fresh, aligned copy.
 */
export function readNpy(bytes: Uint8Array, source = '<bytes>'): NpyArray {
  const prefix = parseNpyPrefix(bytes, source);
  const dataStart = prefix.headerStart + prefix.headerLen;
  if (dataStart > bytes.length) {
    throw new NpyError(
      source,
      `truncated header: it declares ${prefix.headerLen} bytes but the file has ${bytes.length - prefix.headerStart} after the prefix`,
    );
  }
  const h = parseNpyHeader(prefix, bytes.subarray(prefix.headerStart, dataStart), source);
  checkDataLength(h, bytes.length - dataStart, source);
  const buf = allocateData(h, source);
  new Uint8Array(buf).set(bytes.subarray(dataStart, dataStart + h.nbytes));
  return finishData(h, buf, source);
}

/**
 * Serialises an array as a .npy file, byte-for-byte as `numpy.save` writes it (format 1.0, or
 * 2.0 when the header is longer than 65535 bytes). Throws NpyError for a malformed array.
 * For arrays over a few hundred MB use `writeNpyFile`, which writes the data in chunks.
 */
export function writeNpy(a: NpyArray, source = '<array>'): Uint8Array {
  validateNpyArray(a, source);
  const header = encodeNpyHeader(a);
  const data = dataBytes(a);
  const out = new Uint8Array(header.length + data.length);
  out.set(header, 0);
  out.set(data, header.length);
  return out;
}
