/**
 * nuq calibration and golden model (gen/nuq/) against an independent NumPy implementation of
 * gen/nuq/README.md (test/units/numpy/nuq_ref.py, fp16 and bf16): the codebook (thresholds, mid, half, rcp,
 * centroids, iterations) number for number, and every output file of quantize + dequantize byte
 * for byte (numpy.save against writeNpy). Cases: synthetic keys with outlier channels, heavy-tailed
 * keys, b in {1, 2, 3, 4}, f in {0, 0.001, 0.01, 0.1}, per-channel and shared codebooks, Fisher-like
 * weights, bf16 (keys, heavy tails, specials), and inputs with NaN, +-Inf, signed zeros, subnormals and constant channels. Plus unit
 * checks of the README's tie rule, RD midpoints, packing and codebook validation. Per-token mode
 * (fp16, bf16, f up to 0.3, weights, specials, all-NaN and constant tokens): the codebook, trim and
 * every file including scales.npy, and the stream model equal to the whole-tensor golden. NumPy is required.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { Rng } from '../../data/rng.ts';
import { writeNpy } from '../../data/npy.ts';
import { BF16, FP16, type FloatFormat } from '../../hdl/lib/float/format.ts';
import { fpFromNumber, fpToNumber } from '../../hdl/lib/float/golden/index.ts';
import { nuqConfig, nuqFormat, type NuqConfig } from '../../gen/nuq/config.ts';
import { calibrateNuq, calibrateNuqPerToken } from '../../gen/nuq/calibrate.ts';
import { nuqTensorPerToken } from '../../gen/nuq/per-token.ts';
import { midpoints, parseCodebook, roundDown, type Codebook } from '../../gen/nuq/codebook.ts';
import { channelTables, nuqCode, nuqTensor, packNuq } from '../../gen/nuq/golden.ts';
import { NUQ_OUTPUTS, nuqOutputs } from '../../gen/nuq/npy.ts';
import { syntheticKeys } from '../../gen/quantizer/synthetic.ts';
import { nuqUnit } from '../../gen/nuq/index.ts';
import { deqInFields } from '../../gen/nuq/deq-model.ts';
import { TxnTable } from '../../data/transactions.ts';

const SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'numpy', 'nuq_ref.py');
let workDir = '';
afterAll(() => {
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

interface Case {
  name: string;
  cfg: NuqConfig;
  frac: number;
  shared: boolean;
  k: Uint16Array;
  x: Uint16Array;
  w?: Float64Array;
  dir: string;
}

/** Heavy-tailed keys: per-channel offset/spread, Student-t-like noise (normal / sqrt(uniform)). */
function heavyKeys(T: number, D: number, seed: number, f: FloatFormat = FP16): Uint16Array {
  const r = new Rng(seed);
  const off = Array.from({ length: D }, () => 4 * (r.float() - 0.5));
  const spr = Array.from({ length: D }, () => 0.2 + 2 * r.float());
  const x = new Uint16Array(T * D);
  for (let i = 0; i < T * D; i++) {
    let n = 0;
    for (let j = 0; j < 12; j++) n += r.float();
    x[i] = fpFromNumber(f, off[i % D] + (spr[i % D] * (n - 6)) / Math.sqrt(0.02 + r.float()));
  }
  return x;
}

/** Sprinkles special values into x: NaN, +-Inf, -0, subnormals, huge, and a constant channel. */
function withSpecials(x: Uint16Array, D: number, seed: number, huge = true, f: FloatFormat = FP16): Uint16Array {
  const r = new Rng(seed);
  const y = Uint16Array.from(x);
  const specials =
    f === FP16
      ? [0x7e00, 0x7c01, 0x7c00, 0xfc00, 0x8000, 0x0000, 0x0001, 0x83ff, ...(huge ? [0x7bff, 0xfbff] : [])]
      : [0x7fc0, 0x7f81, 0x7f80, 0xff80, 0x8000, 0x0000, 0x0001, 0x807f, ...(huge ? [0x7f7f, 0xff7f] : [])];
  for (let k = 0; k < Math.max(4, y.length / 50); k++) y[r.int(0, y.length - 1)] = specials[r.int(0, specials.length - 1)];
  for (let t = 0; t < y.length / D; t++) y[t * D + (D - 1)] = fpFromNumber(f, 1); // channel D-1 constant 1.0
  return y;
}

