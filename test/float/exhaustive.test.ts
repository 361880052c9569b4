/**
 * Every combinational float operator (add, sub, mul, div, min, max, lt/le/eq; fp16 and bf16)
 * against an independent C++ reference (test/float/exhaustive/sweep.cpp: double arithmetic plus one
 * round-to-nearest-even into the format, written from hdl/lib/float/golden/README.md) inside a
 * Verilator build that loops over the operand pairs natively.
 * - npm test: for every format, all 65,536 second operands for each first operand of the special
 *   value list plus seeded random ones (about 4M pairs per format), and a fault injection that must
 *   be reported.
 * - npm run regress: all 2^32 pairs per format, in shards run in parallel.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ModuleBuilder, UInt, cat, type Module } from '../../hdl/index.ts';
import { BF16, FP16, type FloatFormat } from '../../hdl/lib/float/format.ts';
import { fpAdd, fpDiv, fpEq, fpLe, fpLt, fpMax, fpMin, fpMul, fpSub } from '../../hdl/lib/float/index.ts';
import { buildSimulator } from '../../cosim/verilator/build.ts';
import { runTool } from '../../toolchain/run-tool.ts';
import { Rng } from '../../data/rng.ts';
import { specialValues } from './values.ts';
import { writeDesign } from '../helpers/verilog-checks.ts';

const SWEEP = path.join(path.dirname(fileURLToPath(import.meta.url)), 'exhaustive', 'sweep.cpp');

/** All operators of one format, combinational, side by side on the same operands. */
function allOpsModule(f: FloatFormat): Module {
  const m = new ModuleBuilder(`kv_test_fp_all_${f.name}`);
  const a = m.input('a', UInt(16));
  const b = m.input('b', UInt(16));
  m.output('add', UInt(16)).set(fpAdd(m, 'add', f, a, b).result);
  m.output('sub', UInt(16)).set(fpSub(m, 'sub', f, a, b).result);
  m.output('mul', UInt(16)).set(fpMul(m, 'mul', f, a, b).result);
  m.output('div', UInt(16)).set(fpDiv(m, 'div', f, a, b).result);
  m.output('mn', UInt(16)).set(fpMin(m, 'min', f, a, b).result);
  m.output('mx', UInt(16)).set(fpMax(m, 'max', f, a, b).result);
  m.output('cmp', UInt(3)).set(cat(fpLt(m, 'lt', f, a, b).result, fpLe(m, 'le', f, a, b).result, fpEq(m, 'eq', f, a, b).result));
  return m.build();
}

async function sweepSim(f: FloatFormat): Promise<string> {
  const top = allOpsModule(f);
  const files = writeDesign(top);
  const design = { top: top.name, files, clock: 'clk', reset: 'rst', ports: [], streams: [] };
  return (await buildSimulator(design, readFileSync(SWEEP, 'utf8'))).exe;
}

interface SweepResult {
  exitCode: number;
  pairs: number;
  mismatches: string[];
  summary: string;
}

async function sweep(exe: string, f: FloatFormat, operands: string[], timeoutMs: number): Promise<SweepResult> {
  const r = await runTool(exe, ['--exp', String(f.exp), '--man', String(f.man), ...operands], { timeoutMs });
  const lines = r.stdout.trim().split('\n');
  const summary = lines.at(-1) ?? '';
  const m = /^checked (\d+) pairs, (\d+) mismatches$/.exec(summary);
  if (!m) throw new Error(`sweep ${f.name}: unexpected output (exit ${r.exitCode}):\n${r.stdout}\n${r.stderr}`);
  return { exitCode: r.exitCode, pairs: Number(m[1]), mismatches: lines.filter((l) => l.startsWith('mismatch')), summary };
}

/** The special values of the format plus `n` seeded random patterns, as first operands. */
function sliceOperands(f: FloatFormat, n: number, seed: number): number[] {
  const rng = new Rng(seed);
  const xs = new Set(specialValues(f));
  while (xs.size < specialValues(f).length + n) xs.add(rng.u32() & 0xffff);
  return [...xs].sort((x, y) => x - y);
}

describe('float operators vs an independent C++ reference (all second operands per first operand)', () => {
  for (const f of [FP16, BF16]) {
    it(`${f.name}: special and random first operands x all 65,536 second operands; a fault is reported`, async () => {
      const exe = await sweepSim(f);
      const as = sliceOperands(f, 24, f === FP16 ? 11 : 12);
      const ok = await sweep(exe, f, ['--a-list', as.join(',')], 600_000);
      expect(ok.mismatches, ok.mismatches.join('\n')).toEqual([]);
      expect(ok.exitCode).toBe(0);
      expect(ok.pairs).toBe(as.length * 65536);
      // the check can fail: a corrupted reference value is found and reported with its operands
      const bad = await sweep(exe, f, ['--a-list', '0x3c00', '--fault', '0x3c00,0x4000'], 60_000);
      expect(bad.exitCode).toBe(1);
      expect(bad.mismatches).toHaveLength(1);
      expect(bad.mismatches[0]).toMatch(/^mismatch add a=0x3c00 b=0x4000 want=0x[0-9a-f]{4} got=0x[0-9a-f]{4}$/);
    }, 900_000);
  }

  if (process.env.KVHDL_REGRESS) {
    for (const f of [FP16, BF16]) {
      it(`regress: ${f.name}, all 2^32 operand pairs`, async () => {
        const exe = await sweepSim(f);
        const shards = Math.max(1, os.availableParallelism?.() ?? os.cpus().length);
        const step = Math.ceil(65536 / shards);
        const results = await Promise.all(
          Array.from({ length: shards }, (_, k) => sweep(exe, f, ['--a-from', String(k * step), '--a-to', String(Math.min(65536, (k + 1) * step))], 4 * 3600_000)),
        );
        const mismatches = results.flatMap((r) => r.mismatches);
        expect(mismatches, mismatches.join('\n')).toEqual([]);
        expect(results.reduce((s, r) => s + r.pairs, 0)).toBe(2 ** 32);
      }, 4 * 3600_000);
    }
  }
});
