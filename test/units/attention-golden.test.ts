/**
 * attention golden model (gen/attention/README.md): (i) bit-exact agreement with an independent
 * NumPy checker written from the README (test/units/numpy/attention_ref.py) on small random
 * configs; (ii) early exit on/off gives identical kept sets, scores and outputs (fast-check, threshold
 * and topk); (iii) deliberate mutations of the bound and of the running top-k threshold are caught by
 * (ii); (iv) the cache image round-trips through layout.ts; (v) cosine(out, (b)) ≥ 0.9999 on
 * synthetic rows. NumPy is required: without it the checker test fails, it never skips.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { readNpyFile, writeNpyFile } from '../../data/npy.ts';
import { Rng } from '../../data/rng.ts';
import { fpFromNumber, fpToNumber } from '../../hdl/lib/float/golden/index.ts';
import { FORMATS } from '../../hdl/lib/float/format.ts';
import { attentionConfig, type AttentionConfig } from '../../gen/attention/config.ts';
import { buildCache } from '../../gen/attention/cache.ts';
import { attentionGolden, attentionRow, setMutationForTest, type Mutation } from '../../gen/attention/golden.ts';
import { attentionOutputs, attentionReport } from '../../gen/attention/report.ts';
import { buildImage, parseImage, regionMap } from '../../gen/attention/layout.ts';
import { EXP_TABLE, expWeight } from '../../gen/attention/fixed.ts';
import { accuracy, referenceKept } from '../../gen/attention/reference.ts';
import { syntheticAttention } from '../../gen/attention/synthetic.ts';
import { calibrateValueCodebook } from '../../gen/attention/stimulus.ts';
import type { Codebook } from '../../gen/nuq/codebook.ts';

const SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'numpy', 'attention_ref.py');

/** Random fp16/bf16 data: synthetic structure or plain normals, n tokens. */
function data(cfg: AttentionConfig, rows: number, n: number, seed: number): { q: Uint16Array; k: Uint16Array; v: Uint16Array } {
  if (seed % 2 === 0 && cfg.format === 'fp16') return syntheticAttention({ rows, n, D: cfg.dims, seed, window: Math.min(8, n) });
  const r = new Rng(seed);
  const f = FORMATS[cfg.format];
  const g = () => (r.float() + r.float() + r.float() - 1.5) * 2;
  const mk = (len: number, s: number) => Uint16Array.from({ length: len }, () => fpFromNumber(f, s * g()));
  return { q: mk(rows * cfg.dims, 2), k: mk(n * cfg.dims, 1.5), v: mk(n * cfg.dims, 1) };
}

/** θ per row: an exact candidate score (± 1), or a quantile, from the dense run. */
function thetas(cfg: AttentionConfig, d: { q: Uint16Array; k: Uint16Array; v: Uint16Array }, rows: number, r: Rng, cb?: Codebook): number[] {
  const dense = attentionConfig({ ...cfg, selection: 'none' });
  const cache = buildCache(dense, d.k, d.v, cb);
  return Array.from({ length: rows }, (_, i) => {
    const s = attentionRow(dense, cache, d.q.subarray(i * cfg.dims, (i + 1) * cfg.dims), null).scores;
    const sorted = [...s].sort((a, b) => b - a);
    const pick = sorted[r.int(0, sorted.length - 1)];
    return [pick, pick + 1, pick - 1, sorted[Math.floor(sorted.length * 0.2)]][i % 4];
  });
}

interface Case {
  cfg: AttentionConfig;
  rows: number;
  n: number;
  seed: number;
  ee: boolean;
  /** valueQuant "nuq": the codebook's trim (calibrated on the case's v, written as codebook.json) */
  trim?: number;
}

const small = (o: Partial<AttentionConfig>): AttentionConfig =>
  attentionConfig({ dims: 32, maxKeys: 128, groupSize: 8, residual: 16, k: 6, sink: 2, keyLanes: 2, dimsPerCycle: 32, heads: 4, rowBuckets: [64], ...o });