const cases: Case[] = [];
function add(name: string, cfg: Partial<NuqConfig>, frac: number, shared: boolean, k: Uint16Array, x: Uint16Array, w?: Float64Array): void {
  cases.push({ name, cfg: nuqConfig(cfg), frac, shared, k, x, w, dir: '' });
}
{
  const D = 16;
  const keys = syntheticKeys(FP16, 160, D, 11);
  const heavy = heavyKeys(160, D, 12);
  const split = (a: Uint16Array) => [a.slice(0, 120 * D), a.slice(120 * D)];
  const [k1, x1] = split(keys);
  const [k2, x2] = split(heavy);
  const r = new Rng(5);
  const w = Float64Array.from({ length: 120 * D }, () => r.float() * 3);
  add('keys b3 f0.01', { bits: 3, channels: D, lanes: 4 }, 0.01, false, k1, x1);
  add('keys b2 f0', { bits: 2, channels: D, lanes: 4 }, 0, false, k1, x1);
  add('keys b4 f0.1 shared', { bits: 4, channels: D, lanes: 4 }, 0.1, true, k1, x1);
  add('heavy b3 f0.1', { bits: 3, channels: D, lanes: 4 }, 0.1, false, k2, x2);
  add('heavy b1 f0.001', { bits: 1, channels: D, lanes: 4 }, 0.001, false, k2, x2);
  add('heavy b3 f0.05 weighted', { bits: 3, channels: D, lanes: 4 }, 0.05, false, k2, x2, w);
  add('heavy b4 f0.02 weighted shared', { bits: 4, channels: D, lanes: 4 }, 0.02, true, k2, x2, w);
  add('specials b3 f0.1', { bits: 3, channels: D, lanes: 4 }, 0.1, false, withSpecials(k2, D, 3, false), withSpecials(x2, D, 4));
  add('specials b2 shared', { bits: 2, channels: D, lanes: 4 }, 0.01, true, withSpecials(k1, D, 5, false), withSpecials(x1, D, 6));
  // bf16: the same shapes of data in bfloat16
  const bkeys = syntheticKeys(BF16, 160, D, 21);
  const bheavy = heavyKeys(160, D, 22, BF16);
  const [b1, y1] = split(bkeys);
  const [b2, y2] = split(bheavy);
  add('bf16 keys b3 f0.01', { format: 'bf16', bits: 3, channels: D, lanes: 4 }, 0.01, false, b1, y1);
  add('bf16 heavy b4 f0.05 weighted shared', { format: 'bf16', bits: 4, channels: D, lanes: 4 }, 0.05, true, b2, y2, w);
  add('bf16 heavy b2 f0.1', { format: 'bf16', bits: 2, channels: D, lanes: 4 }, 0.1, false, b2, y2);
  add('bf16 specials b3 f0.1', { format: 'bf16', bits: 3, channels: D, lanes: 4 }, 0.1, false, withSpecials(b2, D, 7, false, BF16), withSpecials(y2, D, 8, true, BF16));
  // per-token mode (values): each token's trimmed range, one shared codebook
  const pt = { channels: D, lanes: 4, mode: 'per-token' as const };
  add('per-token keys b3 f0', { ...pt, bits: 3 }, 0, true, k1, x1);
  add('per-token heavy b2 f0.2', { ...pt, bits: 2 }, 0.2, true, k2, x2);
  add('per-token heavy b4 f0.3 weighted', { ...pt, bits: 4 }, 0.3, true, k2, x2, w);
  add('per-token specials b3 f0.15', { ...pt, bits: 3 }, 0.15, true, withSpecials(k2, D, 9, false), withSpecials(x2, D, 10));
  add('per-token bf16 specials b3 f0.2', { ...pt, format: 'bf16', bits: 3 }, 0.2, true, withSpecials(b2, D, 11, false, BF16), withSpecials(y2, D, 12, true, BF16));
  // tokens with no finite value, and all-equal tokens
  const odd = Uint16Array.from(x2);
  odd.fill(0x7e00, 0, D);
  odd.fill(0x3c00, D, 2 * D);
  odd[2 * D] = 0x7c00;
  add('per-token odd tokens b2 f0.1', { ...pt, bits: 2 }, 0.1, true, k2, odd);
}

