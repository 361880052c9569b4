/**
 * attention RTL with `selection: "topk"` (gen/attention/rtl-topk*.ts) co-simulated bit for bit
 * against the golden model in Verilator under random input stalls, output backpressure and random
 * memory latency 1..20: key records (kept flags, exact scores), outputs and row records (kept count
 * and words fetched, which depend on the running threshold, the bucket order and the lag Λ), with
 * and without early exit, B ∈ {2, 4, 8}, C = 1..3, one and three key lanes, sink 0 and 20, k above
 * the candidate count, n = 0 and R (bf16 and the value side: attention-rtl.test.ts); a cache with
 * many equal scores (ties at the k-th place, kept by index); the row records' words equal the
 * memory's answered requests. A mutation of the
 * running threshold (the lag Λ − 1 instead of Λ) is caught by the comparison. Icarus on one small
 * configuration.
 */
import { mkdtempSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { attentionUnit } from '../../gen/attention/index.ts';
import { attentionConfig, type AttentionConfig } from '../../gen/attention/config.ts';
import { attentionRtl } from '../../gen/attention/rtl.ts';
import { buildCache } from '../../gen/attention/cache.ts';
import { buildImage } from '../../gen/attention/layout.ts';
import { attentionRow } from '../../gen/attention/golden.ts';
import { CACHE_MEMORY, attentionRandomStimulus, imageTable, queryTable } from '../../gen/attention/stimulus.ts';
import { fpFromNumber } from '../../hdl/lib/float/golden/index.ts';
import { FP16 } from '../../hdl/lib/float/format.ts';
import { Rng } from '../../data/rng.ts';
import { runUnit } from '../../flow/unit-run.ts';
import type { StreamData } from '../../gen/unit.ts';

const small: Partial<AttentionConfig> = { dims: 32, dimsPerCycle: 32, keyBits: 4, valueBits: 4, groupSize: 8, residual: 16, maxKeys: 64, keyLanes: 4, sink: 1, k: 8, rowBuckets: [64], selection: 'topk' };
const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'kvhdl-attention-topk-'));

const cases: { name: string; raw: Partial<AttentionConfig>; n: number[] }[] = [
  // n = 24: 7 candidates, fewer than k (all kept); n = 16 = R: no candidates
  { name: 'k 8, early exit', raw: {}, n: [40, 64, 24, 16, 0] },
  { name: 'no early exit, sink 20', raw: { earlyExit: false, sink: 20 }, n: [56] },
  { name: 'D 64, 2 words per plane, B 2, b_v 8, k 5', raw: { dims: 64, keyBits: 2, valueBits: 8, groupSize: 16, k: 5 }, n: [48] },
  { name: 'D 64 in one word, B 8, b_v 2, G 4, one key lane, k 3', raw: { dims: 64, dimsPerCycle: 64, keyBits: 8, valueBits: 2, groupSize: 4, residual: 8, keyLanes: 1, k: 3 }, n: [30] },
  { name: 'D 96 (3 words), 3 lanes, F 7, WQ 8, sink 0, k 6', raw: { dims: 96, keyLanes: 3, scoreFrac: 7, queryBits: 8, sink: 0, groupSize: 16, k: 6 }, n: [50] },
];

async function check(cfg: AttentionConfig, stim: StreamData, seed: number, stall: number, memLatency: [number, number]): Promise<void> {
  const r = await runUnit(attentionUnit, cfg, stim, { workDir: tmp(), seed, stall, memLatency });
  expect(r.ok, r.problem).toBe(true);
  const words = Array.from({ length: r.outputs.row.count }, (_, i) => Number(r.outputs.row.get(i, 'words'))).reduce((a, b) => a + b, 0);
  expect(r.memoryRequests).toEqual({ cache: words });
}

/** A cache whose keys repeat a few rows (equal scores inside a key group) and rows whose k-th best candidate score is tied. */
function tiedStimulus(cfg: AttentionConfig, n: number, rows: number, seed: number): { stim: StreamData; cache: ReturnType<typeof buildCache>; q: Uint16Array[] } {
  const rng = new Rng(seed);
  const D = cfg.dims;
  const base = Array.from({ length: 3 }, () => Array.from({ length: D }, () => rng.float() * 2 - 1));
  const k = new Uint16Array(n * D);
  const v = new Uint16Array(n * D);
  for (let t = 0; t < n; t++) {
    const b = base[rng.int(0, 2)];
    for (let d = 0; d < D; d++) {
      k[t * D + d] = fpFromNumber(FP16, b[d]);
      v[t * D + d] = fpFromNumber(FP16, rng.float() * 2 - 1);
    }
  }
  const cache = buildCache(cfg, k, v);
  const q = Array.from({ length: rows }, () => Uint16Array.from({ length: D }, () => fpFromNumber(FP16, rng.float() * 4 - 2)));
  return { stim: { query: queryTable(cfg, q.map((x) => ({ q: x, theta: null, n }))), [CACHE_MEMORY]: imageTable(cfg, buildImage(cfg, cache)) }, cache, q };
}

describe('attention topk RTL vs golden (Verilator, random stalls and memory latency)', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const cfg = attentionConfig({ ...small, ...c.raw });
      for (const n of c.n) {
        await check(cfg, attentionRandomStimulus(cfg, 2 + n, 3, n), 2 + n, 0.3, [1, 20]);
        await check(cfg, attentionRandomStimulus(cfg, 3 + n, 2, n), 3 + n, 0, [1, 3]);
      }
    }, 180_000);
  }

  it('ties at the k-th place are kept in index order', async () => {
    const cfg = attentionConfig(small);
    const n = 48;
    const { stim, cache, q } = tiedStimulus(cfg, n, 3, 11);
    // on the golden model: some row has equal scores across the k-th place, and kept only some of them
    const dense = attentionConfig({ ...cfg, selection: 'none' });
    const split = q.filter((x) => {
      const s = attentionRow(dense, cache, x, null).scores;
      const cand = s.slice(cfg.sink, n - cfg.residual).sort((a, b) => b - a);
      return cand[cfg.k - 1] === cand[cfg.k];
    });
    expect(split.length).toBeGreaterThan(0);
    await check(cfg, stim, 4, 0.3, [1, 20]);
  }, 180_000);

  it("a running threshold with the lag Λ − 1 is caught", async () => {
    const cfg = attentionConfig(small);
    const stim = attentionRandomStimulus(cfg, 42, 3, 64);
    const good = await runUnit(attentionUnit, cfg, stim, { workDir: tmp(), seed: 1, stall: 0.2 });
    expect(good.ok, good.problem).toBe(true);
    const mutant = { ...attentionUnit, build: (c: AttentionConfig) => attentionRtl(c, { topkMutation: 'lag' }) };
    const bad = await runUnit(mutant, cfg, stim, { workDir: tmp(), seed: 1, stall: 0.2 });
    expect(bad.ok).toBe(false);
    expect(bad.problem).toMatch(/row/);
  }, 180_000);
});

describe('attention topk RTL in Icarus', () => {
  it('small config, 2 rows, n = 32', async () => {
    const cfg = attentionConfig({ ...small, keyLanes: 2, k: 4 });
    const stim = attentionRandomStimulus(cfg, 8, 2, 32);
    const r = await runUnit(attentionUnit, cfg, stim, { workDir: tmp(), simulator: 'icarus', seed: 5, stall: 0.2, memLatency: [1, 6] });
    expect(r.ok, r.problem).toBe(true);
    expect(r.outputs.out.count).toBe(2 * cfg.dims);
  }, 300_000);
});