const checkerCases: Case[] = [
  { cfg: small({ selection: 'threshold', keyBits: 4, valueBits: 4 }), rows: 4, n: 70, seed: 2, ee: true },
  { cfg: small({ selection: 'threshold', keyBits: 2, valueBits: 8, dims: 64, dimsPerCycle: 32, groupSize: 16, residual: 16 }), rows: 4, n: 50, seed: 3, ee: true },
  { cfg: small({ selection: 'topk', keyBits: 4, valueBits: 2, k: 5, keyLanes: 1 }), rows: 3, n: 64, seed: 4, ee: true },
  { cfg: small({ selection: 'topk', keyBits: 8, valueBits: 4, dims: 64, dimsPerCycle: 32, k: 9, keyLanes: 3, sink: 0 }), rows: 3, n: 60, seed: 5, ee: true },
  { cfg: small({ selection: 'none', keyBits: 4, valueBits: 4, scoreFrac: 10, queryBits: 12 }), rows: 2, n: 40, seed: 6, ee: true },
  { cfg: small({ selection: 'topk', format: 'bf16', keyBits: 4, valueBits: 4, k: 4 }), rows: 2, n: 48, seed: 7, ee: false },
  { cfg: small({ selection: 'threshold', keyBits: 4, valueBits: 4, residual: 32, groupSize: 16 }), rows: 4, n: 20, seed: 8, ee: true },
  { cfg: small({ selection: 'threshold', keyBits: 8, valueBits: 2, dims: 64, dimsPerCycle: 0, groupSize: 32, residual: 32, sink: 5 }), rows: 4, n: 75, seed: 9, ee: true },
  { cfg: small({ selection: 'topk', keyBits: 2, valueBits: 8, k: 40, sink: 3 }), rows: 2, n: 45, seed: 10, ee: true },
  { cfg: small({ selection: 'threshold', format: 'bf16', keyBits: 4, valueBits: 2, scoreFrac: 12 }), rows: 4, n: 66, seed: 13, ee: true },
  { cfg: small({ selection: 'topk', keyBits: 4, valueBits: 4, dims: 96, dimsPerCycle: 32, groupSize: 32, residual: 32, k: 3, keyLanes: 5 }), rows: 3, n: 90, seed: 12, ee: true },
  // valueQuant "nuq" (README §1 "NUQ values"): the checker quantizes v with nuq_ref.py's per-token model
  { cfg: small({ selection: 'threshold', keyBits: 4, valueBits: 4, valueQuant: 'nuq', valueTrimMax: 2 }), rows: 3, n: 60, seed: 14, ee: true, trim: 2 },
  { cfg: small({ selection: 'topk', format: 'bf16', keyBits: 4, valueBits: 2, dims: 64, dimsPerCycle: 32, groupSize: 16, k: 5, valueQuant: 'nuq', valueTrimMax: 3 }), rows: 2, n: 50, seed: 15, ee: true, trim: 1 },
  { cfg: small({ selection: 'none', keyBits: 2, valueBits: 2, valueQuant: 'nuq', valueTrimMax: 1 }), rows: 1, n: 12, seed: 16, ee: true, trim: 1 },
];

