/** nuq tensors as .npy arrays (README.md "Files"): the x.npy check and the output arrays. */
import type { NpyArray } from '../../data/npy.ts';
import type { NuqConfig } from './config.ts';
import type { NuqTensor } from './golden.ts';

export const NUQ_OUTPUTS = ['codes', 'packed', 'outliers', 'dequant', 'flags'] as const;

/** The [T, D] patterns of x.npy (float16 or uint16 patterns for fp16; uint16 for bf16); one-line errors. */
export function nuqInput(cfg: Pick<NuqConfig, 'format' | 'channels'>, a: NpyArray, name = 'x'): Uint16Array {
  const allowed = cfg.format === 'fp16' ? ['float16', 'uint16'] : ['uint16'];
  if (!allowed.includes(a.dtype)) throw new Error(`${name} must be ${cfg.format === 'fp16' ? 'float16 (or uint16 binary16 patterns)' : 'uint16 (bfloat16 bit patterns)'} for format ${cfg.format}, got ${a.dtype}`);
  if (a.shape.length !== 2 || a.shape[1] !== cfg.channels) throw new Error(`${name} must have shape [tokens, ${cfg.channels}], got [${a.shape.join(', ')}]`);
  return a.data as Uint16Array;
}

/** The output arrays; per-token mode (q.scales given) adds `scales` [T, 2] (each token's mid, half). */
export function nuqOutputs(cfg: NuqConfig, q: NuqTensor & { scales?: Uint16Array }): Record<(typeof NUQ_OUTPUTS)[number], NpyArray> & { scales?: NpyArray } {
  const D = cfg.channels;
  const fdt = cfg.format === 'fp16' ? 'float16' : 'uint16';
  return {
    ...(q.scales ? { scales: { dtype: fdt, shape: [q.T, 2], data: q.scales } } : {}),
    codes: { dtype: 'uint8', shape: [q.T, D], data: q.codes },
    packed: { dtype: 'uint32', shape: [...q.packedShape], data: q.packed },
    outliers: { dtype: 'int32', shape: [q.outlierCount, 3], data: q.outliers },
    dequant: { dtype: fdt, shape: [q.T, D], data: q.dequant },
    flags: { dtype: 'uint8', shape: [q.T, D], data: q.flags },
  };
}

const INTEGER_DTYPES = ['int8', 'uint8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'uint64'];

/**
 * The dequantize mode's tensors (README.md "Dequantize mode", "From the command line"): codes.npy
 * [T, D] of codes < 2^b and outliers.npy [count, 3] (token, channel, 16-bit pattern), rows sorted by
 * (token, channel), each position at most once, token < T; any integer dtype (kvhdl writes uint8
 * and int32). One-line errors naming the array and the entry.
 */
export function nuqDeqInput(cfg: Pick<NuqConfig, 'channels' | 'bits'>, codesA: NpyArray, outA: NpyArray): { T: number; codes: Uint8Array; outliers: Int32Array } {
  const D = cfg.channels;
  const K = 2 ** cfg.bits;
  if (!INTEGER_DTYPES.includes(codesA.dtype)) throw new Error(`codes must be an integer array (uint8), got ${codesA.dtype}`);
  if (codesA.shape.length !== 2 || codesA.shape[1] !== D) throw new Error(`codes must have shape [tokens, ${D}], got [${codesA.shape.join(', ')}]`);
  const T = codesA.shape[0];
  const codes = new Uint8Array(T * D);
  for (let i = 0; i < codes.length; i++) {
    const v = Number(codesA.data[i]);
    if (!(v >= 0 && v < K)) throw new Error(`codes[${Math.floor(i / D)}, ${i % D}] = ${v} is not a ${cfg.bits}-bit code (0..${K - 1})`);
    codes[i] = v;
  }
  if (!INTEGER_DTYPES.includes(outA.dtype)) throw new Error(`outliers must be an integer array (int32), got ${outA.dtype}`);
  if (outA.shape.length !== 2 || outA.shape[1] !== 3) throw new Error(`outliers must have shape [count, 3] (token, channel, pattern), got [${outA.shape.join(', ')}]`);
  const n = outA.shape[0];
  const outliers = new Int32Array(3 * n);
  for (let r = 0; r < n; r++) {
    const [t, c, v] = [0, 1, 2].map((j) => Number(outA.data[3 * r + j]));
    const at = `outliers[${r}] = (${t}, ${c}, ${v})`;
    if (!(t >= 0 && t < T)) throw new Error(`${at}: token must be in 0..${T - 1} (codes has ${T} tokens)`);
    if (!(c >= 0 && c < D)) throw new Error(`${at}: channel must be in 0..${D - 1}`);
    if (!(v >= 0 && v <= 0xffff)) throw new Error(`${at}: the value must be a 16-bit pattern 0..65535`);
    if (r > 0 && t * D + c <= outliers[3 * r - 3] * D + outliers[3 * r - 2]) throw new Error(`${at}: rows must be sorted by (token, channel), each position at most once`);
    outliers.set([t, c, v], 3 * r);
  }
  return { T, codes, outliers };
}

/**
 * The per-token dequantize mode's scales.npy (README.md "Per-token dequantize"): [T, 2], each
 * token's (mid, half) patterns, T = the tokens of codes.npy; float16 (or uint16 patterns) for fp16,
 * uint16 for bf16 (what kvhdl golden nuq writes); any 16-bit patterns. One-line errors.
 */
export function nuqScalesInput(cfg: Pick<NuqConfig, 'format'>, a: NpyArray, T: number): Uint16Array {
  const allowed = cfg.format === 'fp16' ? ['float16', 'uint16'] : ['uint16'];
  if (!allowed.includes(a.dtype)) throw new Error(`scales must be ${cfg.format === 'fp16' ? 'float16 (or uint16 binary16 patterns)' : 'uint16 (bfloat16 bit patterns)'} for format ${cfg.format}, got ${a.dtype}`);
  if (a.shape.length !== 2 || a.shape[1] !== 2 || a.shape[0] !== T) throw new Error(`scales must have shape [${T}, 2] (each token's mid, half; codes has ${T} tokens), got [${a.shape.join(', ')}]`);
  return a.data as Uint16Array;
}
