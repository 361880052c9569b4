/**
 * The quantizer's tensors as .npy arrays, exactly as README.md "Files" specifies them: the input
 * x.npy check and the output files (codes, scale, min, flags, packed, residual, dequant).
 */
import type { NpyArray } from '../../data/npy.ts';
import type { QuantizerConfig } from './config.ts';
import type { QuantizedTensor } from './golden.ts';

/** The output files' names, in the README's order. */
export const QUANTIZER_OUTPUTS = ['codes', 'scale', 'min', 'flags', 'packed', 'residual', 'dequant'] as const;

/**
 * The [T, D] patterns of an input x.npy: float16 (fp16 only) or uint16 patterns (either format).
 * Throws an Error with a one-line message for a wrong dtype or shape.
 */
export function quantizerInput(cfg: QuantizerConfig, a: NpyArray): Uint16Array {
  const allowed = cfg.format === 'fp16' ? ['float16', 'uint16'] : ['uint16'];
  if (!allowed.includes(a.dtype)) {
    throw new Error(`x must be ${cfg.format === 'fp16' ? 'float16 (or uint16 binary16 patterns)' : 'uint16 (bfloat16 bit patterns)'} for format ${cfg.format}, got ${a.dtype}`);
  }
  if (a.shape.length !== 2 || a.shape[1] !== cfg.channels) {
    throw new Error(`x must have shape [tokens, ${cfg.channels}] (channels = ${cfg.channels}), got [${a.shape.join(', ')}]`);
  }
  return a.data as Uint16Array;
}

/** The output tensors of a quantized tensor, with the README's dtypes and shapes. */
export function quantizerOutputs(cfg: QuantizerConfig, q: QuantizedTensor): Record<(typeof QUANTIZER_OUTPUTS)[number], NpyArray> {
  const D = cfg.channels;
  const fdt = cfg.format === 'fp16' ? 'float16' : 'uint16';
  return {
    codes: { dtype: 'uint8', shape: [q.Tq, D], data: q.codes },
    scale: { dtype: fdt, shape: [...q.groupShape], data: q.scale },
    min: { dtype: fdt, shape: [...q.groupShape], data: q.min },
    flags: { dtype: 'uint8', shape: [...q.groupShape], data: q.flags },
    packed: { dtype: 'uint32', shape: [...q.packedShape], data: q.packed },
    residual: { dtype: fdt, shape: [q.T - q.Tq, D], data: q.residual },
    dequant: { dtype: fdt, shape: [q.Tq, D], data: q.dequant },
  };
}