const work = mkdtempSync(path.join(os.tmpdir(), 'kvhdl-attention-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('attention golden vs the NumPy checker written from the README', () => {
  it('agrees bit for bit (out, kept, scores, words per region)', async () => {
    const dirs: { dir: string; c: Case; res: ReturnType<typeof attentionRow>[] }[] = [];
    for (const [i, c] of checkerCases.entries()) {
      const dir = path.join(work, `case${i}`);
      mkdirSync(dir, { recursive: true });
      const d = data(c.cfg, c.rows, c.n, c.seed);
      const cb = c.trim === undefined ? undefined : calibrateValueCodebook(c.cfg, d.v, c.trim);
      if (cb) {
        expect(cb.trim).toBe(c.trim);
        writeFileSync(path.join(dir, 'codebook.json'), JSON.stringify(cb));
      }
      const th = c.cfg.selection === 'threshold' ? thetas(c.cfg, d, c.rows, new Rng(c.seed), cb) : null;
      const cache = buildCache(c.cfg, d.k, d.v, cb);
      // the NUQ cases have outliers in their quantized values (n = 12 < R: none quantized)
      if (cb && c.n > c.cfg.residual) expect(cache.nuq!.outliers.some((o) => o.length > 0), `case ${i}: no outliers`).toBe(true);
      const D = c.cfg.dims;
      const res = Array.from({ length: c.rows }, (_, r) => attentionRow(c.cfg, cache, d.q.subarray(r * D, (r + 1) * D), th ? th[r] : null, c.ee));
      writeFileSync(path.join(dir, 'cfg.json'), JSON.stringify(c.cfg));
      writeFileSync(path.join(dir, 'theta.json'), JSON.stringify(th ?? Array(c.rows).fill(null)));
      writeFileSync(path.join(dir, 'earlyexit.json'), JSON.stringify(c.ee));
      await writeNpyFile(path.join(dir, 'q.npy'), { dtype: 'uint16', shape: [c.rows, D], data: d.q });
      await writeNpyFile(path.join(dir, 'k.npy'), { dtype: 'uint16', shape: [c.n, D], data: d.k });
      await writeNpyFile(path.join(dir, 'v.npy'), { dtype: 'uint16', shape: [c.n, D], data: d.v });
      dirs.push({ dir, c, res });
    }
    const py = await execa('python3', [SCRIPT, ...dirs.map((x) => x.dir)], { reject: false, timeout: 120_000 });
    expect(py.exitCode, `python3 with NumPy is required: ${py.stderr}`).toBe(0);
    for (const { dir, c, res } of dirs) {
      const out = await readNpyFile(path.join(dir, 'out.npy'));
      const kept = await readNpyFile(path.join(dir, 'kept.npy'));
      const scores = await readNpyFile(path.join(dir, 'scores.npy'));
      const words = JSON.parse(readFileSync(path.join(dir, 'words.json'), 'utf8')) as Record<string, number>[];
      const D = c.cfg.dims;
      res.forEach((r, i) => {
        const tag = `${path.basename(dir)} row ${i} (${c.cfg.selection})`;
        expect(Array.from(kept.data as Uint8Array).slice(i * c.n, (i + 1) * c.n), tag).toEqual(Array.from(r.kept));
        expect(Array.from(scores.data as BigInt64Array).slice(i * c.n, (i + 1) * c.n).map(Number), tag).toEqual(r.scores);
        expect(Array.from(out.data as Uint16Array).slice(i * D, (i + 1) * D), tag).toEqual(Array.from(r.out));
        expect(words[i], tag).toEqual(r.words);
      });
      // the cases exercise early exit: some key words are skipped, some candidates kept, some not
      const candidates = c.n - c.cfg.residual - c.cfg.sink;
      if (c.ee && c.cfg.selection !== 'none' && candidates > 0 && !(c.cfg.selection === 'topk' && candidates <= c.cfg.k)) {
        const full = regionMap(c.cfg, c.n).size.keyPlanes;
        expect(res.some((r) => r.words.keyPlanes < full), `${dir}: no key words skipped`).toBe(true);
        expect(res.some((r) => r.kept.some((x) => x === 0)), `${dir}: nothing pruned`).toBe(true);
      }
    }
  });

  it('the exp2 table has no entry near a rounding tie (README §4)', () => {
    EXP_TABLE.forEach((e, h) => {
      const x = 2 ** (-h / 128) * 65536;
      expect(Math.abs(x - Math.floor(x) - 0.5)).toBeGreaterThan(1e-3);
      expect(e).toBe(Math.floor(x + 0.5));
    });
  });

  it('exp2 weights are within the stated error bound (−1.5, 1.75) units', () => {
    for (const F of [7, 10, 16]) {
      for (let z = 0; z < 18 * 2 ** F; z += Math.max(1, Math.floor(2 ** F / 97))) {
        const err = expWeight(z, F) - 65536 * 2 ** (-z / 2 ** F);
        expect(err).toBeGreaterThan(-1.5);
        expect(err).toBeLessThan(1.75);
      }
    }
  });
});

/** Early exit on and off: identical kept, scores, out; never more key words. */
function eeEquivalent(cfg: AttentionConfig, rows: number, n: number, seed: number): boolean {
  const d = data(cfg, rows, n, seed);
  const th = cfg.selection === 'threshold' ? thetas(cfg, d, rows, new Rng(seed)) : null;
  const cache = buildCache(cfg, d.k, d.v);
  const D = cfg.dims;
  for (let r = 0; r < rows; r++) {
    const q = d.q.subarray(r * D, (r + 1) * D);
    const a = attentionRow(cfg, cache, q, th ? th[r] : null, true);
    const b = attentionRow(cfg, cache, q, th ? th[r] : null, false);
    if (a.kept.some((x, i) => x !== b.kept[i]) || a.scores.some((x, i) => x !== b.scores[i]) || a.out.some((x, i) => x !== b.out[i])) return false;
    if (a.words.keyPlanes > b.words.keyPlanes) return false;
  }
  return true;
}

