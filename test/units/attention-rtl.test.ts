/**
 * attention RTL (gen/attention/rtl*.ts) co-simulated bit for bit against the golden model
 * (gen/attention/golden.ts through stimulus.ts) in Verilator under random input stalls, output
 * backpressure and random memory latency, on small configurations: fp16 and bf16, B and b_v in
 * {2, 4, 8}, one to three words per key plane, threshold with and without early exit and
 * selection none, n below R, a multiple of R, and between, sink 0, one key lane. Besides the
 * harness's comparison (key records, outputs, row records with the words fetched), the row
 * records' words must equal the read requests the testbench's memory answered. One small
 * configuration also runs in Icarus.
 */
import { mkdtempSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { attentionUnit } from '../../gen/attention/index.ts';
import { attentionConfig, type AttentionConfig } from '../../gen/attention/config.ts';
import { attentionRandomStimulus } from '../../gen/attention/stimulus.ts';
import { runUnit } from '../../flow/unit-run.ts';

const small: Partial<AttentionConfig> = { dims: 32, dimsPerCycle: 32, keyBits: 4, valueBits: 4, groupSize: 8, residual: 16, maxKeys: 64, keyLanes: 4, sink: 1, k: 8, rowBuckets: [64] };

const cases: { name: string; raw: Record<string, unknown>; n: number[] }[] = [
  { name: 'threshold, early exit', raw: {}, n: [40, 64, 16, 5, 0] },
  { name: 'threshold, no early exit', raw: { earlyExit: false }, n: [40] },
  { name: 'selection none', raw: { selection: 'none' }, n: [40] },
  { name: 'D 64, 2 words per plane, B 2, b_v 8', raw: { dims: 64, keyBits: 2, valueBits: 8, groupSize: 16 }, n: [48] },
  { name: 'D 64 in one word, B 8, b_v 2, G 4, one key lane', raw: { dims: 64, dimsPerCycle: 64, keyBits: 8, valueBits: 2, groupSize: 4, residual: 8, keyLanes: 1 }, n: [30] },
  { name: 'bf16', raw: { format: 'bf16' }, n: [40] },
  { name: 'D 96 (3 words), 3 lanes, F 7, WQ 8 (saturating), sink 0', raw: { dims: 96, keyLanes: 3, scoreFrac: 7, queryBits: 8, sink: 0, groupSize: 16 }, n: [50] },
  { name: 'sink 20, F 24', raw: { sink: 20, scoreFrac: 24, queryBits: 24 }, n: [56] },
];

describe('attention RTL vs golden (Verilator, random stalls and memory latency)', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const cfg = attentionConfig({ ...small, ...c.raw });
      const work = mkdtempSync(path.join(os.tmpdir(), 'kvhdl-attention-'));
      for (const n of c.n) {
        const runs: [number, number, [number, number]][] = [[2 + n, 0.3, [1, 20]], [3 + n, 0, [1, 3]]];
        for (const [seed, stall, memLatency] of runs) {
          const stim = attentionRandomStimulus(cfg, seed, 3, n);
          const r = await runUnit(attentionUnit, cfg, stim, { workDir: path.join(work, `n${n}-s${seed}`), seed, stall, memLatency });
          expect(r.ok, r.problem).toBe(true);
          const words = Array.from({ length: r.outputs.row.count }, (_, i) => Number(r.outputs.row.get(i, 'words'))).reduce((a, b) => a + b, 0);
          expect(r.memoryRequests).toEqual({ cache: words });
        }
      }
    }, 120_000);
  }
});

describe('attention RTL in Icarus', () => {
  it('small threshold config, 2 rows, n = 24', async () => {
    const cfg = attentionConfig({ ...small, keyLanes: 2 });
    const work = mkdtempSync(path.join(os.tmpdir(), 'kvhdl-attention-iv-'));
    const stim = attentionRandomStimulus(cfg, 7, 2, 24);
    const r = await runUnit(attentionUnit, cfg, stim, { workDir: work, simulator: 'icarus', seed: 5, stall: 0.2, memLatency: [1, 6] });
    expect(r.ok, r.problem).toBe(true);
    expect(r.outputs.out.count).toBe(2 * cfg.dims);
  }, 300_000);
});
