/**
 * Issue #19 item 1: the systolic top-k core. Its tie rule (equal scores never displace, so the lower
 * index stays ahead) is what makes it bit-exact to the golden model: a mutated array whose cells
 * let an equal score displace (>= instead of >) must fail co-simulation on rows with ties, and the
 * correct one must pass the same rows. (The full edge-case and stall runs of the core are in
 * selector-cosim.test.ts.)
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
  it('full-length strictly ascending rows (every score a top-k candidate); threshold: the table keeps everything; cosim passes', async () => {
    const topk = selectorConfig({ mode: 'topk', arch: 'systolic', scoreBits: 8, maxRow: 48, lanes: 4, outLanes: 4, k: 5, heads: 1, layers: 1, rowBuckets: [48] });
    const th = selectorConfig({ mode: 'threshold', scoreBits: 8, maxRow: 48, lanes: 4, outLanes: 2, k: 5, heads: 2, layers: 1, rowBuckets: [16, 48] });
    const stim = selectorUnit.worstStimulus!(topk, 1, 30);
    const r = await runUnit(selectorUnit, topk, stim, { workDir: tmp(), seed: 1, stall: 0 });
    expect(r.ok, r.problem).toBe(true);
    // 30 beats asked, 12 per row: 3 full rows; every score is above all earlier ones of its row
    expect(r.transactions.in).toBe(36);
    const lane = (beat: number, i: number) => Number(BigInt.asIntN(8, stim.in.get(beat, 'data') >> BigInt(8 * i)));
    const row = Array.from({ length: 48 }, (_, j) => lane(Math.floor(j / 4), j % 4));
    for (let j = 1; j < 48; j++) expect(row[j]).toBeGreaterThan(row[j - 1]);
    expect([row[0], row[47]]).toEqual([-128, 127]);
    // threshold: L·H·B = 4 table writes, then rows of which every score is kept (2 out lanes < 4 in: the output limit)
    const rt = await runUnit(selectorUnit, th, selectorUnit.worstStimulus!(th, 1, 20), { workDir: tmp(), seed: 1, stall: 0 });
    expect(rt.ok, rt.problem).toBe(true);
    // 20 beats asked: 4 writes and 2 rows of 12 beats; 48 kept pairs per row, 2 per out beat
    expect(rt.transactions.in).toBe(28);
    expect(rt.transactions.out).toBe(2 * 24);
    expect(rt.ii!).toBeGreaterThan(1.5); // a row beat (4 kept scores) needs 2 out cycles: (4 + 24·2) / 28 cycles per in beat
  }, 300_000);
});
