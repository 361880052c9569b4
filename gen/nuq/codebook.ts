/**
 * The NUQ codebook (README.md "Codebook file"): per-channel thresholds and normalisation, and one
 * shared or D per-channel sorted codebooks of 2^b format values in [-1, 1]. Values are JS numbers,
 * each exactly a finite value of the format.
 */
import type { FloatFormat } from '../../hdl/lib/float/format.ts';
import { fpFromNumber, fpToNumber } from '../../hdl/lib/float/golden/index.ts';
import { FORMATS } from '../../hdl/lib/float/format.ts';

export const CODEBOOK_KIND = 'kvhdl-nuq-codebook';
/** bf16 centroids are 0 or at least this large, so midpoints are exact in float64 (README). */
export const BF16_MIN_CENTROID = 2 ** -40;

export interface Codebook {
  kind: typeof CODEBOOK_KIND;
  format: 'fp16' | 'bf16';
  bits: number;
  channels: number;
  mode: 'per-channel' | 'per-token';
  outlierFraction: number;
  /** per-token: values cut from each end of a token's sorted values (README "Per-token mode"); per-channel: absent. */
  trim?: number;
  shared: boolean;
  lo: number[];
  hi: number[];
  mid: number[];
  half: number[];
  rcp: number[];
  centroids: number[][];
  iterations: number[];
  samples: number[];
}

/** The largest format value <= v (v a finite double): RD(v) of README "Notation". */
export function roundDown(f: FloatFormat, v: number): number {
  const p = fpFromNumber(f, v);
  const r = fpToNumber(f, p);
  if (r <= v) return r;
  // one step toward -inf: patterns of the same sign step by one (magnitude up for negatives)
  const sign = 1 << (f.width - 1);
  const q = r === 0 ? sign | 1 : r > 0 ? p - 1 : p + 1;
  return fpToNumber(f, q);
}

/** Midpoints t_j = RD((c_j + c_{j+1}) / 2), j = 0 .. K-2 (sum and halving exact in float64). */
export function midpoints(f: FloatFormat, c: readonly number[]): number[] {
  return c.slice(0, -1).map((a, j) => roundDown(f, (a + c[j + 1]) / 2));
}

/** The codebook of channel c. */
export function centroidsOf(cb: Codebook, c: number): number[] {
  return cb.shared ? cb.centroids[0] : cb.centroids[c];
}

/** Validates a parsed codebook.json against the unit's format, bits and channels; one-line errors. */
export function parseCodebook(j: unknown, want: { format: 'fp16' | 'bf16'; bits: number; channels: number; mode?: 'per-channel' | 'per-token' }): Codebook {
  const fail = (m: string): never => {
    throw new Error(`codebook: ${m}`);
  };
  if (typeof j !== 'object' || j === null || Array.isArray(j)) fail('must be a JSON object');
  const o = j as Record<string, unknown>;
  if (o.kind !== CODEBOOK_KIND) fail(`kind must be "${CODEBOOK_KIND}"`);
  for (const k of ['format', 'bits', 'channels'] as const) if (o[k] !== want[k]) fail(`${k} is ${JSON.stringify(o[k])}, the config has ${want[k]}`);
  const mode = want.mode ?? 'per-channel';
  if (o.mode !== mode) fail(`mode is ${JSON.stringify(o.mode)}, the config has "${mode}"`);
  if (typeof o.shared !== 'boolean') fail('shared must be true or false');
  const f = FORMATS[want.format];
  const D = want.channels;
  const K = 2 ** want.bits;
  const perToken = mode === 'per-token';
  if (perToken && o.shared !== true) fail('shared must be true in per-token mode (one codebook)');
  const maxTrim = Math.floor((D - 1) / 2);
  if (perToken && !(Number.isInteger(o.trim) && (o.trim as number) >= 0 && (o.trim as number) <= maxTrim)) fail(`trim must be an integer 0..${maxTrim} in per-token mode, got ${JSON.stringify(o.trim)}`);
  const exact = (v: unknown, where: string): number => {
    if (typeof v !== 'number' || !Number.isFinite(v) || fpToNumber(f, fpFromNumber(f, v)) !== v) fail(`${where} = ${JSON.stringify(v)} is not a finite ${want.format} value`);
    return v as number;
  };
  const vec = (name: string, n: number): number[] => {
    const a = o[name];
    if (!Array.isArray(a) || a.length !== n) fail(`${name} must be an array of ${n} numbers`);
    return (a as unknown[]).map((v, i) => exact(v, `${name}[${i}]`));
  };
  const stats = perToken ? 0 : D; // per-token: computed per token at quantization time, the arrays are empty
  const lo = vec('lo', stats), hi = vec('hi', stats), mid = vec('mid', stats), half = vec('half', stats), rcp = vec('rcp', stats);
  for (let c = 0; c < stats; c++) {
    if (hi[c] < lo[c]) fail(`hi[${c}] = ${hi[c]} is below lo[${c}] = ${lo[c]}`);
    if (half[c] < 0 || rcp[c] < 0) fail(`half[${c}] and rcp[${c}] must be non-negative`);
  }
  const rows = o.shared ? 1 : D;
  const cs = o.centroids;
  if (!Array.isArray(cs) || cs.length !== rows) fail(`centroids must be ${rows} array(s) of ${K} numbers`);
  const centroids = (cs as unknown[]).map((row, r) => {
    if (!Array.isArray(row) || row.length !== K) fail(`centroids[${r}] must be an array of ${K} numbers`);
    const v = (row as unknown[]).map((x, i) => exact(x, `centroids[${r}][${i}]`));
    v.forEach((x, i) => {
      if (x < -1 || x > 1) fail(`centroids[${r}][${i}] = ${x} is outside [-1, 1]`);
      if (i > 0 && x < v[i - 1]) fail(`centroids[${r}] must be sorted ascending (index ${i})`);
      if (want.format === 'bf16' && x !== 0 && Math.abs(x) < BF16_MIN_CENTROID) fail(`centroids[${r}][${i}] = ${x}: bf16 centroids are 0 or at least 2^-40 in magnitude`);
    });
    return v;
  });
  const info = (name: string): number[] => (Array.isArray(o[name]) ? (o[name] as unknown[]).map(Number) : []);
  const frac = typeof o.outlierFraction === 'number' ? o.outlierFraction : 0;
  return {
    kind: CODEBOOK_KIND, format: want.format, bits: want.bits, channels: D, mode, outlierFraction: frac,
    ...(perToken ? { trim: o.trim as number } : {}),
    shared: o.shared as boolean, lo, hi, mid, half, rcp, centroids, iterations: info('iterations'), samples: info('samples'),
  };
}