const arbCase = (selection: 'threshold' | 'topk') =>
  fc.record({
    keyBits: fc.constantFrom(2 as const, 4 as const, 8 as const),
    dims: fc.constantFrom(32, 64),
    groupSize: fc.constantFrom(4, 8, 16),
    k: fc.integer({ min: 1, max: 12 }),
    sink: fc.integer({ min: 0, max: 3 }),
    keyLanes: fc.integer({ min: 1, max: 6 }),
    n: fc.integer({ min: 1, max: 90 }),
    seed: fc.integer({ min: 0, max: 1 << 30 }),
  }).map((o) => ({ cfg: small({ selection, keyBits: o.keyBits, dims: o.dims, groupSize: o.groupSize, residual: 16, k: o.k, sink: o.sink, keyLanes: o.keyLanes }), n: o.n, seed: o.seed }));

describe('early exit keeps the same set (property)', () => {
  for (const sel of ['threshold', 'topk'] as const) {
    it(`${sel}: kept, scores and out identical with and without early exit`, () => {
      fc.assert(fc.property(arbCase(sel), (c) => eeEquivalent(c.cfg, 3, c.n, c.seed)), { numRuns: 25, seed: 14 });
    });
  }

  const mutants: [Mutation, 'threshold' | 'topk'][] = [['bound', 'threshold'], ['kth', 'topk']];
  for (const [m, sel] of mutants) {
    it(`the mutation '${m}' (${sel}) is caught by the property`, () => {
      setMutationForTest(m);
      try {
        const r = fc.check(fc.property(arbCase(sel), (c) => eeEquivalent(c.cfg, 4, c.n, c.seed)), { numRuns: 200, seed: 15 });
        expect(r.failed).toBe(true);
      } finally {
        setMutationForTest(null);
      }
    });
  }
});

describe('cache image (layout.ts)', () => {
  it('builds and parses back to the quantizer tensors, region sizes as the README', () => {
    for (const [cfg, n] of [
      [small({ keyBits: 4, valueBits: 2 }), 70],
      [small({ keyBits: 8, valueBits: 8, dims: 64, dimsPerCycle: 64, groupSize: 16 }), 33],
      [small({ keyBits: 2, valueBits: 4, dims: 64, dimsPerCycle: 32, groupSize: 64, residual: 64, maxKeys: 256 }), 130],
    ] as const) {
      const d = data(cfg, 1, n, 11);
      const cache = buildCache(cfg, d.k, d.v);
      const img = buildImage(cfg, cache);
      const m = regionMap(cfg, n);
      expect(img.length).toBe(m.total);
      img.forEach((w) => expect(w >> BigInt(cfg.dimsPerCycle || cfg.dims)).toBe(0n));
      const p = parseImage(cfg, img, n);
      expect(Array.from(p.keyCodes)).toEqual(Array.from(cache.keys.codes));
      expect(Array.from(p.keyScale)).toEqual(Array.from(cache.keys.scale));
      expect(Array.from(p.keyMin)).toEqual(Array.from(cache.keys.min));
      expect(Array.from(p.keyResidual)).toEqual(Array.from(cache.keys.residual));
      expect(Array.from(p.valueCodes)).toEqual(Array.from(cache.values.codes));
      expect(Array.from(p.valueScale)).toEqual(Array.from(cache.values.scale));
      expect(Array.from(p.valueMin)).toEqual(Array.from(cache.values.min));
      expect(Array.from(p.valueResidual)).toEqual(Array.from(cache.values.residual));
      if (cfg.dimsPerCycle === 32) {
        // W = 32: valueCodes rows are the quantizer's packed rows
        const vc = img.slice(m.base.valueCodes, m.base.valueCodes + m.size.valueCodes).map(Number);
        expect(vc).toEqual(Array.from(cache.values.packed));
      }
    }
  });
});

