/**
 * selector design-space table of issue #19 (item 4): W = 16, K = 16, N = 1024, per core and lane
 * count: xc7 LUT/FF/LUT levels (Yosys synth_xilinx), iCE40 LUT4 and Fmax (Yosys + nextpnr-ice40,
 * UP5K, else HX8K; null when it does not fit), and input elements per cycle from Verilator cosim
 * without stalls on random rows (uniform W-bit scores) and on the worst-case rows of the top-k cores
 * (ascending scores: every score beats the K-th best, so each is a candidate), with LUTs per
 * (element/cycle) at the worst case. One bench/out/selector-dse-<name>.json per row.
 *
 * `npx tsx bench/selector-dse.ts [row ...]` runs this table alone, or only the named rows (e.g.
 * `topk-systolic-p1`; synthesis results are cached in .cache/synth).
 */
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runUnit } from '../flow/unit-run.ts';
import { Rng } from '../data/rng.ts';
import { synthModule } from '../fpga/synth.ts';
import { selectorUnit } from '../gen/selector/index.ts';
import { selectorConfig, type SelectorConfig } from '../gen/selector/config.ts';
import { selectorCore } from '../gen/selector/rtl.ts';
import { encodeInput, tableWrites, type InItem } from '../gen/selector/stimulus.ts';
import type { ThetaTable } from '../gen/selector/thresholds.ts';
import { writeResult } from './result.ts';

const log = (line: string): void => console.log(`[bench selector-dse] ${line}`);
const round = (x: number, digits = 4): number => Number(x.toPrecision(digits));

const W = 16;
const N = 1024;
const K = 16;
const ROWS = 8;
const base = { scoreBits: W, maxRow: N, k: K }; // the other fields at their defaults (H = L = 2, buckets [16, 32, 64])

type Measured = { lut: number; ff: number; levels: number; ice40Lut4: number | null; fmaxMHz: number | null; random: number | null; worst: number | null };

/**
 * The rows of the table; `issue` = the numbers issue #19 measured on main before this work;
 * `previous` = this bench before the last change of the row's core (README "What changed"): systolic
 * P = 1 at 93c1808 (value-ordered cells with the in-place index sort, before the index-order cells
 * with score ranks); threshold P = 8 at commit 578b535 (before its pipelined row maximum).
 */
export const DSE: { name: string; cfg: SelectorConfig; issue?: Measured; previous?: Measured }[] = [
  { name: 'topk-systolic-p1', cfg: selectorConfig({ ...base, mode: 'topk', arch: 'systolic', lanes: 1, outLanes: 1 }), previous: { lut: 954, ff: 687, levels: 3, ice40Lut4: 1852, fmaxMHz: 40.6, random: 0.96, worst: 0.96 } },
  { name: 'topk-insertion-p1', cfg: selectorConfig({ ...base, mode: 'topk', arch: 'insertion', lanes: 1, outLanes: 1 }), issue: { lut: 1876, ff: 759, levels: 11, ice40Lut4: 1994, fmaxMHz: 10.4, random: 0.99, worst: 0.99 } },
  { name: 'topk-systolic-p8', cfg: selectorConfig({ ...base, mode: 'topk', arch: 'systolic', lanes: 8, outLanes: 8 }) },
  { name: 'topk-insertion-p8', cfg: selectorConfig({ ...base, mode: 'topk', arch: 'insertion', lanes: 8, outLanes: 8 }), issue: { lut: 5985, ff: 2025, levels: 17, ice40Lut4: null, fmaxMHz: null, random: 6.04, worst: 1.0 } },
  { name: 'threshold-p8', cfg: selectorConfig({ ...base, mode: 'threshold', lanes: 8, outLanes: 8 }), issue: { lut: 4797, ff: 1638, levels: 14, ice40Lut4: null, fmaxMHz: null, random: null, worst: null }, previous: { lut: 1970, ff: 1157, levels: 9, ice40Lut4: 1790, fmaxMHz: 16.3, random: 7.91, worst: 7.91 } },
];

