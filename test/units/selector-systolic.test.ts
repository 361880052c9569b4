/**
 * Issue #19 item 1: the systolic top-k core. Its tie rule (equal scores never displace, so the lower
 * index stays ahead) is what makes it bit-exact to the golden model: a mutated array whose cells
 * let an equal score displace (>= instead of >) must fail co-simulation on rows with ties, and the
 * correct one must pass the same rows. (The full edge-case and stall runs of the core are in
 * selector-cosim.test.ts.) P = 1 keeps its entries in index order with a score rank each: K = 1 and
 * K = 16 (full-width ranks) against the golden model, and its row-end cost in cycles.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runUnit } from '../../flow/unit-run.ts';
import { selectorUnit } from '../../gen/selector/index.ts';
import { selectorConfig } from '../../gen/selector/config.ts';
import { selectorRtl } from '../../gen/selector/rtl.ts';
import { encodeInput, type InItem } from '../../gen/selector/stimulus.ts';
import { Rng } from '../../data/rng.ts';

const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'kvhdl-selsys-'));

describe('systolic top-k core: tie order', () => {
  for (const lanes of [1, 4]) {
    const cfg = selectorConfig({ mode: 'topk', arch: 'systolic', scoreBits: 8, maxRow: 40, lanes, outLanes: 2, k: 5, heads: 1, layers: 1, rowBuckets: [40] });
    const items: InItem[] = [
      { kind: 'row', layer: 0, head: 0, scores: [3, 1, 3, 3, 2, 3, 3, 3, 0, 3] },
      { kind: 'row', layer: 0, head: 0, scores: new Array(17).fill(-4) },
      { kind: 'row', layer: 0, head: 0, scores: [9, 2, 2, 2, 2, 2, 2, 2, 2, 9, 2] },
    ];
    const stim = encodeInput(cfg, items);
    it(`P=${lanes}: the array passes on tie-heavy rows and a >= (ties to the higher index) mutant fails`, async () => {
      const good = await runUnit(selectorUnit, cfg, stim, { workDir: tmp(), seed: 1, stall: 0.2 });
      expect(good.ok, good.problem).toBe(true);
      const mutant = { ...selectorUnit, build: (c: typeof cfg) => selectorRtl(c, { tieMutation: true }) };
      const bad = await runUnit(mutant, cfg, stim, { workDir: tmp(), seed: 1, stall: 0.2 });
      expect(bad.ok).toBe(false);
      expect(bad.problem).toMatch(/out/);
    }, 300_000);
  }
});

describe('systolic top-k core, P = 1: cells in index order with score ranks', () => {
  // K = 1 (one entry, rank width 1) and K = 16 (the K-th entry's rank fills all 4 rank bits, the
  // evicted one's rank wraps); 4-bit scores for many ties; ascending, descending and near-constant
  // rows (every score a candidate, none after the first K, ties everywhere); P_out = 3 drains
  // through the packer. Random input gaps and `out`/`sum` backpressure.
  for (const [k, outLanes] of [[1, 3], [16, 1]]) {
    it(`K=${k}, P_out=${outLanes}: bit-exact on tie-heavy, ascending and descending rows with stalls`, async () => {
      const cfg = selectorConfig({ mode: 'topk', arch: 'systolic', scoreBits: 4, maxRow: 48, lanes: 1, outLanes, k, heads: 1, layers: 1, rowBuckets: [48] });
      const r = new Rng(k);
      const items: InItem[] = Array.from({ length: 24 }, (_, i) => {
        const n = i < 4 ? [1, k, k + 1, 48][i] : r.int(1, 48);
        const f = [(): number => r.int(-8, 7), (j: number) => Math.min(7, -8 + (j >> 2)), (j: number) => Math.max(-8, 7 - (j >> 2)), (): number => r.int(-1, 0)][i % 4];
        return { kind: 'row' as const, layer: 0, head: 0, scores: Array.from({ length: n }, (_, j) => f(j)) };
      });
      const res = await runUnit(selectorUnit, cfg, encodeInput(cfg, items), { workDir: tmp(), seed: k, stall: 0.3 });
      expect(res.ok, res.problem).toBe(true);
      expect(res.transactions.sum).toBe(items.length);
    }, 300_000);
  }

  it('ascending rows: one score per cycle plus K + 2 cycles per row end (cycle count: no index sort)', async () => {
    const k = 6;
    const cfg = selectorConfig({ mode: 'topk', arch: 'systolic', scoreBits: 8, maxRow: 64, lanes: 1, outLanes: 1, k, heads: 1, layers: 1, rowBuckets: [64] });
    const rows = 6;
    const items: InItem[] = Array.from({ length: rows }, () => ({ kind: 'row' as const, layer: 0, head: 0, scores: Array.from({ length: 64 }, (_, i) => -128 + 4 * i) }));
    const r = await runUnit(selectorUnit, cfg, encodeInput(cfg, items), { workDir: tmp(), seed: 1, stall: 0 });
    expect(r.ok, r.problem).toBe(true);
    // cycles from the first to the last accepted score: one per score, plus K + 2 per row end (the
    // summary push and the drain of the K + 1 cells; the next row's first score waits in C). The
    // in-place index sort took 3K + 2.
    expect(r.ii! * (r.transactions.in - 1)).toBeCloseTo(rows * 64 - 1 + (rows - 1) * (k + 2), 6);
  }, 300_000);
});

describe('systolic top-k core, P > 1: two candidates per cycle and a drain bank', () => {
  // ascending rows are the worst case (every score beats the K-th best so far, so every score is a
  // candidate): two enter the array per cycle, and a row's end costs no input cycle (the finished
  // row moves to the drain bank while the next row's first candidates enter the array)
  it('ascending rows: one 4-lane beat per 2 cycles, no cycles lost at row ends (cycle count)', async () => {
    const cfg = selectorConfig({ mode: 'topk', arch: 'systolic', scoreBits: 8, maxRow: 64, lanes: 4, outLanes: 4, k: 6, heads: 1, layers: 1, rowBuckets: [64] });
    const rows = 6;
    const items: InItem[] = Array.from({ length: rows }, () => ({ kind: 'row' as const, layer: 0, head: 0, scores: Array.from({ length: 64 }, (_, i) => -128 + 4 * i) }));
    const r = await runUnit(selectorUnit, cfg, encodeInput(cfg, items), { workDir: tmp(), seed: 1, stall: 0 });
    expect(r.ok, r.problem).toBe(true);
    // 16 beats per row, 4 candidates each: 2 cycles per beat; a one-candidate-per-cycle array needs 4,
    // a bubble per row end would give 2 + 1/16
    expect(r.ii).not.toBeNull();
    expect(r.ii!).toBeLessThan(2.02);
    expect(r.ii!).toBeGreaterThan(1.9);
  }, 300_000);
});

describe('selector worstStimulus (kvhdl report worst-case column)', () => {
  const topk = selectorConfig({ mode: 'topk', arch: 'systolic', scoreBits: 8, maxRow: 48, lanes: 4, outLanes: 4, k: 5, heads: 1, layers: 1, rowBuckets: [48] });
  const th = selectorConfig({ mode: 'threshold', scoreBits: 8, maxRow: 48, lanes: 4, outLanes: 2, k: 5, heads: 2, layers: 1, rowBuckets: [16, 48] });

  it('the random stimulus\'s rows with ascending scores and keep-everything θ writes', () => {
    for (const cfg of [topk, th]) {
      const rnd = selectorUnit.randomStimulus(cfg, 3, 60).in;
      const worst = selectorUnit.worstStimulus!(cfg, 3, 60).in;
      expect(worst.count).toBe(rnd.count);
      let row: number[] = [];
      let rows = 0;
      for (let b = 0; b < worst.count; b++) {
        for (const f of ['kind', 'last', 'len', 'head', 'layer', 'bucket']) expect(worst.get(b, f), `beat ${b} ${f}`).toBe(rnd.get(b, f));
        if (worst.get(b, 'kind') === 1n) {
          expect(Number(BigInt.asIntN(9, worst.get(b, 'theta')))).toBe(-129); // -2^(W-1) - 1: every score passes
          continue;
        }
        for (let i = 0; i < 4; i++) row.push(Number(BigInt.asIntN(8, worst.get(b, 'data') >> BigInt(8 * i))));
        if (worst.get(b, 'last') === 1n) {
          row = row.slice(0, Number(worst.get(b, 'len')));
          for (let j = 1; j < row.length; j++) expect(row[j]).toBeGreaterThan(row[j - 1]);
          expect(row[0]).toBe(-128);
          if (row.length > 1) expect(row[row.length - 1]).toBe(127);
          row = [];
          rows++;
        }
      }
      expect(rows).toBeGreaterThan(3);
    }
  });

  it('cosim passes on it and it is no faster than the random stimulus (cycles per input beat)', async () => {
    for (const cfg of [topk, th]) {
      const rnd = await runUnit(selectorUnit, cfg, selectorUnit.randomStimulus(cfg, 3, 60), { workDir: tmp(), seed: 1, stall: 0 });
      const worst = await runUnit(selectorUnit, cfg, selectorUnit.worstStimulus!(cfg, 3, 60), { workDir: tmp(), seed: 1, stall: 0 });
      expect(rnd.ok, rnd.problem).toBe(true);
      expect(worst.ok, worst.problem).toBe(true);
      expect(worst.ii!).toBeGreaterThanOrEqual(rnd.ii!);
    }
  }, 300_000);
});
