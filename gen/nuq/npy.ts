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

export function nuqOutputs(cfg: NuqConfig, q: NuqTensor): Record<(typeof NUQ_OUTPUTS)[number], NpyArray> {
  const D = cfg.channels;
  const fdt = cfg.format === 'fp16' ? 'float16' : 'uint16';
  return {
    codes: { dtype: 'uint8', shape: [q.T, D], data: q.codes },
    packed: { dtype: 'uint32', shape: [...q.packedShape], data: q.packed },
    outliers: { dtype: 'int32', shape: [q.outlierCount, 3], data: q.outliers },
    dequant: { dtype: fdt, shape: [q.T, D], data: q.dequant },
    flags: { dtype: 'uint8', shape: [q.T, D], data: q.flags },
  };
}
