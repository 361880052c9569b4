/**
 * The earlyexit golden model against its README, independently of the RTL: a fast-check property
 * over random q, keys and θ (never prunes a key with s > θ, kept scores exact, kept set = {t : s_t > θ},
 * planes within 1..B and never more than the baseline's), the bit-plane layout, the README's
 * edge cases, config and input errors.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { earlyexitSchema, dimsOf, type EarlyexitConfig } from '../../gen/earlyexit/config.ts';
import { earlyexitGolden, scoreKey } from '../../gen/earlyexit/golden.ts';
import { keyFromImage, keyImage, keyPlaneAddress } from '../../gen/earlyexit/layout.ts';
import { earlyexitFromNpy, earlyexitToNpy, queryTable } from '../../gen/earlyexit/stimulus.ts';
import { ConfigError, parseConfig } from '../../gen/config.ts';
import { earlyexitUnit } from '../../gen/earlyexit/index.ts';

const cfgOf = (raw: Record<string, unknown>): EarlyexitConfig => earlyexitSchema.parse(raw);
const dot = (q: readonly number[], k: readonly number[]): number => q.reduce((s, v, d) => s + v * k[d], 0);

/** A config, a query, keys and θ near the keys' scores (so that θ hits scores, ±1, and quantiles). */
const caseArb = fc
  .record({
    dims: fc.integer({ min: 1, max: 24 }),
    queryBits: fc.integer({ min: 2, max: 12 }),
    keyBits: fc.integer({ min: 2, max: 12 }),
    keySigned: fc.boolean(),
    n: fc.integer({ min: 1, max: 12 }),
    seedTheta: fc.integer({ min: 0, max: 1000 }),
    thetaMode: fc.constantFrom('score', 'score+1', 'score-1', 'random'),
  })
  .chain((c) => {
    const B = c.keyBits;
    const kLo = c.keySigned ? -(2 ** (B - 1)) : 0;
    const kHi = c.keySigned ? 2 ** (B - 1) - 1 : 2 ** B - 1;
    const qLo = -(2 ** (c.queryBits - 1));
    const qHi = 2 ** (c.queryBits - 1) - 1;
    const kv = fc.oneof(fc.integer({ min: kLo, max: kHi }), fc.constantFrom(kLo, kHi, 0));
    const qv = fc.oneof(fc.integer({ min: qLo, max: qHi }), fc.constantFrom(qLo, qHi, 0));
    return fc.record({
      c: fc.constant(c),
      q: fc.oneof(fc.array(qv, { minLength: c.dims, maxLength: c.dims }), fc.constant(Array(c.dims).fill(0)), fc.array(fc.integer({ min: qLo, max: -1 }), { minLength: c.dims, maxLength: c.dims })),
      keys: fc.array(fc.array(kv, { minLength: c.dims, maxLength: c.dims }), { minLength: c.n, maxLength: c.n }),
      thetaRandom: fc.integer({ min: -(2 ** 30), max: 2 ** 30 }),
    });
  });