function rows(kind: 'random' | 'ascending', seed: number): InItem[] {
  const r = new Rng(seed);
  const lo = -(2 ** (W - 1));
  const hi = 2 ** (W - 1) - 1;
  return Array.from({ length: ROWS }, () => ({
    kind: 'row' as const, layer: 0, head: 0,
    scores: kind === 'random' ? Array.from({ length: N }, () => r.int(lo, hi)) : Array.from({ length: N }, (_, i) => lo + 64 * i),
  }));
}

async function rate(name: string, cfg: SelectorConfig, kind: 'random' | 'ascending'): Promise<number> {
  // threshold mode: θ = 0 (about half the random scores pass; every ascending score above 0)
  const theta = Array.from({ length: cfg.layers }, () => Array.from({ length: cfg.heads }, () => cfg.rowBuckets.map(() => 0)));
  const writes: InItem[] = cfg.mode === 'threshold' ? tableWrites(cfg, { k: K, buckets: cfg.rowBuckets, theta } satisfies ThetaTable) : [];
  const items = [...writes, ...rows(kind, 7)];
  const r = await runUnit(selectorUnit, cfg, encodeInput(cfg, items), { workDir: mkdtempSync(path.join(os.tmpdir(), `kvhdl-bench-dse-${name}-`)), seed: 1, stall: 0, log });
  if (!r.ok) throw new Error(`bench selector-dse: cosim ${name} (${kind}) failed:\n${r.problem}`);
  // input rate: scores over the cycles the input stream spans (r.ii: cycles per accepted `in` beat)
  if (r.ii === null) throw new Error(`bench selector-dse: ${name}: no input rate measured`);
  return (ROWS * N) / (r.ii * r.transactions.in);
}

/** `only`: the names of the rows to run (all when empty). */
export async function benchSelectorDse(only: readonly string[] = []): Promise<void> {
  const unknown = only.filter((n) => !DSE.some((r) => r.name === n));
  if (unknown.length) throw new Error(`bench selector-dse: no row named ${unknown.join(', ')} (rows: ${DSE.map((r) => r.name).join(', ')})`);
  for (const { name, cfg, issue, previous } of DSE.filter((r) => only.length === 0 || only.includes(r.name))) {
    const random = await rate(name, cfg, 'random');
    const worst = await rate(name, cfg, 'ascending');
    const top = selectorUnit.build(cfg);
    const x = await synthModule(top, { target: 'xc7', log });
    const i = await synthModule(top, { target: 'ice40', log });
    const ice = i.target === 'ice40' ? i : null;
    const lut = x.resources.lut;
    writeResult({
      name: `selector-dse-${name}`,
      metric: `xc7 LUTs per (input element/cycle) on worst-case rows (ascending), W=${W} K=${K} N=${N} P=${cfg.lanes} P_out=${cfg.outLanes}`,
      value: round(lut / worst),
      unit: 'LUT per element/cycle',
      ...(issue && issue.worst ? { baseline: round(issue.lut / issue.worst), ratio: round(lut / worst / (issue.lut / issue.worst)) } : {}),
      core: selectorCore(cfg),
      xc7: { lut, ff: x.resources.ff, carry4: x.resources.carry4, levels: x.logicDepth },
      ice40: ice ? { lut4: ice.resources.lut4, ff: ice.resources.ff, levels: ice.logicDepth, fits: ice.fits, device: ice.device, fmaxMHz: ice.fits ? ice.fmaxMHz : null } : null,
      elementsPerCycle: { random: round(random), worst: round(worst) },
      lutPerElementPerCycle: { random: round(lut / random), worst: round(lut / worst) },
      issueBefore: issue ?? null,
      previous: previous ?? null,
      rows: `${ROWS} rows of ${N}; random: uniform W-bit; worst: ascending`,
      top: x.top,
      config: cfg,
      tools: { xc7: x.tools, ice40: i.tools },
    });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  benchSelectorDse(process.argv.slice(2)).catch((e: unknown) => {
    console.error(e instanceof Error ? (e.stack ?? e.message) : e);
    process.exitCode = 1;
  });
}
