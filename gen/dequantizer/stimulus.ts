/** Random and file-based stimulus for the dequantizer. */
import { Rng } from '../../data/rng.ts';
import { TxnTable } from '../../data/transactions.ts';
import type { NpyArray } from '../../data/npy.ts';
import { canonicalNaN, type FloatFormat } from '../../hdl/lib/float/format.ts';
import { fpDiv, fpFromNumber, fpFromUInt, fpSub } from '../../hdl/lib/float/golden/index.ts';
import type { StreamData } from '../unit.ts';
import { formatOf, type DequantizerConfig } from './config.ts';
import { inFields } from './golden.ts';

const SIGN = 0x8000;
const infOf = (f: FloatFormat) => ((1 << f.exp) - 1) << f.man;

/** A NaN pattern: canonical or with a random payload, either sign. */
function randomNaN(f: FloatFormat, rng: Rng): number {
  const payload = rng.chance(0.3) ? canonicalNaN(f) : infOf(f) | rng.int(1, (1 << f.man) - 1);
  return payload | (rng.chance(0.5) ? SIGN : 0);
}

/**
 * A KIVI group's (scale, min) the way KIVI computes them in the format: mn and mx rounded to the
 * format, scale = fl(fl(mx − mn) / (2^b − 1)). Magnitudes span the format's normal range (fp16:
 * about 2^-14..2^10, bf16: 2^-60..2^60), ranges from 1/8 to 4 times the magnitude.
 */
function kiviGroup(f: FloatFormat, bits: number, rng: Rng): [number, number] {
  const eMax = f.name === 'fp16' ? 10 : 60;
  const e = rng.int(-Math.min(f.bias - 1, 60), eMax);
  const lo = (rng.float() * 2 - 1) * 2 ** e;
  const hi = lo + rng.float() * 2 ** (e + rng.int(-3, 2));
  const mn = fpFromNumber(f, lo);
  const mx = fpFromNumber(f, hi);
  return [fpDiv(f, fpSub(f, mx, mn), fpFromUInt(f, (1 << bits) - 1)), mn];
}

/** (scale, min) of one group: mostly KIVI-like, the rest edge cases (see randomStimulus). */
export function randomGroupParams(f: FloatFormat, bits: number, rng: Rng): [number, number] {
  const inf = infOf(f);
  const r = rng.int(0, 99);
  const [scale, mn] = kiviGroup(f, bits, rng);
  if (r < 55) return [scale, mn];
  if (r < 65) return [rng.int(1, (1 << f.man) - 1) | (rng.chance(0.1) ? SIGN : 0), rng.chance(0.5) ? rng.int(0, 3 << f.man) : mn]; // subnormal scale
  if (r < 70) return [rng.chance(0.8) ? 0 : SIGN, rng.chance(0.3) ? (rng.chance(0.5) ? SIGN : 0) : mn]; // zero scale (and sometimes a zero min)
  if (r < 78) {
    // large min (near the largest finite values), scale of a similar size: sums may overflow
    const big = () => (rng.int(inf - (3 << f.man), inf - 1) | (rng.chance(0.5) ? SIGN : 0)) >>> 0;
    return [rng.chance(0.5) ? big() - (bits << f.man) : scale, big()];
  }
  if (r < 83) return rng.chance(0.5) ? [randomNaN(f, rng), mn] : [scale, randomNaN(f, rng)];
  if (r < 88) {
    const i = inf | (rng.chance(0.5) ? SIGN : 0);
    const which = rng.int(0, 2);
    return which === 0 ? [i, mn] : which === 1 ? [scale, i] : [i, inf | (rng.chance(0.5) ? SIGN : 0)];
  }
  return [rng.u32() & 0xffff, rng.u32() & 0xffff]; // any patterns
}

/**
 * About `n` beats in groups of 1..8 beats. Per group (scale, min): 55% KIVI-like (mn, mx random,
 * scale = (mx − mn)/(2^b − 1) in the format), 10% subnormal scale, 5% ±0 scale (a third of them
 * with a ±0 min), 8% min near the largest finite value, 5% NaN scale or min (random payloads),
 * 5% ±Inf scale and/or min, 12% uniform random patterns. Codes uniform in 0..2^b − 1. The last
 * beat ends a group.
 */
