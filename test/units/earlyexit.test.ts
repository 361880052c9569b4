/**
 * earlyexit RTL in Verilator (and the edge cases of two configurations in Icarus) with random stalls,
 * backpressure and random memory latency: signed and unsigned keys, early exit and baseline, D not a
 * power of two, multi-beat planes, one key lane.
 * Besides the harness's comparison with the golden model, the kept set is checked against
 * {t : q·k_t > θ} computed here from the key matrix, kept scores against the dot products, and the
 * row's `words` counter against the read requests the testbench's memory actually answered.
 */
import { mkdtempSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { earlyexitUnit } from '../../gen/earlyexit/index.ts';
import { dimsOf, earlyexitSchema, type EarlyexitConfig } from '../../gen/earlyexit/config.ts';
import { keyImage } from '../../gen/earlyexit/layout.ts';
import { queryTable, type QueryRow } from '../../gen/earlyexit/stimulus.ts';
import { runUnit } from '../../flow/unit-run.ts';
import { Rng } from '../../data/rng.ts';
import type { StreamData } from '../../gen/unit.ts';

const configs: Record<string, unknown>[] = [
  { dims: 12, dimsPerCycle: 5, queryBits: 6, keyBits: 6, keySigned: true, keyLanes: 3, maxKeys: 64 },
  { dims: 12, dimsPerCycle: 5, queryBits: 6, keyBits: 6, keySigned: true, keyLanes: 3, maxKeys: 64, earlyExit: false },
  { dims: 7, queryBits: 5, keyBits: 4, keySigned: false, keyLanes: 1, maxKeys: 40 },
  { dims: 9, dimsPerCycle: 3, queryBits: 8, keyBits: 4, keySigned: false, keyLanes: 6, maxKeys: 48, earlyExit: false },
  { dims: 16, queryBits: 8, keyBits: 8, keySigned: true, keyLanes: 8, maxKeys: 64 },
];

// npm run regress: 12 random configurations more.
if (process.env.KVHDL_REGRESS) {
  const r = new Rng(606);
  for (let i = 0; i < 12; i++) {
    const dims = r.int(1, 40);
    const keySigned = r.chance(0.5);
    configs.push({
      dims, dimsPerCycle: r.int(1, dims), queryBits: r.int(2, 12), keyBits: r.int(keySigned ? 2 : 1, 12), keySigned,
      keyLanes: r.int(1, 12), maxKeys: r.int(16, 100), earlyExit: r.chance(0.7),
    });
  }
}

const dot = (q: readonly number[], k: readonly number[]): number => q.reduce((s, v, d) => s + v * k[d], 0);

/** The README's edge cases: extreme keys, all-negative q, q = 0, extreme q, θ = a score, θ ± 1, θ beyond every score. */
function edgeCases(cfg: EarlyexitConfig, seed: number): { rows: QueryRow[]; keys: number[][] } {
  const r = new Rng(seed);
  const { D, B, Wq } = dimsOf(cfg);
  const kLo = cfg.keySigned ? -(2 ** (B - 1)) : 0;
  const kHi = cfg.keySigned ? 2 ** (B - 1) - 1 : 2 ** B - 1;
  const qLo = -(2 ** (Wq - 1));
  const qHi = 2 ** (Wq - 1) - 1;
  const keys: number[][] = [
    Array(D).fill(kLo), // most negative two's complement (or 0)
    Array(D).fill(kHi),
    Array(D).fill(0),
    Array.from({ length: D }, (_, d) => (d % 2 ? kLo : kHi)),
    ...Array.from({ length: 12 }, () => Array.from({ length: D }, () => r.int(kLo, kHi))),
  ];
  const queries: number[][] = [
    Array.from({ length: D }, () => r.int(qLo, -1)), // all negative
    Array(D).fill(0),
    Array(D).fill(qLo),
    Array(D).fill(qHi),
    ...Array.from({ length: 4 }, () => Array.from({ length: D }, () => r.int(qLo, qHi))),
  ];
  const rows: QueryRow[] = [];
  for (const q of queries) {
    const s = keys.map((k) => dot(q, k));
    const some = s[r.int(0, s.length - 1)];
    for (const theta of [some, some + 1, some - 1, Math.min(...s) - 1, Math.max(...s), Math.max(...s) - 1]) rows.push({ q, theta: BigInt(theta), n: keys.length });
  }
  rows.push({ q: queries[4], theta: 0n, n: 0 }, { q: queries[5], theta: -(1n << 62n), n: 5 }, { q: queries[6], theta: 1n << 62n, n: keys.length });
  return { rows, keys };
}

/** Checks the RTL's outputs against dot products computed here (not by the golden model). */
function checkIndependently(cfg: EarlyexitConfig, rows: QueryRow[], keys: number[][], out: StreamData): void {
  const { B, C } = dimsOf(cfg);
  let i = 0;
  rows.forEach((row, r) => {
    const theta = Number(row.theta > 1n << 50n ? 1n << 50n : row.theta < -(1n << 50n) ? -(1n << 50n) : row.theta);
    let planes = 0;
    for (let t = 0; t < row.n; t++, i++) {
      const s = dot(row.q, keys[t]);
      expect(Number(out.key.get(i, 'index')), `row ${r} key ${t}`).toBe(t);
      expect(out.key.get(i, 'kept') === 1n, `row ${r} key ${t}: s = ${s}, θ = ${theta}`).toBe(s > theta);
      expect(Number(out.key.get(i, 'score')), `row ${r} key ${t}`).toBe(s > theta ? s : 0);
      const p = Number(out.key.get(i, 'planes'));
      if (!cfg.earlyExit || s > theta) expect(p).toBe(B);
      expect(p).toBeGreaterThanOrEqual(1);
      planes += p;
    }
    expect(Number(out.row.get(r, 'planes'))).toBe(planes);
    expect(Number(out.row.get(r, 'words'))).toBe(planes * C);
  });
  expect(i).toBe(out.key.count);
}

describe('earlyexit RTL (Verilator, random stalls and memory latency)', () => {
  for (const raw of configs) {
    const cfg = earlyexitSchema.parse(raw);
    it(JSON.stringify(raw), async () => {
      const work = mkdtempSync(path.join(os.tmpdir(), 'kvhdl-earlyexit-'));
      // 1) the edge cases, checked against the dot products computed here
      const ec = edgeCases(cfg, 11);
      const stim = { query: queryTable(cfg, ec.rows), keys: keyImage(cfg, ec.keys.flat(), ec.keys.length) };
      for (const [seed, stall, memLatency] of [[1, 0.3, [1, 20]], [2, 0, [1, 2]]] as [number, number, [number, number]][]) {
        const r = await runUnit(earlyexitUnit, cfg, stim, { workDir: path.join(work, `edge-${seed}`), seed, stall, memLatency });
        expect(r.ok, r.problem).toBe(true);
        checkIndependently(cfg, ec.rows, ec.keys, r.outputs);
        const words = ec.rows.reduce((s, _row, i) => s + Number(r.outputs.row.get(i, 'words')), 0);
        expect(r.memoryRequests).toEqual({ keys: words });
      }
      // 2) seeded random rows (golden comparison by the harness)
      for (const seed of [3, 4]) {
        const rs = earlyexitUnit.randomStimulus(cfg, seed, 400);
        const r = await runUnit(earlyexitUnit, cfg, rs, { workDir: path.join(work, `rand-${seed}`), seed, stall: 0.25, memLatency: [1, 12] });
        expect(r.ok, r.problem).toBe(true);
      }
    });
  }

  it('Icarus: the edge cases of two configurations, with stalls and random memory latency', async () => {
    for (const raw of [configs[2], configs[0]]) {
      const cfg = earlyexitSchema.parse(raw);
      const ec = edgeCases(cfg, 13);
      const rows = ec.rows.slice(0, 14);
      const stim = { query: queryTable(cfg, rows), keys: keyImage(cfg, ec.keys.flat(), ec.keys.length) };
      const work = mkdtempSync(path.join(os.tmpdir(), 'kvhdl-earlyexit-'));
      const r = await runUnit(earlyexitUnit, cfg, stim, { workDir: work, simulator: 'icarus', seed: 5, stall: 0.3, memLatency: [1, 9] });
      expect(r.ok, r.problem).toBe(true);
      checkIndependently(cfg, rows, ec.keys, r.outputs);
      expect(r.memoryRequests!.keys).toBe(rows.reduce((s, _row, i) => s + Number(r.outputs.row.get(i, 'words')), 0));
    }
  });

  it('early exit fetches fewer words than the baseline on the same rows, with identical kept keys and scores', async () => {
    const cfg = earlyexitSchema.parse(configs[0]);
    const base = earlyexitSchema.parse(configs[1]);
    const ec = edgeCases(cfg, 5);
    const stim = { query: queryTable(cfg, ec.rows), keys: keyImage(cfg, ec.keys.flat(), ec.keys.length) };
    const work = mkdtempSync(path.join(os.tmpdir(), 'kvhdl-earlyexit-'));
    const a = await runUnit(earlyexitUnit, cfg, stim, { workDir: path.join(work, 'a'), seed: 9, stall: 0.1 });
    const b = await runUnit(earlyexitUnit, base, stim, { workDir: path.join(work, 'b'), seed: 9, stall: 0.1 });
    expect(a.ok && b.ok, a.problem + b.problem).toBe(true);
    for (let i = 0; i < a.outputs.key.count; i++) {
      expect(a.outputs.key.get(i, 'kept')).toBe(b.outputs.key.get(i, 'kept'));
      expect(a.outputs.key.get(i, 'score')).toBe(b.outputs.key.get(i, 'score'));
    }
    expect(a.memoryRequests!.keys).toBeLessThan(b.memoryRequests!.keys);
    const keys = ec.rows.reduce((s, r) => s + r.n, 0);
    expect(b.memoryRequests!.keys).toBe(keys * dimsOf(base).B * dimsOf(base).C);
  });
});
