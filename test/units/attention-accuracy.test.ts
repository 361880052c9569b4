/**
 * The attention accuracy references (gen/attention/README.md §7, "Accuracy"): an independent NumPy
 * float model of KIVI (test/units/numpy/attention_float_kivi.py, written from design.md §4 and KIVI's
 * new_pack.py: float16 operations step by step, float64 attention) agrees with the golden model's
 * dequantized cache bit for bit and with reference.ts's (a) and (b); the golden output is within
 * cosine 0.9999 of the NumPy (b). And the bench's bits × keep grid (gen/attention/accuracy.ts, run by bench/attention-accuracy.ts) on a
 * small size: the kept counts it asks for, the engine's own error small beside KIVI's, more bits
 * more accurate. NumPy is required: without it the test fails with one line, it never skips.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { readNpyFile, writeNpyFile } from '../../data/npy.ts';
import { attentionConfig } from '../../gen/attention/config.ts';
import { buildCache } from '../../gen/attention/cache.ts';
import { attentionRow } from '../../gen/attention/golden.ts';
import { accuracy, referenceDense, referenceKept } from '../../gen/attention/reference.ts';
import { syntheticAttention } from '../../gen/attention/synthetic.ts';
import { fpToNumber } from '../../hdl/lib/float/golden/index.ts';
import { FP16 } from '../../hdl/lib/float/format.ts';
import { accuracyTable, attentionAccuracyGrid } from '../../gen/attention/accuracy.ts';
import { needTools } from '../helpers/tools.ts';

needTools('numpy');

const SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'numpy', 'attention_float_kivi.py');
const work = mkdtempSync(path.join(os.tmpdir(), 'kvhdl-attn-acc-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const CASES = [
  { bits: 2 as const, vbits: 4 as const, D: 64, G: 16, R: 32, n: 100, rows: 3, seed: 21 },
  { bits: 4 as const, vbits: 4 as const, D: 32, G: 8, R: 16, n: 90, rows: 3, seed: 22 },
  { bits: 8 as const, vbits: 2 as const, D: 64, G: 32, R: 64, n: 150, rows: 2, seed: 23 },
];

describe('attention: an independent NumPy float KIVI model', () => {
  it('gives the golden cache bit for bit, the same (a) and (b), and the golden out within cosine 0.9999 of its (b)', async () => {
    const runs = [];
    for (const [i, c] of CASES.entries()) {
      const cfg = attentionConfig({ dims: c.D, maxKeys: 256, keyBits: c.bits, valueBits: c.vbits, groupSize: c.G, residual: c.R, selection: 'threshold', sink: 1, k: 1, rowBuckets: [256], dimsPerCycle: 32 });
      const d = syntheticAttention({ rows: c.rows, n: c.n, D: c.D, seed: c.seed, window: 8 });
      const cache = buildCache(cfg, d.k, d.v);
      const q = (r: number) => d.q.subarray(r * c.D, (r + 1) * c.D);
      const none = attentionConfig({ ...cfg, selection: 'none' });
      // θ at the row's 10th best candidate score: ~10 candidates kept beside the forced tokens
      const res = Array.from({ length: c.rows }, (_, r) => {
        const theta = attentionRow(none, cache, q(r), null).scores.slice(1, c.n - c.R).sort((a, b) => b - a)[10];
        return attentionRow(cfg, cache, q(r), theta);
      });
      const dir = path.join(work, `case${i}`);
      mkdirSync(dir);
      writeFileSync(path.join(dir, 'cfg.json'), JSON.stringify(cfg));
      await writeNpyFile(path.join(dir, 'q.npy'), { dtype: 'uint16', shape: [c.rows, c.D], data: d.q });
      await writeNpyFile(path.join(dir, 'k.npy'), { dtype: 'uint16', shape: [c.n, c.D], data: d.k });
      await writeNpyFile(path.join(dir, 'v.npy'), { dtype: 'uint16', shape: [c.n, c.D], data: d.v });
      const kept = new Uint8Array(c.rows * c.n);
      res.forEach((x, r) => kept.set(x.kept, r * c.n));
      await writeNpyFile(path.join(dir, 'kept.npy'), { dtype: 'uint8', shape: [c.rows, c.n], data: kept });
      runs.push({ c, cfg, d, cache, res, dir, q });
    }
    const py = await execa('python3', [SCRIPT, ...runs.map((r) => r.dir)], { reject: false, timeout: 120_000 });
    expect(py.exitCode, `python3 with NumPy is required: ${py.stderr}`).toBe(0);
    for (const { c, cfg, d, cache, res, dir, q } of runs) {
      const tag = `${c.bits}-bit keys, ${c.vbits}-bit values`;
      const khat = await readNpyFile(path.join(dir, 'khat.npy'));
      const vhat = await readNpyFile(path.join(dir, 'vhat.npy'));
      expect(khat.shape, tag).toEqual([cache.Tk, c.D]);
      expect(vhat.shape, tag).toEqual([cache.Tv, c.D]);
      expect(cache.Tk).toBeGreaterThan(0);
      expect(Array.from(khat.data as Uint16Array), tag).toEqual(Array.from(cache.keys.dequant));
      expect(Array.from(vhat.data as Uint16Array), tag).toEqual(Array.from(cache.values.dequant));
      const outA = (await readNpyFile(path.join(dir, 'outA.npy'))).data as Float64Array;
      const outB = (await readNpyFile(path.join(dir, 'outB.npy'))).data as Float64Array;
      res.forEach((r, i) => {
        const a = Array.from(outA.subarray(i * c.D, (i + 1) * c.D));
        const b = Array.from(outB.subarray(i * c.D, (i + 1) * c.D));
        const tsA = referenceDense(cfg, q(i), d.k, d.v);
        const tsB = referenceKept(cfg, cache, q(i), r.kept);
        const scale = Math.max(...tsA.map(Math.abs), ...tsB.map(Math.abs));
        a.forEach((x, j) => expect(Math.abs(x - tsA[j]), `${tag} row ${i} (a) lane ${j}`).toBeLessThan(1e-12 * scale));
        b.forEach((x, j) => expect(Math.abs(x - tsB[j]), `${tag} row ${i} (b) lane ${j}`).toBeLessThan(1e-12 * scale));
        const out = Array.from(r.out, (x) => fpToNumber(FP16, x));
        expect(accuracy(out, b).cosine, `${tag} row ${i}`).toBeGreaterThanOrEqual(0.9999);
        // selection really dropped tokens, so (b) is not (a)
        expect(r.kept.reduce((s, x) => s + x, 0)).toBeLessThan(c.n);
      });
    }
  }, 120_000);
});

describe('attention accuracy grid (gen/attention/accuracy.ts) on a small size', () => {
  it('keeps what it asks for; the engine adds little to float KIVI; more bits, closer to dense', () => {
    const n = 320;
    const cells = attentionAccuracyGrid({ n, D: 32, rows: 2, groupSize: 8, residual: 16, seed: 7, bits: [2, 4, 8], keeps: [0.1, 0.25, 1] });
    expect(cells.map((c) => [c.bits, c.keep])).toEqual([2, 4, 8].flatMap((b) => [0.1, 0.25, 1].map((k) => [b, k])));
    for (const c of cells) {
      expect(c.kept, `${c.bits} bits keep ${c.keep}`).toBe(Math.round(c.keep * n));
      expect(c.minCosineVsSameCache, `${c.bits} bits keep ${c.keep}`).toBeGreaterThanOrEqual(0.9999);
      // the engine's error vs dense is that of float KIVI + selection, up to its own small error
      expect(Math.abs(c.engineVsDense.cosine - c.floatKiviVsDense.cosine)).toBeLessThan(1e-3);
    }
    const dense = (b: number) => cells.find((c) => c.bits === b && c.keep === 1)!.floatKiviVsDense;
    expect(dense(2).relL2).toBeGreaterThan(dense(4).relL2);
    expect(dense(4).relL2).toBeGreaterThan(dense(8).relL2);
    const table = accuracyTable(cells).split('\n');
    expect(table).toHaveLength(2 + cells.length);
    expect(table[2]).toMatch(/^\| 2 \| 10% \| 32 \| /);
    expect(table[4]).toMatch(/^\| 2 \| 100% \(none\) \| 320 \| /);
  }, 120_000);
});