export function dequantizerRandomStimulus(cfg: DequantizerConfig, seed: number, n: number): StreamData {
  const rng = new Rng(seed);
  const f = formatOf(cfg);
  const t = new TxnTable(inFields(cfg), n);
  let left = 0;
  let scale = 0;
  let mn = 0;
  for (let k = 0; k < n; k++) {
    if (left === 0) {
      left = rng.int(1, 8);
      [scale, mn] = randomGroupParams(f, cfg.bits, rng);
    }
    for (let i = 0; i < cfg.lanes; i++) t.setLane(k, 'codes', cfg.bits, i, rng.u32());
    t.setLane(k, 'scale', 16, 0, scale);
    t.setLane(k, 'min', 16, 0, mn);
    left--;
    t.setLane(k, 'last', 1, 0, left === 0 || k === n - 1 ? 1 : 0);
  }
  return { in: t };
}

/** The 16-bit patterns of a per-row float array (--scale, --min). */
function patterns(cfg: DequantizerConfig, name: string, a: NpyArray | undefined, rows: number): Uint16Array {
  if (!a) throw new Error(`dequantizer needs --${name} f.npy`);
  const ok = cfg.format === 'fp16' ? ['float16', 'uint16'] : ['uint16'];
  if (!ok.includes(a.dtype)) {
    throw new Error(`--${name} must have dtype ${ok.join(' or ')} (${cfg.format} bit patterns${cfg.format === 'bf16' ? ', e.g. x.view(np.uint16) of an ml_dtypes.bfloat16 array' : ''}), got ${a.dtype}`);
  }
  if (a.shape.length !== 1 || a.shape[0] !== rows) throw new Error(`--${name} must have shape [${rows}] (one value per row of --codes), got [${a.shape.join(', ')}]`);
  return a.data as Uint16Array;
}

/** --codes [rows, G] integers, --scale [rows], --min [rows]: one group per row, G a multiple of P. */
export function dequantizerFromNpy(cfg: DequantizerConfig, arrays: Record<string, NpyArray>): StreamData {
  const c = arrays.codes;
  if (!c) throw new Error('dequantizer needs --codes f.npy');
  if (c.shape.length !== 2) throw new Error(`--codes must have shape [rows, G], got [${c.shape.join(', ')}]`);
  if (c.dtype.startsWith('float') || c.dtype === 'bool') throw new Error(`--codes must hold integers (uint8 recommended), got dtype ${c.dtype}`);
  const [rows, G] = c.shape;
  if (G === 0 || G % cfg.lanes !== 0) throw new Error(`--codes rows have ${G} codes; need a positive multiple of lanes (${cfg.lanes})`);
  const scale = patterns(cfg, 'scale', arrays.scale, rows);
  const mn = patterns(cfg, 'min', arrays.min, rows);
  const beatsPerRow = G / cfg.lanes;
  const t = new TxnTable(inFields(cfg), rows * beatsPerRow);
  const qmax = (1 << cfg.bits) - 1;
  for (let r = 0; r < rows; r++) {
    for (let b = 0; b < beatsPerRow; b++) {
      const k = r * beatsPerRow + b;
      for (let i = 0; i < cfg.lanes; i++) {
        const j = b * cfg.lanes + i;
        const q = Number(c.data[r * G + j] as number | bigint);
        if (!(q >= 0 && q <= qmax)) throw new Error(`--codes[${r}, ${j}] = ${q} is not a ${cfg.bits}-bit code (0..${qmax})`);
        t.setLane(k, 'codes', cfg.bits, i, q);
      }
      t.setLane(k, 'scale', 16, 0, scale[r]);
      t.setLane(k, 'min', 16, 0, mn[r]);
      t.setLane(k, 'last', 1, 0, b === beatsPerRow - 1 ? 1 : 0);
    }
  }
  return { in: t };
}

/** values.npy: [rows, G] when the output beats form equal groups (as from fromNpy), else [beats, P]. */
export function dequantizerToNpy(cfg: DequantizerConfig, outputs: StreamData): Record<string, NpyArray> {
  const out = outputs.out;
  const P = cfg.lanes;
  const data = new Uint16Array(out.count * P);
  const base0 = out.wordIndex(0, 'values');
  const lastOff = out.wordIndex(0, 'last');
  const ends: number[] = [];
  for (let k = 0; k < out.count; k++) {
    for (let i = 0; i < P; i++) data[k * P + i] = out.laneAt(base0 + k * out.stride, 16, i, false);
    if (out.words[k * out.stride + lastOff] === 1) ends.push(k);
  }
  const beats = ends.length ? ends[0] + 1 : 0;
  const uniform = beats > 0 && ends.length * beats === out.count && ends.every((e, g) => e === (g + 1) * beats - 1);
  const shape = uniform ? [ends.length, beats * P] : [out.count, P];
  return { values: { dtype: cfg.format === 'fp16' ? 'float16' : 'uint16', shape, data } };
}
