/**
 * The topk engine's cycle budget per phase (gen/attention/README.md, "Measured (RTL)"): the same
 * rows, data and memory model as bench/attention-rtl.ts (`selection: "topk"`, k = 281), with a probe
 * added to the emitted top module that logs every change of the row sequencer's `phase` register
 * ($fwrite to a file in the run directory). The simulation is still compared with the golden model.
 * Result `attention-rtl-topk-phases`: cycles per row in each phase (the first row's wait for its
 * query is not counted; the last row's divisions after its row record count as IDLE).
 * Run alone (not in `npm run bench`): `npx tsx bench/attention-rtl-phases.ts`.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { attentionConfig } from '../gen/attention/config.ts';
import { buildCache } from '../gen/attention/cache.ts';
import { buildImage } from '../gen/attention/layout.ts';
import { syntheticAttention } from '../gen/attention/synthetic.ts';
import { CACHE_MEMORY, imageTable, queryTable } from '../gen/attention/stimulus.ts';
import { attentionUnit } from '../gen/attention/index.ts';
import { PH } from '../gen/attention/rtl.ts';
import { designFromModule } from '../hdl/ports/from-module.ts';
import { backendFor } from '../cosim/backends.ts';
import { laneWidthsOf } from '../cosim/lane-widths.ts';
import { writeResult } from './result.ts';

const N = 4096;
const ROWS = 2;
const KEEP_CANDIDATES = 281;

export async function benchAttentionRtlPhases(): Promise<void> {
  const cfg = attentionConfig({ selection: 'topk', k: KEEP_CANDIDATES });
  const D = cfg.dims;
  const data = syntheticAttention({ rows: ROWS, n: N, D, seed: 2026 });
  const cache = buildCache(cfg, data.k, data.v);
  const rows = Array.from({ length: ROWS }, (_, r) => ({ q: data.q.subarray(r * D, (r + 1) * D), theta: null, n: N }));
  const stim = { query: queryTable(cfg, rows), [CACHE_MEMORY]: imageTable(cfg, buildImage(cfg, cache)) };
  const work = mkdtempSync(path.join(os.tmpdir(), 'kvhdl-bench-attention-phases-'));
  const log = path.join(work, 'phases.txt');
  const top = attentionUnit.build(cfg);
  const dut = designFromModule(top, path.join(work, 'rtl'), attentionUnit.memories?.(cfg));
  const file = dut.files.find((f) => readFileSync(f, 'utf8').includes(`module ${top.name}`));
  if (!file) throw new Error(`attention phases bench: no file holds module ${top.name}`);
  const v = readFileSync(file, 'utf8');
  const end = v.indexOf('endmodule', v.indexOf(`module ${top.name}`));
  const probe = [
    '  integer probe_fd;',
    '  integer probe_cycle;',
    '  reg [3:0] probe_phase;',
    `  initial begin probe_fd = $fopen("${log}", "w"); probe_cycle = 0; probe_phase = 0; end`,
    '  always @(posedge clock) begin',
    '    probe_cycle <= probe_cycle + 1;',
    '    probe_phase <= phase;',
    '    if (phase != probe_phase) $fwrite(probe_fd, "%0d %0d\\n", probe_cycle, phase);',
    '  end',
    '',
  ].join('\n');
  writeFileSync(file, v.slice(0, end) + probe + v.slice(end));
  const runDir = path.join(work, 'run');
  mkdirSync(runDir, { recursive: true });
  const expected = attentionUnit.golden(cfg, stim);
  const r = await backendFor('verilator').run(dut, stim, expected, { seed: 1, stall: 0, trace: false, runDir, laneWidths: laneWidthsOf(top, dut.streams), memLatency: [1, 8] });
  if (!r.ok) throw new Error(`attention phases bench: ${r.problem}`);
  const names = new Map(Object.entries(PH).map(([k, x]) => [x, k]));
  const changes = readFileSync(log, 'utf8').trim().split('\n').map((l) => l.split(' ').map(Number));
  const perPhase: Record<string, number> = {};
  for (let i = 0; i < changes.length; i++) {
    const [at, p] = changes[i];
    const until = i + 1 < changes.length ? changes[i + 1][0] : r.cycles;
    const name = names.get(p) ?? String(p);
    perPhase[name] = (perPhase[name] ?? 0) + (until - at) / ROWS;
  }
  const total = Object.values(perPhase).reduce((a, b) => a + b, 0);
  writeResult({
    name: 'attention-rtl-topk-phases',
    metric: `attention RTL topk cycles per row by phase (Verilator, memory latency 1..8, no stalls; n = ${N}, D = ${D}, 4-bit K/V, k = ${KEEP_CANDIDATES})`,
    value: total,
    unit: 'cycles/row',
    perPhase,
    top: top.name,
  });
  for (const [k, x] of Object.entries(perPhase)) console.log(`  ${k.padEnd(6)} ${x}`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  benchAttentionRtlPhases().catch((e: unknown) => {
    console.error(e instanceof Error ? (e.stack ?? e.message) : e);
    process.exitCode = 1;
  });
}
