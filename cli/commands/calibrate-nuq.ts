/** `kvhdl calibrate-nuq`: NUQ thresholds, normalisation and k-means codebooks (gen/nuq/README.md "Calibration"). */
import { commitSingleFile, precheckSingleFile } from '../../output/index.ts';
import { outPathArg } from '../out-arg.ts';
import { parse, UsageError, type Command } from '../args.ts';
import { numberOption } from '../numeric-option.ts';
import { InputError } from './unit-io.ts';
import { readNpyFile, type NpyArray } from '../../data/npy.ts';
import { FORMATS, FP16 } from '../../hdl/lib/float/format.ts';
import { fpToNumber } from '../../hdl/lib/float/golden/index.ts';
import { calibrateNuq, calibrateNuqPerToken } from '../../gen/nuq/calibrate.ts';
import { nuqInput } from '../../gen/nuq/npy.ts';

/** fisher.npy as float64 weights [T, D]: a float dtype, finite, non-negative. */
function weightsOf(a: NpyArray, shape: readonly number[], file: string): Float64Array {
  if (!['float16', 'float32', 'float64'].includes(a.dtype)) throw new InputError(`--weights ${file}: dtype must be float16, float32 or float64, got ${a.dtype}`);
  if (a.shape.length !== 2 || a.shape[0] !== shape[0] || a.shape[1] !== shape[1]) throw new InputError(`--weights ${file}: shape must be [${shape.join(', ')}] (as --in), got [${a.shape.join(', ')}]`);
  const w = a.dtype === 'float16' ? Float64Array.from(a.data as Uint16Array, (p) => fpToNumber(FP16, p)) : Float64Array.from(a.data as Float32Array | Float64Array);
  const bad = w.findIndex((v) => !Number.isFinite(v) || v < 0);
  if (bad >= 0) throw new InputError(`--weights ${file}[${Math.floor(bad / shape[1])}, ${bad % shape[1]}] = ${w[bad]}: weights must be finite and non-negative`);
  return w;
}

export const calibrateNuqCommand: Command = {
  name: 'calibrate-nuq',
  summary: 'calibrate NUQ (KVQuant) outlier thresholds and k-means codebooks for the nuq unit',
  usage: `usage: kvhdl calibrate-nuq --in k.npy --bits b --mode per-channel|per-token --out codebook.json [--outlier-fraction f] [--weights fisher.npy] [--shared] [--format fp16|bf16]

Per channel: thresholds at the f/2 and 1 - f/2 quantiles, mid and half-range, and a deterministic
k-means codebook of 2^b centroids in [-1, 1] (gen/nuq/README.md "Calibration"). Per token: each
token's trimmed range normalises its values, one shared codebook and the trim (README "Per-token mode").
  --in k.npy               sample keys [tokens, channels]: float16 (or uint16 patterns; bf16: uint16 patterns)
  --bits b                 1, 2, 3 or 4
  --mode M                 per-channel (keys) or per-token (values; always one shared codebook)
  --outlier-fraction f     fraction of each channel's (per-token: token's) values kept outside the thresholds, in [0, 0.5) (default 0; KVQuant's 0.999 percentile is 0.001)
  --weights fisher.npy     per-element k-means weights (KVQuant's Fisher information), same shape as --in
  --shared                 one codebook for all channels (KVQuant's per-layer LUT) instead of one per channel
  --format F               fp16 (default) or bf16
  --out F                  codebook.json to write`,
  async run(argv) {
    const { values, help } = parse(this, argv, {
      in: { type: 'string' }, bits: { type: 'string' }, mode: { type: 'string' }, out: { type: 'string' },
      'outlier-fraction': { type: 'string' }, weights: { type: 'string' }, shared: { type: 'boolean' }, format: { type: 'string' },
    }, { min: 0, max: 0 });
    if (help) return console.log(this.usage), 0;
    for (const o of ['in', 'bits', 'mode', 'out'] as const) if (typeof values[o] !== 'string') throw new UsageError(`--${o} is required`, this.usage);
    const bitsText = values.bits as string;
    if (!['1', '2', '3', '4'].includes(bitsText)) throw new UsageError(`--bits must be 1, 2, 3 or 4, got '${bitsText}'`, this.usage);
    const bits = Number(bitsText);
    const perToken = values.mode === 'per-token';
    if (!perToken && values.mode !== 'per-channel') throw new UsageError(`--mode must be per-channel or per-token, got '${values.mode as string}'`, this.usage);
    const fmt = (values.format as string | undefined) ?? 'fp16';
    if (fmt !== 'fp16' && fmt !== 'bf16') throw new UsageError(`--format must be fp16 or bf16, got '${fmt}'`, this.usage);
    const frac = typeof values['outlier-fraction'] === 'string' ? numberOption('outlier-fraction', values['outlier-fraction'], this.usage, 'a fraction in [0, 0.5)', (v) => v >= 0 && v < 0.5) : 0;
    const outFile = outPathArg(values.out, '--out', this.usage);
    precheckSingleFile(outFile, 'kvhdl calibrate-nuq', Object.fromEntries((['in', 'weights'] as const).filter((o) => typeof values[o] === 'string').map((o) => [`--${o}`, values[o] as string])));
    const arr = await readNpyFile(values.in as string);
    let x: Uint16Array;
    try {
      if (arr.shape.length !== 2 || arr.shape[1] < 1) throw new Error(`must have shape [tokens, channels], got [${arr.shape.join(', ')}]`);
      x = nuqInput({ format: fmt, channels: arr.shape[1] }, arr, 'k');
    } catch (e) {
      throw new InputError(`--in ${values.in as string}: ${(e as Error).message}`);
    }
    const [T, D] = arr.shape;
    if (D > 8192) throw new InputError(`--in ${values.in as string}: at most 8192 channels, got ${D}`);
    const weights = typeof values.weights === 'string' ? weightsOf(await readNpyFile(values.weights), [T, D], values.weights) : undefined;
    let cb;
    try {
      cb = (perToken ? calibrateNuqPerToken : calibrateNuq)(FORMATS[fmt], x, T, D, { bits, outlierFraction: frac, weights, shared: values.shared === true });
    } catch (e) {
      throw new InputError(`--in ${values.in as string}: ${(e as Error).message}`);
    }
    commitSingleFile(outFile, JSON.stringify(cb) + '\n', 'kvhdl calibrate-nuq');
    const its = cb.iterations;
    console.log(`calibrate-nuq: ${fmt} b=${bits} f=${frac} ${perToken ? `per-token (trim ${cb.trim}), shared codebook` : cb.shared ? 'shared codebook' : `${D} per-channel codebooks`}, ${T} tokens x ${D} channels; k-means iterations ${Math.min(...its)}..${Math.max(...its)}`);
    console.log(`wrote ${values.out as string}`);
    return 0;
  },
};