describe('earlyexit golden model', () => {
  it('never prunes a key with s > θ; kept scores are exact; kept = {t : s_t > θ}; planes ≤ baseline (fast-check)', () => {
    fc.assert(
      fc.property(caseArb, ({ c, q, keys, thetaRandom }) => {
        const scores = keys.map((k) => dot(q, k));
        const pickScore = scores[c.seedTheta % scores.length];
        const theta = c.thetaMode === 'score' ? pickScore : c.thetaMode === 'score+1' ? pickScore + 1 : c.thetaMode === 'score-1' ? pickScore - 1 : thetaRandom;
        const cfg = cfgOf({ dims: c.dims, queryBits: c.queryBits, keyBits: c.keyBits, keySigned: c.keySigned });
        const base = { ...cfg, earlyExit: false };
        keys.forEach((k, t) => {
          const r = scoreKey(cfg, q, k, theta);
          const b = scoreKey(base, q, k, theta);
          const s = scores[t];
          expect(r.kept).toBe(s > theta);
          expect(r.score).toBe(s > theta ? s : 0);
          expect(b).toEqual({ kept: s > theta, score: s > theta ? s : 0, planes: c.keyBits });
          expect(r.planes).toBeGreaterThanOrEqual(1);
          expect(r.planes).toBeLessThanOrEqual(c.keyBits);
          if (r.kept) expect(r.planes).toBe(c.keyBits);
        });
      }),
      { numRuns: process.env.KVHDL_REGRESS ? 20000 : 1500, seed: 6 },
    );
  });

  it('prunes as early as the README rule says (independent restatement of the bound)', () => {
    // q = [3, -2], signed 4-bit keys: Q+ = 3. Key [-8, 0]: plane 3 gives A_3 = -8*3 = -24;
    // bound -24 + 7*3 = -3 <= θ = -3 -> pruned after 1 plane. With θ = -4 it continues.
    const cfg = cfgOf({ dims: 2, queryBits: 4, keyBits: 4, keySigned: true });
    expect(scoreKey(cfg, [3, -2], [-8, 0], -3)).toEqual({ kept: false, score: 0, planes: 1 });
    const r = scoreKey(cfg, [3, -2], [-8, 0], -4);
    expect(r.planes).toBeGreaterThan(1);
    expect(r.kept).toBe(false); // s = -24
    // unsigned 4-bit keys: key [15, 0] with q = [3, -2]: s = 45 > 44 kept with all planes
    const u = cfgOf({ dims: 2, queryBits: 4, keyBits: 4, keySigned: false });
    expect(scoreKey(u, [3, -2], [15, 0], 44)).toEqual({ kept: true, score: 45, planes: 4 });
    // θ = 45: plane 3 gives A_3 = 3*8 = 24 and bound 24 + 7*3 = 45 <= 45 (tight: s = 45) -> pruned at once
    expect(scoreKey(u, [3, -2], [15, 0], 45)).toEqual({ kept: false, score: 0, planes: 1 });
    // key [0, 15]: A_3 = -2*8 = -16, bound -16 + 7*3 = 5 <= 5 -> pruned at once
    expect(scoreKey(u, [3, -2], [0, 15], 5)).toEqual({ kept: false, score: 0, planes: 1 });
    // q = 0: every score is 0 and every bound is 0: pruned after one plane iff θ >= 0
    expect(scoreKey(cfg, [0, 0], [7, -8], 0)).toEqual({ kept: false, score: 0, planes: 1 });
    expect(scoreKey(cfg, [0, 0], [7, -8], -1)).toEqual({ kept: true, score: 0, planes: 4 });
  });

  it('bit-plane layout: addresses, round trip, zero padding when W does not divide D', () => {
    const cfg = cfgOf({ dims: 7, keyBits: 5, keySigned: true, dimsPerCycle: 3 });
    const { B, C, W } = dimsOf(cfg);
    expect([B, C, W]).toEqual([5, 3, 3]);
    expect(keyPlaneAddress(cfg, 0, 4, 0)).toBe(0); // MSB plane first
    expect(keyPlaneAddress(cfg, 0, 0, 2)).toBe(14);
    expect(keyPlaneAddress(cfg, 2, 3, 1)).toBe((2 * 5 + 1) * 3 + 1);
    const keys = [
      [-16, 15, 0, -1, 1, 7, -8],
      [3, -3, 5, -5, 9, -9, 15],
    ];
    const img = keyImage(cfg, keys.flat(), 2);
    expect(img.count).toBe(2 * B * C);
    expect(keyFromImage(cfg, img, 0)).toEqual(keys[0]);
    expect(keyFromImage(cfg, img, 1)).toEqual(keys[1]);
    // word of plane 4 (sign), beat 0 of key 0: dims 0..2 = -16 (sign 1), 15 (0), 0 (0)
    expect(img.get(keyPlaneAddress(cfg, 0, 4, 0), 'data')).toBe(0b001n);
    // last beat covers dim 6 only; bits 1..2 are padding (0) in every plane
    for (let j = 0; j < B; j++) expect(img.get(keyPlaneAddress(cfg, 1, j, 2), 'data') >> 1n).toBe(0n);
    expect(() => keyFromImage(cfg, img, 2)).toThrow(/key 2 needs words up to address 44, the key image has 30 words/);
    expect(() => keyImage(cfg, [0, 0, 0, 0, 0, 0, 16], 1)).toThrow(/k\[0, 6\] = 16 does not fit 5-bit signed \(-16\.\.15\)/);
  });

  it('streams: rows in order, keys in index order with last, row counters; θ saturation changes nothing', () => {
    const cfg = cfgOf({ dims: 3, queryBits: 4, keyBits: 3, keySigned: true, dimsPerCycle: 2 });
    const keys = [[-4, 3, 0], [1, 1, 1], [3, -4, 2], [0, 0, 0]];
    const rows = [
      { q: [7, -8, 1], theta: 0n, n: 4 },
      { q: [0, 0, 0], theta: -1n, n: 2 },
      { q: [1, 2, 3], theta: 1n << 60n, n: 3 }, // saturated: nothing kept, one plane each
      { q: [1, 2, 3], theta: 5n, n: 0 },
    ];
    const out = earlyexitGolden(cfg, { query: queryTable(cfg, rows), keys: keyImage(cfg, keys.flat(), 4) });
    expect(out.key.count).toBe(9);
    expect(out.row.rows()).toEqual([
      { keys: 4n, kept: 1n, planes: 10n, words: 20n }, // key planes 1 (pruned at the sign plane), 3, 3, 3
      { keys: 2n, kept: 2n, planes: 6n, words: 12n },
      { keys: 3n, kept: 0n, planes: 3n, words: 6n },
      { keys: 0n, kept: 0n, planes: 0n, words: 0n },
    ]);
    const k0 = out.key.rows().slice(0, 4);
    // scores row 0: -28-24+0 = -52, 7-8+1 = 0, 21+32+2 = 55, 0
    expect(k0.map((r) => [r.index, r.kept, r.score, r.last])).toEqual([[0n, 0n, 0n, 0n], [1n, 0n, 0n, 0n], [2n, 1n, 55n, 0n], [3n, 0n, 0n, 1n]]);
    const npy = earlyexitToNpy(cfg, out);
    expect(npy.kept.shape).toEqual([4, 4]);
    expect(Array.from(npy.kept.data as Uint8Array)).toEqual([0, 0, 1, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(Array.from(npy.scores.data as BigInt64Array).slice(0, 6)).toEqual([0n, 0n, 55n, 0n, 0n, 0n]);
  });

  it('config errors name the field; input errors name the array and element', () => {
    expect(() => parseConfig(earlyexitUnit, { dims: 8, dimsPerCycle: 9 })).toThrow(ConfigError);
    expect(() => parseConfig(earlyexitUnit, { dims: 8, dimsPerCycle: 9 })).toThrow(/dimsPerCycle/);
    expect(() => parseConfig(earlyexitUnit, { keyBits: 1, keySigned: true })).toThrow(/keyBits/);
    expect(() => parseConfig(earlyexitUnit, { lanes: 3 })).toThrow(/lanes/);
    const cfg = cfgOf({ dims: 2, queryBits: 4, keyBits: 4, keySigned: false });
    const q = { dtype: 'int32' as const, shape: [1, 2], data: Int32Array.from([1, 2]) };
    const k = { dtype: 'int32' as const, shape: [2, 2], data: Int32Array.from([1, 2, 3, 16]) };
    const th = { dtype: 'int64' as const, shape: [1], data: BigInt64Array.from([0n]) };
    expect(() => earlyexitFromNpy(cfg, { q, k, theta: th })).toThrow(/--k\[1, 1\] = 16 does not fit 4-bit unsigned \(0\.\.15\)/);
    const qBad = { ...q, data: Int32Array.from([1, -9]) };
    expect(() => earlyexitFromNpy(cfg, { q: qBad, k: { ...k, data: Int32Array.from([1, 2, 3, 4]) }, theta: th })).toThrow(/--q\[0, 1\] = -9 does not fit 4-bit signed/);
    expect(() => earlyexitFromNpy(cfg, { q, k, theta: { ...th, shape: [2], data: BigInt64Array.from([0n, 1n]) } })).toThrow(/--theta has 2 values for 1 query rows/);
    expect(() => earlyexitFromNpy(cfg, { q: { ...q, shape: [2, 1] }, k, theta: th })).toThrow(/--q has 1 columns, dims is 2/);
    expect(() => earlyexitFromNpy(cfg, { q: { dtype: 'float32', shape: [1, 2], data: Float32Array.from([1, 2]) }, k, theta: th })).toThrow(/--q must hold integers/);
    // No query rows: kept.npy could not have the shape [0, n] (the outputs carry n per row), so it is an error.
    const noRows = { q: { ...q, shape: [0, 2], data: Int32Array.from([]) }, k: { ...k, data: Int32Array.from([1, 2, 3, 4]) }, theta: { ...th, shape: [0], data: BigInt64Array.from([]) } };
    expect(() => earlyexitFromNpy(cfg, noRows)).toThrow(/^--q has no rows \(shape \[0, 2\]\): give at least one query$/);
  });
});
