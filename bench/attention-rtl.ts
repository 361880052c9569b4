/**
 * attention RTL benchmark (issue 14, phase 2): cycles per row of the engine RTL in Verilator against
 * the memory words it fetches, at the default configuration (n = 4096, D = 128, 4-bit K and V,
 * G = 32, R = 128, W = 32-bit words, Nk = 8, threshold selection with early exit). Data: the golden
 * bench's synthetic rows (seed 2026), θ per row at the row's 282nd largest candidate score (~10% of
 * the tokens kept). No stalls or backpressure; memory latency uniform in [1, 8] cycles per word.
 *
 * The same with `selection: "topk"`, k = 281 candidates (410 tokens kept): phase 1, the sort by U1
 * bucket (64 linked lists, mostly beside phase 1's recent-window keys), phase 2 with the running
 * threshold, the value walk (which is also the key stream).
 *
 * Results `attention-rtl-cycles-per-row` (threshold) and `attention-rtl-topk-cycles-per-row`:
 * measured cycles per row; baseline = words fetched per row (one word per cycle is the port's
 * bound), ratio = cycles / words (target ≤ 1.3); words vs dense KIVI and fp16 dense, key-plane fraction.
 * Run alone: `npx tsx bench/attention-rtl.ts` (both modes) or `npx tsx bench/attention-rtl.ts threshold|topk`.
 * `npx tsx bench/attention-rtl.ts nuq` (not in `npm run bench`): threshold with `valueQuant: "nuq"`
 * (valueTrimMax 1, the per-token codebook calibrated on the same v with trim 1), result
 * `attention-rtl-nuq-cycles-per-row`.
 */
import { mkdtempSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { attentionConfig } from '../gen/attention/config.ts';
import { buildCache } from '../gen/attention/cache.ts';
import { attentionRow } from '../gen/attention/golden.ts';
import { buildImage, regionMap } from '../gen/attention/layout.ts';
import { syntheticAttention } from '../gen/attention/synthetic.ts';
import { CACHE_MEMORY, calibrateValueCodebook, imageTable, queryTable, type QueryRow } from '../gen/attention/stimulus.ts';
import { attentionUnit } from '../gen/attention/index.ts';
import { runUnit } from '../flow/unit-run.ts';
import { writeResult } from './result.ts';

const N = 4096;
const ROWS = 2;
const KEEP_CANDIDATES = 281;

export async function benchAttentionRtl(modes: readonly ('threshold' | 'topk' | 'nuq')[] = ['threshold', 'topk']): Promise<void> {
  for (const mode of modes) await benchMode(mode === 'nuq' ? 'threshold' : mode, mode === 'nuq');
}

async function benchMode(selection: 'threshold' | 'topk', nuq = false): Promise<void> {
  const cfg = attentionConfig({ ...(selection === 'topk' ? { selection, k: KEEP_CANDIDATES } : {}), ...(nuq ? { valueQuant: 'nuq', valueTrimMax: 1 } : {}) });
  const D = cfg.dims;
  const data = syntheticAttention({ rows: ROWS, n: N, D, seed: 2026 });
  const cache = buildCache(cfg, data.k, data.v, nuq ? calibrateValueCodebook(cfg, data.v) : undefined);
  const dense = attentionConfig({ ...cfg, selection: 'none' });
  const rows: QueryRow[] = [];
  for (let r = 0; r < ROWS; r++) {
    const q = data.q.subarray(r * D, (r + 1) * D);
    if (selection === 'topk') {
      rows.push({ q, theta: null, n: N });
      continue;
    }
    const s = attentionRow(dense, cache, q, null).scores;
    const cand = s.slice(cfg.sink, N - cfg.residual).sort((a, b) => b - a);
    rows.push({ q, theta: cand[KEEP_CANDIDATES], n: N });
  }
  const image = buildImage(cfg, cache);
  const stim = { query: queryTable(cfg, rows), [CACHE_MEMORY]: imageTable(cfg, image) };
  const work = mkdtempSync(path.join(os.tmpdir(), 'kvhdl-bench-attention-'));
  const t0 = performance.now();
  const r = await runUnit(attentionUnit, cfg, stim, { workDir: work, seed: 1, stall: 0, memLatency: [1, 8] });
  if (!r.ok) throw new Error(`attention RTL bench (${selection}): ${r.problem}`);
  const words = Array.from({ length: ROWS }, (_, i) => Number(r.outputs.row.get(i, 'words')));
  const kept = Array.from({ length: ROWS }, (_, i) => Number(r.outputs.row.get(i, 'kept')));
  const wordsPerRow = words.reduce((a, b) => a + b, 0) / ROWS;
  const cyclesPerRow = r.cycles / ROWS;
  const map = regionMap(cfg, N);
  // the key-plane words of the RTL's rows (the golden model's per-region count; the totals are compared by the cosim)
  let keyPlanes = 0;
  for (const q of rows) keyPlanes += attentionRow(cfg, cache, q.q, q.theta).words.keyPlanes;
  const fp16Dense = 2 * N * ((16 * D) / cfg.dimsPerCycle);
  const round = (x: number) => Number(x.toPrecision(4));
  writeResult({
    name: nuq ? 'attention-rtl-nuq-cycles-per-row' : selection === 'topk' ? 'attention-rtl-topk-cycles-per-row' : 'attention-rtl-cycles-per-row',
    metric: `attention RTL cycles per row (Verilator, memory latency 1..8, no stalls; n = ${N}, D = ${D}, 4-bit K/V${nuq ? ' (NUQ values, trim 1)' : ''}, ${selection === 'topk' ? `topk k = ${KEEP_CANDIDATES}` : 'threshold'} with early exit, ~10% kept) vs words fetched per row`,
    value: cyclesPerRow,
    unit: 'cycles/row',
    baseline: wordsPerRow,
    ratio: round(cyclesPerRow / wordsPerRow),
    wordsPerRow: words,
    keptPerRow: kept,
    wordsVsDenseKivi: round(wordsPerRow / map.total),
    wordsVsFp16Dense: round(wordsPerRow / fp16Dense),
    keyPlaneFraction: round(keyPlanes / (ROWS * map.size.keyPlanes)),
    simulationSeconds: round((performance.now() - t0) / 1000),
    top: r.top,
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const arg = process.argv[2];
  if (arg !== undefined && arg !== 'threshold' && arg !== 'topk' && arg !== 'nuq') throw new Error(`usage: npx tsx bench/attention-rtl.ts [threshold|topk|nuq], got '${arg}'`);
  benchAttentionRtl(arg ? [arg] : undefined).catch((e: unknown) => {
    console.error(e instanceof Error ? (e.stack ?? e.message) : e);
    process.exitCode = 1;
  });
}
