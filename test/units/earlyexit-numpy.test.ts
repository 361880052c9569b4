/**
 * `kvhdl golden earlyexit` against an independent NumPy checker written from gen/earlyexit/README.md
 * alone (test/units/numpy/earlyexit_ref.py): kept.npy, scores.npy, planes.npy and report.json's
 * planes/words/baseline on seeded inputs (signed and unsigned keys, D not a power of two, θ at the
 * int64 extremes, a score, a score ± 1; all-negative, zero and extreme queries; the most negative
 * keys; the baseline config; an empty key set), and the bit-plane image of `keyImage` against the
 * README's address formula. NumPy is required (toolchain ensureTools(['numpy'])): without it the test
 * fails with one line, it never skips.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readNpyFile, writeNpyFile } from '../../data/npy.ts';
import { Rng } from '../../data/rng.ts';
import { earlyexitSchema, type EarlyexitConfig } from '../../gen/earlyexit/config.ts';
import { keyImage } from '../../gen/earlyexit/layout.ts';
import { ensureTools } from '../../toolchain/tools.ts';
import { needTools } from '../helpers/tools.ts';

needTools('numpy');

const SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'numpy', 'earlyexit_ref.py');
const bin = path.resolve('bin/kvhdl.js');

interface Case {
  name: string;
  cfg: EarlyexitConfig;
  rows: number;
  n: number;
  seed: number;
}
const cfgOf = (c: Partial<EarlyexitConfig>): EarlyexitConfig => earlyexitSchema.parse(c);
const cases: Case[] = [
  { name: 'signed D=13 W=5 B=4', cfg: cfgOf({ dims: 13, dimsPerCycle: 5, queryBits: 8, keyBits: 4, keySigned: true, keyLanes: 3, maxKeys: 40 }), rows: 14, n: 29, seed: 11 },
  { name: 'unsigned D=7 B=3', cfg: cfgOf({ dims: 7, queryBits: 5, keyBits: 3, keySigned: false, keyLanes: 2, maxKeys: 32 }), rows: 12, n: 32, seed: 12 },
  { name: 'signed D=3 B=2 Wq=2', cfg: cfgOf({ dims: 3, queryBits: 2, keyBits: 2, keySigned: true, keyLanes: 1, maxKeys: 16 }), rows: 10, n: 16, seed: 13 },
  { name: 'unsigned B=1 D=10 W=3', cfg: cfgOf({ dims: 10, dimsPerCycle: 3, queryBits: 6, keyBits: 1, keySigned: false, maxKeys: 20 }), rows: 10, n: 20, seed: 14 },
  { name: 'signed D=6 B=16 Wq=16 baseline', cfg: cfgOf({ dims: 6, queryBits: 16, keyBits: 16, keySigned: true, earlyExit: false, maxKeys: 24 }), rows: 10, n: 24, seed: 15 },
  { name: 'signed D=5 no keys', cfg: cfgOf({ dims: 5, keyBits: 5, maxKeys: 8 }), rows: 3, n: 0, seed: 16 },
];

const I64_MIN = -(1n << 63n);
const I64_MAX = (1n << 63n) - 1n;

/** Seeded q/k/θ with the edge cases; θ per row: quantile, a score, ± 1, int64 min/max, 0. */
function inputs(c: Case): { q: number[][]; k: number[][]; theta: bigint[] } {
  const r = new Rng(c.seed);
  const { dims: D, queryBits: Wq, keyBits: B, keySigned } = c.cfg;
  const kLo = keySigned ? -(2 ** (B - 1)) : 0;
  const kHi = keySigned ? 2 ** (B - 1) - 1 : 2 ** B - 1;
  const qLo = -(2 ** (Wq - 1));
  const qHi = 2 ** (Wq - 1) - 1;
  const k = Array.from({ length: c.n }, (_, t) =>
    Array.from({ length: D }, () => (t % 5 === 0 ? kLo : t % 5 === 1 ? kHi : t % 5 === 2 ? (r.chance(0.5) ? kLo : kHi) : r.int(kLo, kHi))),
  );
  const q = Array.from({ length: c.rows }, (_, i) =>
    Array.from({ length: D }, () => (i === 0 ? 0 : i === 1 ? r.int(qLo, -1) : i === 2 ? qLo : i === 3 ? qHi : r.int(qLo, qHi))),
  );
  const theta = q.map((qi, i) => {
    const s = k.map((kt) => kt.reduce((a, v, d) => a + v * qi[d], 0)).sort((a, b) => a - b);
    const pick = s.length ? s[r.int(0, s.length - 1)] : 0;
    const kind = i % 8;
    if (kind === 0) return I64_MIN;
    if (kind === 1) return I64_MAX;
    if (kind === 2) return BigInt(pick);
    if (kind === 3) return BigInt(pick + 1);
    if (kind === 4) return BigInt(pick - 1);
    if (kind === 5) return 0n;
    return BigInt(s.length ? s[Math.floor(s.length * 0.9)] : 0);
  });
  return { q, k, theta };
}