describe('accuracy against the float64 reference over the same cache and kept set', () => {
  it('cosine(out, (b)) ≥ 0.9999 on synthetic rows (threshold and topk)', () => {
    const n = 512;
    const D = 128;
    const d = syntheticAttention({ rows: 4, n, D, seed: 21 });
    for (const sel of ['threshold', 'topk'] as const) {
      const cfg = attentionConfig({ selection: sel, k: 40, maxKeys: n, rowBuckets: [n] });
      const cache = buildCache(cfg, d.k, d.v);
      const th = sel === 'threshold' ? thetas(cfg, d, 4, new Rng(1)).map((_, i) => {
        const s = attentionRow(attentionConfig({ ...cfg, selection: 'none' }), cache, d.q.subarray(i * D, (i + 1) * D), null).scores;
        return [...s].sort((a, b) => b - a)[48];
      }) : null;
      for (let r = 0; r < 4; r++) {
        const q = d.q.subarray(r * D, (r + 1) * D);
        const res = attentionRow(cfg, cache, q, th ? th[r] : null);
        const out = Array.from(res.out, (x) => fpToNumber(FORMATS.fp16, x));
        const acc = accuracy(out, referenceKept(cfg, cache, q, res.kept));
        expect(acc.cosine, `${sel} row ${r}`).toBeGreaterThanOrEqual(0.9999);
      }
    }
  });
});

describe('edge cases', () => {
  it('n = 0 gives +0 outputs and no words beyond nothing', () => {
    for (const selection of ['none', 'threshold', 'topk'] as const) {
      const cfg = small({ selection });
      const cache = buildCache(cfg, new Uint16Array(0), new Uint16Array(0));
      const r = attentionRow(cfg, cache, new Uint16Array(32).fill(0x3c00), selection === 'threshold' ? 0 : null);
      expect(Array.from(r.out)).toEqual(new Array(32).fill(0));
      expect(r.words.total).toBe(0);
    }
  });

  it('rejects non-finite inputs with one line naming the element', () => {
    const cfg = small({ selection: 'none' });
    const k = new Uint16Array(4 * 32);
    k[37] = 0x7c00;
    expect(() => buildCache(cfg, k, new Uint16Array(4 * 32))).toThrow(/k\[1, 5\] is not finite/);
  });
});

describe('report.json and output arrays (report.ts)', () => {
  it('totals, the no-early-exit words, baselines and shapes are consistent with the golden runs', () => {
    const cfg = small({ selection: 'threshold', k: 6, heads: 2, layers: 1, rowBuckets: [64] });
    const n = 80;
    const d = data(cfg, 4, n, 31);
    const th = thetas(cfg, d, 4, new Rng(3));
    const table = { k: 6, buckets: [64], theta: [[[th[0]], [th[1]]]] };
    const inp = { ...d, thresholds: table };
    const g = attentionGolden(cfg, inp);
    expect(g.thetas).toEqual([th[0], th[1], th[0], th[1]]); // head r mod 2
    const off = attentionGolden(cfg, inp, false);
    const rep = attentionReport(cfg, inp, g);
    const repOff = attentionReport(cfg, inp, off);
    expect(rep.wordsNoEarlyExit).toEqual(repOff.words);
    expect(rep.words.total).toBe(Object.entries(rep.words).filter(([k]) => k !== 'total').reduce((a, [, v]) => a + v, 0));
    expect(rep.baselines.denseKivi).toBe(4 * buildImage(cfg, g.cache).length);
    expect(rep.baselines.fp16Dense).toBe(4 * 2 * n * 16);
    expect(rep.kept).toEqual(g.results.map((r) => r.kept.reduce((a, x) => a + x, 0)));
    expect(rep.accuracy.perRow).toHaveLength(4);
    expect(rep.keyPlaneFraction).toBeLessThan(1);
    const o = attentionOutputs(cfg, g);
    expect(o.out.shape).toEqual([4, 32]);
    expect(o.kept.shape).toEqual([4, n]);
    expect(o.scores.dtype).toBe('int64');
    expect(() => attentionGolden(cfg, { ...d, thresholds: { ...table, k: 5 } })).toThrow(/k = 5/);
  });
});
