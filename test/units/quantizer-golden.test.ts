/**
 * The quantizer golden model (gen/quantizer/golden.ts) against an independent NumPy implementation
 * of README.md's formulas (test/units/numpy/kivi_ref.py): fp16 with np.float16 operations step by
 * step; bf16 with float64 operations each rounded once to bfloat16 by an explicit RNE rounding,
 * which is exact for +, −, ×, ÷ (53 ≥ 2·8 + 2) — an exact reference that shares no code with the
 * float library. Both modes, b ∈ {1, 2, 4, 8}, G from 1 to 128, synthetic KV caches and edge-case
 * tensors (every flag exercised); every output file (README.md "Files") is compared byte for byte:
 * numpy.save's file against data/npy.ts's writeNpy of the golden arrays. The packing is also
 * checked by reading each code straight out of the packed words' bits. NumPy is required
 * (python3-numpy): without it the tests fail with a one-line message, they never skip.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { readNpy, writeNpy } from '../../data/npy.ts';
import { BF16, canonicalNaN, FP16 } from '../../hdl/lib/float/format.ts';
import { fpFromNumber, fpToNumber } from '../../hdl/lib/float/golden/index.ts';
import { quantizerConfig, quantizerSchema, type QuantizerConfig } from '../../gen/quantizer/config.ts';
import {
  FLAG_INF, FLAG_NAN, FLAG_RANGE_OVF, FLAG_ZERO_SCALE, dequantValue, packCodes, quantizeGroup, quantizeTensor, quantizedTokens, type QuantizedTensor,
} from '../../gen/quantizer/golden.ts';
import { edgeCaseTensor, syntheticKv } from '../../gen/quantizer/synthetic.ts';
import { QUANTIZER_OUTPUTS, quantizerInput, quantizerOutputs } from '../../gen/quantizer/npy.ts';
import { needTools } from '../helpers/tools.ts';

needTools('numpy');

const SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'numpy', 'kivi_ref.py');

let workDir = '';
let numpyChecked: Promise<void> | undefined;
/** Every NumPy comparison goes through here: without NumPy it fails with one line (no skips). */
function requireNumpy(): Promise<void> {
  numpyChecked ??= execa('python3', ['-c', 'import numpy'], { reject: false, timeout: 60_000 }).then((r) => {
    if (r.failed || r.exitCode !== 0) {
      throw new Error('kvhdl: the quantizer golden tests need NumPy as their oracle: install python3-numpy (apt-get install python3-numpy)');
    }
  });
  return numpyChecked;
}

let seq = 0;
interface Case {
  cfg: QuantizerConfig;
  x: Uint16Array;
  dir: string;
}

/** Writes a case's cfg.json and x.npy into a fresh directory for kivi_ref.py. */
function prepare(cfg: QuantizerConfig, x: Uint16Array): Case {
  if (!workDir) workDir = mkdtempSync(path.join(os.tmpdir(), 'kvhdl-quantizer-golden-'));
  const dir = path.join(workDir, `case-${seq++}`);
  mkdirSync(dir);
  writeFileSync(path.join(dir, 'cfg.json'), JSON.stringify(cfg));
  writeFileSync(path.join(dir, 'x.npy'), writeNpy({ dtype: 'uint16', shape: [x.length / cfg.channels, cfg.channels], data: x }));
  return { cfg, x, dir };
}

/** Runs kivi_ref.py once over all the cases (one interpreter start: NumPy's import dominates). */
async function runNumpy(cases: readonly Case[]): Promise<void> {
  await requireNumpy();
  await execa('python3', [SCRIPT, ...cases.map((c) => c.dir)], { timeout: 300_000 });
}