function mine(c: Case): { cb: Codebook; files: Record<string, Uint8Array> } {
  const D = c.cfg.channels;
  const f = nuqFormat(c.cfg);
  if (c.cfg.mode === 'per-token') {
    const cb = calibrateNuqPerToken(f, c.k, c.k.length / D, D, { bits: c.cfg.bits, outlierFraction: c.frac, shared: true, weights: c.w });
    const arrays = nuqOutputs(c.cfg, nuqTensorPerToken(f, parseCodebook(JSON.parse(JSON.stringify(cb)), c.cfg), c.x));
    // the stream model (kvhdl golden nuq's path: table load, token buffer, q / sp / tk) gives the same arrays
    const cfg = nuqConfig(c.cfg);
    const stim = nuqUnit.fromNpy(cfg, { in: { dtype: 'uint16', shape: [c.x.length / D, D], data: c.x } }, { codebook: JSON.parse(JSON.stringify(cb)) });
    const streamed = nuqUnit.toNpy(cfg, nuqUnit.golden(cfg, stim));
    for (const n of [...NUQ_OUTPUTS, 'scales'] as const) expect(Buffer.from(writeNpy(streamed[n])).equals(Buffer.from(writeNpy(arrays[n]!))), `${c.name}: ${n} streamed`).toBe(true);
    return { cb, files: Object.fromEntries([...NUQ_OUTPUTS, 'scales'].map((n) => [n, writeNpy(arrays[n as 'codes']!)])) };
  }
  const cb = calibrateNuq(f, c.k, c.k.length / D, D, { bits: c.cfg.bits, outlierFraction: c.frac, shared: c.shared, weights: c.w });
  const parsed = parseCodebook(JSON.parse(JSON.stringify(cb)), c.cfg);
  const q = nuqTensor(f, parsed, c.x);
  const arrays = nuqOutputs(c.cfg, q);
  return { cb, files: Object.fromEntries(NUQ_OUTPUTS.map((n) => [n, writeNpy(arrays[n])])) };
}

describe('nuq golden vs NumPy (README.md)', () => {
  it('calibration and quantize/dequantize agree bit for bit on every case', async () => {
    workDir = mkdtempSync(path.join(os.tmpdir(), 'kvhdl-nuq-golden-'));
    cases.forEach((c, i) => {
      c.dir = path.join(workDir, `case-${i}`);
      mkdirSync(c.dir);
      const D = c.cfg.channels;
      writeFileSync(path.join(c.dir, 'case.json'), JSON.stringify({ format: c.cfg.format, mode: c.cfg.mode, bits: c.cfg.bits, channels: D, outlierFraction: c.frac, shared: c.shared, weights: !!c.w }));
      writeFileSync(path.join(c.dir, 'k.npy'), writeNpy({ dtype: 'uint16', shape: [c.k.length / D, D], data: c.k }));
      writeFileSync(path.join(c.dir, 'x.npy'), writeNpy({ dtype: 'uint16', shape: [c.x.length / D, D], data: c.x }));
      if (c.w) writeFileSync(path.join(c.dir, 'w.npy'), writeNpy({ dtype: 'float64', shape: [c.w.length / D, D], data: c.w }));
    });
    const py = await execa('python3', [SCRIPT, ...cases.map((c) => c.dir)], { timeout: 120_000, reject: false });
    if (py.exitCode !== 0) throw new Error(`nuq_ref.py failed (python3-numpy needed): ${py.stderr.split('\n').slice(-3).join(' | ')}`);
    const bad: string[] = [];
    let outliers = 0;
    for (const c of cases) {
      const m = mine(c);
      const ref = JSON.parse(readFileSync(path.join(c.dir, 'ref_codebook.json'), 'utf8')) as Record<string, unknown>;
      for (const k of ['lo', 'hi', 'mid', 'half', 'rcp', 'centroids', 'iterations', 'samples', 'trim'] as const) {
        if (JSON.stringify(ref[k]) !== JSON.stringify(m.cb[k])) bad.push(`${c.name}: codebook ${k}: numpy ${JSON.stringify(ref[k]).slice(0, 200)} vs ts ${JSON.stringify(m.cb[k]).slice(0, 200)}`);
      }
      for (const n of c.cfg.mode === 'per-token' ? [...NUQ_OUTPUTS, 'scales'] : NUQ_OUTPUTS) {
        if (Buffer.compare(Buffer.from(m.files[n]), readFileSync(path.join(c.dir, `${n}.npy`))) !== 0) bad.push(`${c.name}: ${n}.npy differs`);
      }
      outliers += readFileSync(path.join(c.dir, 'outliers.npy')).length;
    }
    expect(bad).toEqual([]);
    expect(outliers).toBeGreaterThan(0);
  }, 60_000);
});