let work = '';
const dirs = new Map<string, string>();
const cli = new Map<string, { exitCode: number | undefined; stderr: string }>();

beforeAll(async () => {
  await ensureTools(['numpy']);
  work = mkdtempSync(path.join(os.tmpdir(), 'kvhdl-earlyexit-numpy-'));
  for (const c of cases) {
    const dir = path.join(work, c.name.replace(/[^A-Za-z0-9]+/g, '_'));
    mkdirSync(dir);
    const { q, k, theta } = inputs(c);
    writeFileSync(path.join(dir, 'cfg.json'), JSON.stringify(c.cfg));
    await writeNpyFile(path.join(dir, 'q.npy'), { dtype: 'int32', shape: [c.rows, c.cfg.dims], data: Int32Array.from(q.flat()) });
    await writeNpyFile(path.join(dir, 'k.npy'), { dtype: 'int32', shape: [c.n, c.cfg.dims], data: Int32Array.from(k.flat()) });
    await writeNpyFile(path.join(dir, 'theta.npy'), { dtype: 'int64', shape: [c.rows], data: BigInt64Array.from(theta) });
    dirs.set(c.name, dir);
  }
  const runs = cases.map(async (c) => {
    const dir = dirs.get(c.name)!;
    const f = (x: string) => path.join(dir, x);
    const g = await execa('node', [bin, 'golden', 'earlyexit', '--config', f('cfg.json'), '--q', f('q.npy'), '--k', f('k.npy'), '--theta', f('theta.npy'), '--out-dir', f('out')], { reject: false, timeout: 120_000 });
    cli.set(c.name, { exitCode: g.exitCode, stderr: g.stderr });
  });
  await Promise.all([...runs, execa('python3', [SCRIPT, ...dirs.values()], { timeout: 300_000 })]);
}, 600_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('kvhdl golden earlyexit equals the NumPy checker written from the README', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const dir = dirs.get(c.name)!;
      const g = cli.get(c.name)!;
      expect(g.exitCode, g.stderr).toBe(0);
      for (const [name, dtype] of [['kept', 'uint8'], ['scores', 'int64'], ['planes', 'uint8']] as const) {
        const got = await readNpyFile(path.join(dir, 'out', `${name}.npy`));
        const want = await readNpyFile(path.join(dir, `ref_${name}.npy`));
        expect(got.dtype, name).toBe(dtype);
        expect(want.dtype, `ref ${name}`).toBe(dtype);
        expect(got.shape, name).toEqual([c.rows, c.n]);
        expect(want.shape, `ref ${name}`).toEqual([c.rows, c.n]);
        expect(Array.from(got.data as ArrayLike<number | bigint>, String), name).toEqual(Array.from(want.data as ArrayLike<number | bigint>, String));
      }
      const rep = JSON.parse(readFileSync(path.join(dir, 'out', 'report.json'), 'utf8'));
      const ref = JSON.parse(readFileSync(path.join(dir, 'ref_report.json'), 'utf8'));
      expect({ planes: rep.planes, words: rep.words, baseline: rep.baseline }).toEqual(ref);
    });
  }

  it('keyImage lays the keys out by the README address formula', async () => {
    for (const c of cases) {
      const dir = dirs.get(c.name)!;
      const k = await readNpyFile(path.join(dir, 'k.npy'));
      const img = keyImage(c.cfg, Array.from(k.data as ArrayLike<number>), c.n);
      const want = await readNpyFile(path.join(dir, 'ref_image.npy'));
      const [words, W] = want.shape;
      expect(img.count, c.name).toBe(words);
      const got: number[] = [];
      for (let a = 0; a < img.count; a++) for (let i = 0; i < W; i++) got.push(img.lane(a, 'data', 1, i, false));
      expect(got, c.name).toEqual(Array.from(want.data as ArrayLike<number>));
    }
  });
});