afterAll(() => {
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

const H = (x: number) => `0x${x.toString(16).padStart(4, '0')}`;

/**
 * Compares the golden model's output files with NumPy's: byte for byte as written (dtype, shape,
 * header, data); lists the first differing elements.
 */
function compare(cfg: QuantizerConfig, q: QuantizedTensor, c: Case): string[] {
  const mine = quantizerOutputs(cfg, q);
  const bad: string[] = [];
  for (const name of QUANTIZER_OUTPUTS) {
    const file = readFileSync(path.join(c.dir, `${name}.npy`));
    if (Buffer.compare(Buffer.from(writeNpy(mine[name])), file) === 0) continue;
    const r = readNpy(file, `${name}.npy`);
    const m = mine[name];
    if (r.dtype !== m.dtype || r.shape.join() !== m.shape.join()) {
      bad.push(`${name}: numpy ${r.dtype} [${r.shape}], golden ${m.dtype} [${m.shape}]`);
      continue;
    }
    let n = 0;
    for (let i = 0; i < m.data.length && n < 4; i++) {
      if (r.data[i] !== m.data[i]) {
        bad.push(`${name}[${i}]: numpy ${H(Number(r.data[i]))}, golden ${H(Number(m.data[i]))}`);
        n++;
      }
    }
    if (n === 0) bad.push(`${name}: same values, different bytes`);
  }
  return bad;
}

/** Reads code k of row `o` along the packing axis straight from the packed words' bits. */
function packedCode(q: QuantizedTensor, bits: number, o: number, k: number): number {
  const perRow = q.packedShape[1];
  const bit = k * bits;
  const word = q.packed[o * perRow + (bit >> 5)];
  return Math.floor(word / 2 ** (bit & 31)) % 2 ** bits;
}

/** Codes that differ from their bits in the packed words, and the packed word count. */
function checkPacking(cfg: QuantizerConfig, q: QuantizedTensor): { bad: number; words: number } {
  const D = cfg.channels;
  let bad = 0;
  for (let t = 0; t < q.Tq; t++) {
    for (let c = 0; c < D; c++) {
      const got = cfg.mode === 'per-token' ? packedCode(q, cfg.bits, t, c) : packedCode(q, cfg.bits, c, t);
      if (got !== q.codes[t * D + c]) bad++;
    }
  }
  return { bad, words: q.packed.length };
}

const CONFIGS: [Partial<QuantizerConfig>, number][] = [
  // [config, T]
  [{ mode: 'per-token', bits: 2, groupSize: 32, channels: 128, lanes: 8, residual: 16 }, 50],
  [{ mode: 'per-token', bits: 4, groupSize: 16, channels: 64, lanes: 4, residual: 0 }, 24],
  [{ mode: 'per-token', bits: 8, groupSize: 8, channels: 32, lanes: 8, residual: 4 }, 40],
  [{ mode: 'per-token', bits: 2, groupSize: 128, channels: 128, lanes: 16, residual: 32 }, 45],
  [{ mode: 'per-token', bits: 1, groupSize: 32, channels: 64, lanes: 8, residual: 3 }, 20],
  [{ mode: 'per-channel', bits: 2, groupSize: 32, channels: 64, lanes: 8, residual: 32 }, 100],
  [{ mode: 'per-channel', bits: 4, groupSize: 16, channels: 32, lanes: 4, residual: 32 }, 70],
  [{ mode: 'per-channel', bits: 8, groupSize: 4, channels: 16, lanes: 4, residual: 8 }, 37],
  [{ mode: 'per-channel', bits: 2, groupSize: 16, channels: 32, lanes: 8, residual: 128 }, 300],
  [{ mode: 'per-channel', bits: 1, groupSize: 8, channels: 16, lanes: 2, residual: 32 }, 64],
  [{ mode: 'per-token', bits: 8, groupSize: 1, channels: 4, lanes: 1, residual: 1 }, 10],
  [{ mode: 'per-channel', bits: 4, groupSize: 2, channels: 3, lanes: 1, residual: 8 }, 30],
];

const label = (c: QuantizerConfig, T: number) => `${c.format} ${c.mode} b${c.bits} G${c.groupSize} D${c.channels} R${c.residual} T${T}`;

for (const format of ['fp16', 'bf16'] as const) {
  describe(`quantizer golden vs NumPy (${format}${format === 'fp16' ? ', np.float16 step by step' : ', float64 + exact RNE to bfloat16'})`, () => {
    const cases = CONFIGS.map(([partial, T], k) => {
      const cfg = quantizerConfig({ ...partial, format });
      return { cfg, T, synthetic: prepare(cfg, syntheticKv(cfg, T, 100 + k)), edge: prepare(cfg, edgeCaseTensor(cfg, T, 200 + k)) };
    });
    let ran: Promise<void> | undefined;
    const numpyDone = () => (ran ??= runNumpy(cases.flatMap((c) => [c.synthetic, c.edge])));

    for (const { cfg, T, synthetic, edge } of cases) {
      it(`${label(cfg, T)}: synthetic ${cfg.mode === 'per-channel' ? 'keys' : 'values'} and edge-case groups`, async () => {
        await numpyDone();
        for (const [what, c] of [['synthetic', synthetic], ['edge cases', edge]] as const) {
          const q = quantizeTensor(cfg, c.x);
          expect(q.Tq).toBe(quantizedTokens(cfg, T));
          const bad = compare(cfg, q, c);
          expect(bad, `${what}: ${bad.join('\n')}`).toEqual([]);
          expect(checkPacking(cfg, q)).toEqual({ bad: 0, words: (q.Tq * cfg.channels * cfg.bits) / 32 });
          if (what === 'edge cases') {
            const want = cfg.groupSize > 1 ? [FLAG_NAN, FLAG_INF, FLAG_RANGE_OVF, FLAG_ZERO_SCALE] : [FLAG_NAN, FLAG_INF, FLAG_ZERO_SCALE];
            for (const fl of want) expect(q.flags.some((v) => (v & fl) !== 0), `flag ${fl} exercised`).toBe(true);
          }
        }
      });
    }
  });
}

describe('quantizer golden: documented cases', () => {
  const f = FP16;
  const h = (v: number) => fpFromNumber(f, v);

  it('a plain group: mn, scale = fl(range/(2^b−1)), half-even codes', () => {
    // mn = 0, mx = 3, b = 2: scale = 1; 0.5 → 0, 1.5 → 2, 2.5 → 2 (ties to even)
    const r = quantizeGroup(f, 2, [h(0.5), h(0), h(1.5), h(3), h(2.5), h(1)]);
    expect(r).toEqual({ codes: [0, 0, 2, 3, 2, 1], scale: h(1), min: h(0), flags: 0 });
  });

  it('constant group and scale underflow: codes 0, x̂ = fl(+0 + mn), flag ZERO_SCALE', () => {
    const cfg = quantizerConfig({ channels: 8, groupSize: 8, lanes: 8, bits: 8, residual: 0 });
    const x = new Uint16Array([h(1.25), h(1.25), h(1.25), h(1.25), h(1.25), h(1.25), h(1.25), h(1.25), 0, 1, 0, 1, 0, 0, 1, 0]);
    const q = quantizeTensor(cfg, x);
    expect([...q.flags]).toEqual([FLAG_ZERO_SCALE, FLAG_ZERO_SCALE]); // second: 2^-24 / 255 rounds to 0
    expect([...q.scale]).toEqual([0, 0]);
    expect([...q.min]).toEqual([h(1.25), 0]);
    expect([...q.codes]).toEqual(new Array(16).fill(0));
    expect([...q.dequant]).toEqual([...new Array(8).fill(h(1.25)), ...new Array(8).fill(0)]);
    // x̂ = fl(+0 + mn): a −0 minimum reconstructs as +0, as the dequantizer unit computes it
    const z = quantizeTensor(cfg, new Uint16Array([0x8000, 0, 0x8000, 0x8000, 0, 0, 0, 0]));
    expect([z.min[0], z.scale[0], z.flags[0]]).toEqual([0x8000, 0, FLAG_ZERO_SCALE]);
    expect([...z.dequant]).toEqual(new Array(8).fill(0));
  });

  it('−0 and +0 compare equal; ties keep the first element', () => {
    expect(quantizeGroup(f, 2, [0x8000, 0, h(1)]).min).toBe(0x8000);
    expect(quantizeGroup(f, 2, [0, 0x8000, h(1)]).min).toBe(0);
  });

  it('NaN, ±Inf and range overflow: flags, codes 0, scale = min = NaN, x̂ = NaN', () => {
    const nan = canonicalNaN(f);
    expect(quantizeGroup(f, 4, [h(1), 0x7e01, h(2), 0xfc00])).toEqual({ codes: [0, 0, 0, 0], scale: nan, min: nan, flags: FLAG_NAN | FLAG_INF });
    expect(quantizeGroup(f, 4, [h(1), 0x7c00]).flags).toBe(FLAG_INF);
    expect(quantizeGroup(f, 4, [h(-40000), h(40000)])).toEqual({ codes: [0, 0], scale: nan, min: nan, flags: FLAG_RANGE_OVF });
    expect(quantizeGroup(f, 4, [h(-30000), h(30000)]).flags).toBe(0); // 60000 is finite
    const cfg = quantizerConfig({ channels: 8, groupSize: 8, lanes: 8, bits: 8, residual: 0 });
    const q = quantizeTensor(cfg, new Uint16Array([h(1), h(2), 0x7c00, 0, 0, 0, 0, 0]));
    expect([...q.dequant]).toEqual(new Array(8).fill(nan));
  });

  it('documented property: x̂ of the top code may round to Inf near the format maximum (not flagged)', () => {
    const r = quantizeGroup(f, 8, [h(0), h(65504)]);
    expect(r).toEqual({ codes: [0, 255], scale: h(257), min: h(0), flags: 0 });
    expect(dequantValue(f, 255, r.scale, r.min)).toBe(0x7c00);
  });

  it('per-token window: the newest R tokens stay in full precision', () => {
    const cfg = quantizerConfig({ channels: 16, groupSize: 16, lanes: 4, residual: 3 });
    for (const [T, Tq] of [[0, 0], [2, 0], [3, 0], [4, 1], [10, 7]]) expect(quantizedTokens(cfg, T)).toBe(Tq);
    const x = syntheticKv(cfg, 10, 1);
    const q = quantizeTensor(cfg, x);
    expect(q.residual).toEqual(x.slice(7 * 16));
    expect(q.groupShape).toEqual([7, 1]);
    expect(q.packedShape).toEqual([7, 1]);
  });

  it('per-channel blocks: R tokens at a time, a partial block stays in full precision', () => {
    const cfg = quantizerConfig({ mode: 'per-channel', channels: 8, groupSize: 8, lanes: 4, residual: 16, bits: 2 });
    for (const [T, Tq] of [[0, 0], [15, 0], [16, 16], [47, 32], [48, 48]]) expect(quantizedTokens(cfg, T)).toBe(Tq);
    const x = syntheticKv(cfg, 47, 2);
    const q = quantizeTensor(cfg, x);
    expect(q.groupShape).toEqual([4, 8]);
    expect(q.packedShape).toEqual([8, 2]);
    expect(q.residual).toEqual(x.slice(32 * 8));
  });

  it('packing: LSB-first words, the known bit patterns', () => {
    const codes = new Uint8Array(16);
    codes[0] = 1;
    codes[15] = 3;
    expect([...packCodes(codes, 1, 16, 2, 'cols')]).toEqual([0xc0000001]);
    // [4, 2] codes packed along rows (b = 8): word c holds column c, row 0 in the low byte
    const k = new Uint8Array([1, 2, 3, 4, 5, 6, 0xff, 8]);
    expect([...packCodes(k, 4, 2, 8, 'rows')]).toEqual([0xff050301, 0x08060402]);
    expect([...packCodes(new Uint8Array(32).fill(1), 1, 32, 1, 'cols')]).toEqual([0xffffffff]);
  });

  it('bf16 uses the same arithmetic on bfloat16 patterns', () => {
    const b = (v: number) => fpFromNumber(BF16, v);
    const r = quantizeGroup(BF16, 2, [b(-1), b(0.5), b(2)]);
    expect(fpToNumber(BF16, r.scale)).toBe(1);
    expect(r.codes).toEqual([0, 2, 3]); // 1.5 → 2 (tie to even)
  });

  it('config: cross-field constraints reported per field', () => {
    const issues = (c: object) => quantizerSchema.safeParse(c).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`) ?? [];
    expect(issues({ channels: 100, groupSize: 32 })).toEqual([
      'lanes: must divide channels (100), got 8',
      'channels: must be a multiple of groupSize (32) in per-token mode, got 100',
      'channels: must be a multiple of 32/bits = 16 in per-token mode (codes pack along channels), got 100',
    ]);
    expect(issues({ mode: 'per-channel', groupSize: 16, residual: 24, bits: 4 })).toEqual([
      'residual: must be a positive multiple of groupSize (16) in per-channel mode, got 24',
    ]);
    expect(issues({ mode: 'per-channel', groupSize: 8, residual: 8, bits: 2 })).toEqual([
      'residual: must be a multiple of 32/bits = 16 in per-channel mode (codes pack along tokens), got 8',
    ]);
    expect(issues({ bits: 3 })[0]).toMatch(/^bits: /);
    expect(issues({ colour: 1 })).toHaveLength(1);
    expect(issues({})).toEqual([]);
  });

  it("README's configuration table states the schema's defaults", () => {
    const readme = readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), '../../gen/quantizer/README.md'), 'utf8');
    const defaults = quantizerSchema.parse({}) as Record<string, unknown>;
    const table = readme.slice(readme.indexOf('## Configuration'), readme.indexOf('Cross-field rules'));
    const rows = table.split('\n').filter((l) => l.startsWith('| `')).map((l) => {
      const cells = l.split(/(?<!\\)\|/).map((c) => c.trim()); // '\|' inside a cell is not a separator
      return [cells[1].replace(/`/g, ''), cells[3].replace(/[`"]/g, '')];
    });
    expect(Object.fromEntries(rows)).toEqual(Object.fromEntries(Object.entries(defaults).map(([k, v]) => [k, String(v)])));
  });

  it('synthetic KV caches: no flags, and the reconstruction error falls with b', () => {
    for (const mode of ['per-token', 'per-channel'] as const) {
      const mse: number[] = [];
      for (const bits of [2, 4, 8] as const) {
        const cfg = quantizerConfig({ mode, bits, groupSize: 32, channels: 64, lanes: 8, residual: 32 });
        const x = syntheticKv(cfg, 96, 7);
        const q = quantizeTensor(cfg, x);
        expect(q.flags.every((v) => v === 0)).toBe(true);
        let num = 0;
        let den = 0;
        for (let i = 0; i < q.dequant.length; i++) {
          const v = fpToNumber(f, x[i]);
          num += (fpToNumber(f, q.dequant[i]) - v) ** 2;
          den += v * v;
        }
        mse.push(num / den);
      }
      expect(mse[0]).toBeGreaterThan(mse[1]);
      expect(mse[1]).toBeGreaterThan(mse[2]);
      expect(mse[2]).toBeLessThan(1e-4);
    }
  });

  it('x.npy: dtype and shape checks with one-line messages', () => {
    const fp = quantizerConfig({ channels: 16, groupSize: 16, lanes: 8 });
    const bf = quantizerConfig({ channels: 16, groupSize: 16, lanes: 8, format: 'bf16' });
    const data = new Uint16Array(32);
    expect(quantizerInput(fp, { dtype: 'float16', shape: [2, 16], data })).toBe(data);
    expect(quantizerInput(fp, { dtype: 'uint16', shape: [2, 16], data })).toBe(data);
    expect(quantizerInput(bf, { dtype: 'uint16', shape: [2, 16], data })).toBe(data);
    expect(() => quantizerInput(bf, { dtype: 'float16', shape: [2, 16], data })).toThrow('x must be uint16 (bfloat16 bit patterns) for format bf16, got float16');
    expect(() => quantizerInput(fp, { dtype: 'float32', shape: [2, 16], data: new Float32Array(32) })).toThrow('x must be float16 (or uint16 binary16 patterns) for format fp16, got float32');
    expect(() => quantizerInput(fp, { dtype: 'uint16', shape: [4, 8], data })).toThrow('x must have shape [tokens, 16] (channels = 16), got [4, 8]');
  });

  it('edge-case tensors are deterministic per seed and hit every flag', () => {
    const cfg = quantizerConfig({ channels: 64, groupSize: 8, lanes: 8, bits: 4, residual: 2 });
    const x = edgeCaseTensor(cfg, 20, 5);
    expect(edgeCaseTensor(cfg, 20, 5)).toEqual(x);
    const q = quantizeTensor(cfg, x);
    for (const fl of [FLAG_NAN, FLAG_INF, FLAG_RANGE_OVF, FLAG_ZERO_SCALE]) expect(q.flags.some((v) => (v & fl) !== 0)).toBe(true);
  });
});