describe('nuq README rules', () => {
  const f = FP16;
  const v = (x: number) => fpToNumber(f, fpFromNumber(f, x));
  it('RD midpoints: the largest value <= the exact midpoint', () => {
    expect(roundDown(f, 0.5)).toBe(0.5);
    const m = (v(1 / 3) + v(1 / 3 + 2 ** -11)) / 2;
    expect(roundDown(f, m)).toBeLessThanOrEqual(m);
    expect(roundDown(f, -1e-9)).toBe(-(2 ** -24));
    expect(midpoints(f, [-1, 0, 0.5, 1])).toEqual([-0.5, 0.25, 0.75]);
  });
  it('nearest centroid with ties to the lower index (also for equal centroids)', () => {
    const cb: Codebook = parseCodebook(
      { kind: 'kvhdl-nuq-codebook', format: 'fp16', bits: 2, channels: 1, mode: 'per-channel', shared: true, lo: [-1], hi: [1], mid: [0], half: [1], rcp: [1], centroids: [[-1, 0, 0, 1]] },
      { format: 'fp16', bits: 2, channels: 1 },
    );
    const tb = channelTables(f, cb)[0];
    const P = (x: number) => fpFromNumber(f, x);
    expect(nuqCode(f, P(-0.5), tb)).toBe(0); // exact tie between -1 and 0
    expect(nuqCode(f, P(-0.49951171875), tb)).toBe(1);
    expect(nuqCode(f, P(0), tb)).toBe(1); // equal centroids 1 and 2: the lower
    expect(nuqCode(f, P(0.5), tb)).toBe(2);
    expect(nuqCode(f, P(0.5009765625), tb)).toBe(3);
  });
  it('a channel whose range overflows the format is a one-line calibration error', () => {
    const k = Uint16Array.from([0x7bff, 0xfbff, 0x3c00, 0x5400]); // channel 0: 65504, 1; channel 1: -65504, 64
    expect(() => calibrateNuq(f, k, 2, 2, { bits: 1, outlierFraction: 0, shared: false })).toThrow(/^channel 1: fl\(hi \+ lo\) or fl\(hi - lo\) overflows/);
  });
  it('packs floor(32/b) codes per word with zero padding', () => {
    const codes = Uint8Array.from({ length: 11 }, (_, t) => t % 8); // T = 11, D = 1, b = 3
    const { packed, shape } = packNuq(codes, 11, 1, 3);
    expect(shape).toEqual([1, 2]);
    let w0 = 0;
    for (let k = 0; k < 10; k++) w0 += (k % 8) * 2 ** (3 * k);
    expect(packed[0]).toBe(w0);
    expect(packed[1]).toBe(10 % 8);
  });
  it('rejects malformed codebooks in one line naming the field', () => {
    const good = { kind: 'kvhdl-nuq-codebook', format: 'fp16', bits: 1, channels: 1, mode: 'per-channel', shared: true, lo: [0], hi: [1], mid: [0.5], half: [0.5], rcp: [2], centroids: [[-0.5, 0.5]] };
    const want = { format: 'fp16' as const, bits: 1, channels: 1 };
    expect(() => parseCodebook({ ...good, centroids: [[0.5, -0.5]] }, want)).toThrow(/sorted ascending/);
    expect(() => parseCodebook({ ...good, mid: [0.1] }, want)).toThrow(/mid\[0\] = 0.1 is not a finite fp16 value/);
    expect(() => parseCodebook({ ...good, bits: 2 }, want)).toThrow(/bits is 2, the config has 1/);
    expect(() => parseCodebook({ ...good, centroids: [[-2, 0.5]] }, want)).toThrow(/outside \[-1, 1\]/);
  });
});

describe('nuq quantize -> dequantize (golden streams)', () => {
  it("the quantize mode's q codes and sp stream, fed to the dequantize mode, give back q's x̂", () => {
    for (const base of [{ format: 'fp16' as const, bits: 3 as const, channels: 8, lanes: 4 }, { format: 'bf16' as const, bits: 2 as const, channels: 8, lanes: 2 }]) {
      const cq = nuqConfig(base);
      const cd = nuqConfig({ ...base, op: 'dequantize' });
      const stim = nuqUnit.randomStimulus(cq, 11, 400);
      const gq = nuqUnit.golden(cq, stim);
      const P = cq.lanes;
      const din = new TxnTable(deqInFields(cd), stim.in.count);
      for (let i = 0, k = 0; i < stim.in.count; i++) {
        const load = stim.in.lane(i, 'load', 1, 0, false);
        for (let l = 0; l < P; l++) {
          din.setLane(i, 'data', 16, l, load ? stim.in.lane(i, 'data', 16, l, false) : 0);
          din.setLane(i, 'codes', cq.bits, l, load ? 0 : gq.q.lane(k, 'codes', cq.bits, l, false));
        }
        din.setLane(i, 'load', 1, 0, load);
        din.setLane(i, 'eos', 1, 0, stim.in.lane(i, 'eos', 1, 0, false));
        if (!load) k++;
      }
      const gd = nuqUnit.golden(cd, { in: din, sp: gq.sp });
      expect(gd.out.count).toBe(gq.q.count);
      let outliers = 0;
      for (let k = 0; k < gq.sp.count; k++) outliers += gq.sp.lane(k, 'last', 1, 0, false) ? 0 : 1;
      expect(outliers).toBeGreaterThan(0);
      for (let k = 0; k < gq.q.count; k++) expect(gd.out.get(k, 'deq')).toBe(gq.q.get(k, 'deq'));
    }
  });
});
