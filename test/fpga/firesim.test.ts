// kvhdl handoff firesim: the package's Verilog (lint, one file, prefixed names), the Scala consistency
// check, the host co-simulation of the driver + bare-metal test against the Verilated shell with an
// AXI4 memory model (random latency and stalls, protocol checks), and the rv64gc cross-compile.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { OutputError } from '../../output/index.ts';
import * as os from 'node:os';
import * as path from 'node:path';
import { findUnit } from '../../gen/registry.ts';
import { writeFiresimHandoff, firesimFiles, type FiresimHandoff } from '../../fpga/firesim/package.ts';
import { splitModules } from '../../fpga/firesim/design.ts';
import { buildHarness, harnessInput, runHarness } from '../../fpga/firesim/harness.ts';
import { checkScala, parseScalaIo, scalaNames } from '../../fpga/firesim/scala.ts';
import { crossCompileTest } from '../../fpga/firesim/cross.ts';
import { shellJob } from '../../fpga/firesim/golden.ts';
import { firesimProfile } from '../../fpga/firesim/profile.ts';
import { recordsToWords, wordsToRecords } from '../../fpga/firesim/layout.ts';
import { TxnTable } from '../../data/transactions.ts';
import { portsOf } from '../../hdl/ports/from-module.ts';
import { verilatorLint } from '../../toolchain/lint.ts';
import { verilogProblems } from '../helpers/verilog-checks.ts';
import { handoffCommand } from '../../cli/commands/handoff.ts';
import { UsageError } from '../../cli/args.ts';
import { compileAndRunC } from '../helpers/host-c.ts';

const made: string[] = [];
const tmp = () => {
  const d = mkdtempSync(path.join(os.tmpdir(), 'kvhdl-firesim-'));
  made.push(d);
  return d;
};
afterAll(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

/** The small attention configuration of `kvhdl report` (its default, D = 128 and maxKeys 4096, is too large for a test's Verilator build). */
const ATTENTION_SMALL = { dims: 32, maxKeys: 64, groupSize: 8, residual: 16, k: 8, rowBuckets: [64] };

/** The configurations under test: every unit with a profile (small minmax, nuq and attention; the defaults of the others; earlyexit also with 100-bit memory words). */
const CASES: { unit: string; config: Record<string, unknown>; synth: boolean }[] = [
  { unit: 'minmax', config: { lanes: 2, width: 8 }, synth: true },
  { unit: 'dequantizer', config: {}, synth: false },
  { unit: 'quantizer', config: {}, synth: false },
  { unit: 'selector', config: {}, synth: false },
  { unit: 'earlyexit', config: {}, synth: false },
  { unit: 'earlyexit', config: { dims: 100, keyBits: 4, keySigned: false }, synth: false }, // 2-word memory words, stride 2
  { unit: 'attention', config: ATTENTION_SMALL, synth: false }, // the cache image through the DMA-served memory port, 9-word query records
  { unit: 'nuq', config: { channels: 8, lanes: 2, bits: 2 }, synth: false }, // variable sp, data-framed table loads and sequences
  { unit: 'nuq', config: { channels: 8, lanes: 2, bits: 2, mode: 'per-token' }, synth: false }, // per-token: the tk stream (one record per token)
];

function pkg(unit: string, config: Record<string, unknown>, out = tmp()): FiresimHandoff {
  const u = findUnit(unit)!;
  return writeFiresimHandoff({ unit: u, config: u.schema.parse(config), out });
}

describe.each(CASES)('firesim package of $unit $config', ({ unit, config, synth }) => {
  let h: FiresimHandoff;
  beforeAll(() => {
    h = pkg(unit, config);
  });

  it('is one Verilog file without includes; every module carries the tag; one clock, synchronous reset', () => {
    const v = readFileSync(h.verilogFile, 'utf8');
    const d = h.design;
    expect(d.tag).toMatch(new RegExp(`^kvhdl_${unit}_[0-9a-f]{8}_$`));
    expect(v).not.toMatch(/`include/);
    const modules = [...v.matchAll(/^module (\w+)/gm)].map((m) => m[1]);
    expect(modules).toEqual(d.modules);
    expect(modules.every((m) => m.startsWith(d.tag))).toBe(true);
    expect(new Set(modules).size).toBe(modules.length);
    // every instantiation names a module of the file
    for (const m of v.matchAll(/^\s+(\w+)\s+\w+\s*\(\s*\/\//gm)) expect(modules).toContain(m[1]);
    const always = [...v.matchAll(/always\s*@\s*\(([^)]*)\)/g)].map((m) => m[1].trim());
    expect(always.length).toBeGreaterThan(0);
    // one clock: every edge-triggered block is on posedge clock (combinational blocks are @(*))
    expect(always.filter((a) => a !== '*').length).toBeGreaterThan(0);
    expect(new Set(always.filter((a) => a !== '*'))).toEqual(new Set(['posedge clock']));
    expect(v).not.toMatch(/negedge|\binitial\b/);
    expect(v.trimEnd().endsWith('`default_nettype wire')).toBe(true);
    const ports = portsOf(d.shell).map((p) => p.name);
    expect(ports.filter((p) => /clock|clk/.test(p))).toEqual(['clock']);
    expect(ports).toContain('reset');
    expect(ports).toContain('irq');
  });

  it('lints clean: verilator -Wall per module (no lint_off), iverilog, yosys; the one file with -Wall minus DECLFILENAME', async () => {
    const dir = tmp();
    const files = splitModules(h.design).map((m) => {
      const f = path.join(dir, `${m.name}.v`);
      writeFileSync(f, m.text);
      return f;
    });
    expect(files.map((f) => readFileSync(f, 'utf8')).join('\n')).not.toMatch(/lint_off/);
    expect(await verilogProblems(files, h.design.top, { synth })).toEqual([]);
    // A file with several modules always draws DECLFILENAME (file name != module name); nothing else.
    const one = await verilatorLint([h.verilogFile], h.design.top, { extraArgs: ['-Wno-DECLFILENAME'] });
    expect(one.warnings).toEqual([]);
    expect(one.ok).toBe(true);
  });

  it('the register map of the Verilog register file and of the C header are the same', () => {
    const v = readFileSync(h.verilogFile, 'utf8');
    const doc = /AXI4-Lite register file: (.*)/.exec(v)?.[1] ?? '';
    const fromVerilog = doc.split(', ').map((e) => {
      const m = /^(\w+)@0x([0-9a-f]+) (rw|ro|w1c)(\d+)$/.exec(e)!;
      return [m[1].toUpperCase(), parseInt(m[2], 16)];
    });
    const header = h.files[`tests/kvhdl_${unit}_regs.h`];
    const P = `KVHDL_${unit.toUpperCase()}_REG_`;
    const fromC = [...header.matchAll(new RegExp(`#define ${P}(\\w+) 0x([0-9a-f]+)`, 'g'))].map((m) => [m[1], parseInt(m[2], 16)]);
    expect(fromC).toEqual(fromVerilog);
    expect(fromC.length).toBe(h.design.regs.length);
  });

  it('Scala BlackBox IO equals the Verilog ports (names, directions, widths), and the check catches a difference', () => {
    const d = h.design;
    const scala = h.files[`scala/${scalaNames(d).cls}.scala`];
    const verilog = readFileSync(h.verilogFile, 'utf8');
    expect(checkScala(d, scala, verilog)).toEqual([]);
    expect(parseScalaIo(scala, scalaNames(d).io).map((p) => p.name)).toEqual(portsOf(d.shell).map((p) => p.name));
    // the check is not vacuous
    expect(checkScala(d, scala.replace('val m_axi_wdata = Output(UInt(64.W))', 'val m_axi_wdata = Output(UInt(32.W))'), verilog)).toEqual(
      expect.arrayContaining([expect.stringMatching(/m_axi_wdata: Verilog output \[64\], Scala output \[32\]/)]),
    );
    expect(checkScala(d, scala.replace(/val s_axi_bready = /, 'val s_axi_bredy = '), verilog).length).toBeGreaterThan(0);
    expect(checkScala(d, scala.replace(`desiredName = "${d.top}"`, `desiredName = "${d.top}_x"`), verilog)).toEqual([`the BlackBox's desiredName is not ${d.top}`]);
    // attachment rules (issue #20): register window with side effects, FIFO fixer on the DMA path, clock domain and crossings
    expect(scala).toContain('regionType = RegionType.GET_EFFECTS,');
    expect(scala).toMatch(/TLBuffer\(\) :=\s*TLFIFOFixer\(TLFIFOFixer\.all\) :=\s*TLWidthWidget\(8\) :=\s*AXI4ToTL\(\) :=/);
    expect(checkScala(d, scala.replace('RegionType.GET_EFFECTS', 'RegionType.UNCACHED'), verilog)).toEqual([
      "the register window's regionType is UNCACHED, not GET_EFFECTS (START and write-1-to-clear registers have side effects)",
    ]);
    expect(checkScala(d, scala.replace(/TLFIFOFixer\(TLFIFOFixer\.all\) :=\s*/, ''), verilog)).toEqual([
      'the DMA path lacks TLBuffer() := TLFIFOFixer(TLFIFOFixer.all) := TLWidthWidget(8) := AXI4ToTL()',
    ]);
    expect(checkScala(d, scala.replace('block.clockNode := fbus.fixedClockNode', 'block.clockNode := pbus.fixedClockNode'), verilog)).toEqual([
      'the block is clocked by pbus, not by the bus its DMA masters (fbus)',
    ]);
    expect(checkScala(d, scala.replace(/AXI4InwardClockCrossingHelper\("\w+", block, block\.regNode\)\(params\.crossing\)/, 'block.regNode'), verilog)).toEqual([
      'the register port does not cross into the block with params.crossing',
    ]);
    expect(checkScala(d, scala.replace(/IntOutwardClockCrossingHelper\("\w+", block, block\.intNode\)\(params\.crossing\)/, 'block.intNode'), verilog)).toEqual([
      'the interrupt does not cross out of the block with params.crossing',
    ]);
    expect(checkScala(d, scala.replace('crossing: ClockCrossingType = AsynchronousCrossing()', 'crossing: ClockCrossingType = SynchronousCrossing()'), verilog)).toEqual([
      'the default crossing of the Params and the fragment is not AsynchronousCrossing()',
    ]);
    expect(checkScala(d, scala.replace('require(!params.crossing.sameClock', 'require(true'), verilog)).toEqual([
      'a same-clock crossing is not checked against the bus frequencies',
    ]);
    const cfg = h.files[`scala/${scalaNames(d).cls}Configs.scala`];
    expect(cfg).toContain(`class ${scalaNames(d).config} extends Config(`);
    expect(cfg).toContain(`new chipyard.example.${scalaNames(d).fragment}() ++`);
    expect(h.files['firesim/config_build_recipes.yaml']).toContain(`TARGET_CONFIG: ${scalaNames(d).targetConfig}`);
    expect(h.files['README.md']).toContain(`with chipyard.example.${scalaNames(d).trait}`);
  });

  it('the driver and bare-metal test pass against the Verilated shell (random stalls, AXI checks), two seeds', async () => {
    const b = await buildHarness(harnessInput(h, tmp()));
    for (const seed of [1, 7]) {
      const r = await runHarness(b.exe, { seed });
      expect(r.stderr, r.stdout).toContain(' 0 protocol violations');
      expect(r.exitCode, `${r.stdout}\n${r.stderr}`).toBe(0);
      expect(r.stdout).toContain(`${unit}: PASS, results match kvhdl's golden model`);
      // bad requests: the driver reports the error bit
      expect(r.stdout).toContain('misaligned source refused with error 0x1 (MISALIGNED)');
      expect(r.stdout).toContain('zero rows refused with error 0x2 (ZERO_LEN)');
      expect(r.stdout).toContain('rows above max_rows refused with error 0x4 (SHAPE)');
      const words = /(\d+) words read, (\d+) words written/.exec(r.stdout)!;
      const mem = h.design.layout.memory;
      expect(Number(words[1])).toBe(h.job.inputWords.length + (mem ? h.job.memReads * mem.words : 0));
      expect(Number(words[2])).toBe(h.job.outputs.reduce((n, o) => n + o.words.length, 0));
      if (mem) {
        // the DMA served the unit's memory port: as many words as the golden model fetches
        expect(h.job.memReads).toBeGreaterThan(0);
        expect(r.stdout).toContain(`${unit}: ${h.job.memReads} memory words requested`);
        expect(r.stdout).toContain('misaligned memory image refused with error 0x1 (MISALIGNED)');
        expect(r.stdout).toContain("memory image shorter than the unit's requests refused with error 0x80 (MEM_RANGE)");
      }
    }
  });

  it('run-time faults set their error bits (RRESP, BRESP, OVERFLOW, BUSY), irq follows DONE, and the shell recovers', async () => {
    const b = await buildHarness(harnessInput(h, tmp()));
    const r = await runHarness(b.exe, { seed: 5, faults: true });
    expect(r.stderr, r.stdout).toContain(' 0 protocol violations');
    expect(r.exitCode, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toContain('faults: SLVERR on a read beat: error 0x10 (expected 0x10)');
    if (!h.design.profile.dataFramed) expect(r.stdout).toContain('faults: unmapped source: error 0x10 (expected 0x10)');
    if (h.design.layout.memory) expect(r.stdout).toContain('faults: unmapped memory image: error 0x10 (expected 0x10)');
    expect(r.stdout).toContain('faults: unmapped destination: error 0x20 (expected 0x20)');
    expect(r.stdout).toContain('faults: short output length: error 0x8 (expected 0x8)');
    expect(r.stdout).toContain('faults: START while busy: error 0x40 (expected 0x40)');
    expect(r.stdout).toContain('faults: PASS');
    // its buffers start 64 bytes before a 4 KiB boundary: the DMA cut bursts there (and the checker saw no crossing)
    expect(r.boundaryCuts).toBeGreaterThan(0);
  });

  it("the driver's C output lengths (and ends of variable streams) equal the TypeScript profile's on the test input, which its input check accepts", async () => {
    const r = await compileAndRunC({ program: 'lens.c', unit, mmio: 'stub', testDir: h.testDir, dir: tmp() });
    expect(r.stdout.trim().split('\n')).toEqual([...h.job.lens.map((l, i) => `${l} ${h.job.ends[i]}`), 'check 0']);
    // variable streams: the capacity bounds the golden count, and ends counts its rows
    h.design.layout.outputs.forEach((s, i) => expect(h.job.outputs[i].records).toBeLessThanOrEqual(h.job.lens[i]));
  });

  it('cross-compiles the bare-metal test for rv64gc with riscv64-unknown-elf-gcc + picolibc', async () => {
    const elf = path.join(tmp(), `kvhdl_${unit}.elf`);
    const info = await crossCompileTest(h.testC, h.testDir, elf);
    expect(info).toEqual({ elf64: true, machine: 243, flags: 0x5 }); // RISC-V, RVC + double-float ABI
  });
});

describe('firesim golden job and layout', () => {
  it('expected output words decode to the unit golden model records (quantizer: q, grp, res)', () => {
    const u = findUnit('quantizer')!;
    const cfg = u.schema.parse({});
    const h = pkg('quantizer', {});
    const job = shellJob(u, h.design, h.job.rows, h.job.cols, 1);
    const gold = u.golden(cfg, { in: job.unitInput });
    h.design.layout.outputs.forEach((s, i) => {
      const back = wordsToRecords(s, job.outputs[i].words);
      expect(back.count).toBe(gold[s.name].count);
      for (let r = 0; r < back.count; r += 7) for (const f of s.fields) expect(back.get(r, f.name)).toBe(gold[s.name].get(r, f.name));
    });
    // eos only on the last input beat, the profile's counts equal the golden model's
    const eos = Array.from({ length: job.unitInput.count }, (_, i) => job.unitInput.get(i, 'eos'));
    expect(eos.lastIndexOf(1n)).toBe(eos.length - 1);
    expect(eos.indexOf(1n)).toBe(eos.length - 1);
    const counts = firesimProfile('quantizer').outCounts(cfg, job.rows, job.cols, job.unitInput);
    expect(job.outputs.map((o) => o.records)).toEqual([counts.q, counts.grp, counts.res]);
  });

  it('per-channel quantizer profile counts agree with the golden model', () => {
    const u = findUnit('quantizer')!;
    const cfg = u.schema.parse({ mode: 'per-channel', residual: 32, groupSize: 32, channels: 32, lanes: 8 });
    const h = pkg('quantizer', { mode: 'per-channel', residual: 32, groupSize: 32, channels: 32, lanes: 8 });
    for (const rows of [1, 31, 32, 33, 64, 70]) expect(() => shellJob(u, h.design, rows, 4, rows)).not.toThrow();
    expect(firesimProfile('quantizer').outCounts(cfg, 70, 4, shellJob(u, h.design, 70, 4, 1).unitInput)).toEqual({ q: 64 * 4, grp: 64 * 1, res: 6 * 4 });
  });

  it('is byte-identical across runs', () => {
    const a = pkg('minmax', { lanes: 2, width: 8 });
    const b = pkg('minmax', { lanes: 2, width: 8 });
    expect(firesimFiles(a.design, a.job)).toEqual(firesimFiles(b.design, b.job));
    expect(readFileSync(a.verilogFile, 'utf8')).toBe(readFileSync(b.verilogFile, 'utf8'));
  });
});

describe('firesim harness catches failures', () => {
  it('a wrong expected word makes the bare-metal test fail (the comparison is real)', async () => {
    const h = pkg('minmax', { lanes: 2, width: 8 });
    const data = path.join(h.testDir, 'kvhdl_minmax_data.h');
    const text = readFileSync(data, 'utf8');
    const m = /kvhdl_minmax_expect_out\[\] __attribute__\(\(aligned\(64\)\)\) = \{\n {2}(0x[0-9a-f]{16})ull/.exec(text)!;
    const flipped = `0x${(BigInt(m[1]) ^ 1n).toString(16).padStart(16, '0')}`;
    writeFileSync(data, text.replace(`{\n  ${m[1]}ull`, `{\n  ${flipped}ull`));
    const b = await buildHarness(harnessInput(h, tmp()));
    const r = await runHarness(b.exe, { seed: 3 });
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain('minmax: out word 0 is');
    expect(r.stdout).toContain('minmax: FAIL');
  });
});

describe('firesim selector: data-framed jobs with a data-dependent output length', () => {
  it('a job of theta-table writes only ends at once with no records; then the full job gives the golden records', async () => {
    const h = pkg('selector', {});
    const input = h.job.unitInput;
    let writes = 0;
    while (writes < input.count && input.get(writes, 'kind') === 1n) writes++;
    expect(writes).toBe(2 * 2 * 3); // threshold mode: the L*H*B table first
    const dir = tmp();
    const testC = path.join(dir, 'theta_only.c');
    writeFileSync(
      testC,
      `#include <stdio.h>
#include "mmio.h"
#include "kvhdl_selector.h"
#include "kvhdl_selector_data.h"
static uint64_t out_sum[KVHDL_SELECTOR_TEST_SUM_CAP + 1] __attribute__((aligned(64)));
static uint64_t out_out[KVHDL_SELECTOR_TEST_OUT_CAP * KVHDL_SELECTOR_OUT_OUT_WORDS + 1] __attribute__((aligned(64)));
int main(void) {
  kvhdl_selector_job j;
  kvhdl_selector_stats st;
  uint32_t err, i, bad = 0;
  j.src = kvhdl_selector_test_in;
  j.rows = ${writes}u;
  j.cols = 1;
  j.dst[KVHDL_SELECTOR_OUT_SUM] = out_sum;
  j.dst[KVHDL_SELECTOR_OUT_OUT] = out_out;
  err = kvhdl_selector_run(0x${(0x10080000).toString(16)}u, &j, &st);
  printf("theta only: err=%u sum=%u out=%u written=%u\\n", (unsigned)err, (unsigned)st.count[KVHDL_SELECTOR_OUT_SUM], (unsigned)st.count[KVHDL_SELECTOR_OUT_OUT], (unsigned)st.words_written);
  j.rows = KVHDL_SELECTOR_TEST_ROWS;
  err = kvhdl_selector_run(0x${(0x10080000).toString(16)}u, &j, &st);
  for (i = 0; i < KVHDL_SELECTOR_TEST_OUT_RECORDS * KVHDL_SELECTOR_OUT_OUT_WORDS; i++) bad += out_out[i] != kvhdl_selector_expect_out[i];
  for (i = 0; i < KVHDL_SELECTOR_TEST_SUM_RECORDS; i++) bad += out_sum[i] != kvhdl_selector_expect_sum[i];
  printf("full: err=%u sum=%u out=%u differ=%u\\n", (unsigned)err, (unsigned)st.count[KVHDL_SELECTOR_OUT_SUM], (unsigned)st.count[KVHDL_SELECTOR_OUT_OUT], (unsigned)bad);
  return 0;
}
`,
    );
    const b = await buildHarness({ ...harnessInput(h, dir), testC });
    const r = await runHarness(b.exe, { seed: 4 });
    expect(r.exitCode, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.violations).toBe(0);
    const sums = h.job.outputs.find((o) => o.name === 'sum')!.records;
    const outs = h.job.outputs.find((o) => o.name === 'out')!.records;
    expect(r.stdout.trim().split('\n')).toEqual(['theta only: err=0 sum=0 out=0 written=0', `full: err=0 sum=${sums} out=${outs} differ=0`]);
  }, 300_000);
});

/** A copy of a table (to mutate records of a valid input). */
function copyTable(input: TxnTable): TxnTable {
  const t = new TxnTable(input.fields, input.count);
  for (let i = 0; i < input.count; i++) for (const f of input.fields) t.set(i, f.name, input.get(i, f.name));
  return t;
}

/** Runs kvhdl_<unit>_check_input and kvhdl_<unit>_run (stub registers: DONE reads 1) on each input; one line per case. */
async function driverInputCheck(h: FiresimHandoff, cases: { name: string; t: TxnTable; rows: number }[]): Promise<string[]> {
  const arr = (name: string, w: bigint[]) => `static const uint64_t ${name}[] = { ${w.map((x) => `0x${x.toString(16)}ull`).join(', ')} };`;
  const casesH = [
    `#define HAS_MEM ${h.design.layout.memory ? 1 : 0}`,
    ...cases.map((c, i) => arr(`in${i}`, recordsToWords(h.design.layout.input, c.t))),
    `#define CASES(X) ${cases.map((c, i) => `X("${c.name}", in${i}, ${c.rows}u)`).join(' ')}`,
    '',
  ].join('\n');
  const r = await compileAndRunC({ program: 'check.c', unit: h.design.unit, mmio: 'extern', testDir: h.testDir, dir: tmp(), extra: { 'cases.h': casesH } });
  expect(r.exitCode, r.stderr).toBe(0);
  return r.stdout.trim().split('\n');
}

describe('firesim selector: the driver refuses inputs that break the row framing (ERR_INPUT)', () => {
  it('ends inside a row, a table write inside a row, a short or long row, n out of range, a row changing head: index of the first bad record, nothing started', async () => {
    const h = pkg('selector', {});
    const cfg = h.design.config as { lanes: number; maxRow: number; heads: number };
    const input = h.job.unitInput;
    const copy = () => copyTable(input);
    // the first row of at least 3 beats
    let first = -1;
    for (let i = 0; i < input.count && first < 0; i++) {
      if (input.get(i, 'kind') === 0n && (i === 0 || input.get(i - 1, 'kind') === 1n || input.get(i - 1, 'last') === 1n) && Number(input.get(i, 'len')) > 2 * cfg.lanes) first = i;
    }
    expect(first).toBeGreaterThan(0);
    const cases: { name: string; t: TxnTable; rows: number; want: number }[] = [];
    cases.push({ name: 'valid', t: input, rows: input.count, want: 0 });
    cases.push({ name: 'ends inside a row', t: input, rows: first + 2, want: first + 2 });
    let t = copy();
    t.set(first + 1, 'kind', 1n);
    cases.push({ name: 'table write inside a row', t, rows: input.count, want: first + 2 });
    t = copy();
    t.set(first, 'last', 1n);
    cases.push({ name: 'row too short', t, rows: input.count, want: first + 1 });
    t = copy();
    for (let i = first; i < first + 3; i++) t.set(i, 'len', BigInt(cfg.maxRow + 1));
    cases.push({ name: 'n above maxRow', t, rows: input.count, want: first + 1 });
    t = copy();
    t.set(first + 1, 'head', (input.get(first, 'head') + 1n) % BigInt(cfg.heads));
    cases.push({ name: 'head changes inside a row', t, rows: input.count, want: first + 2 });
    const lines = await driverInputCheck(h, cases);
    const writesOk = (want: number) => (want === 0 ? /writes=[1-9]\d*/ : /writes=0 /);
    cases.forEach((k, i) => {
      expect(lines[i]).toMatch(new RegExp(`^${k.name}: bad=${k.want} err=${k.want === 0 ? '0' : '0x8000000'} `));
      expect(lines[i]).toMatch(writesOk(k.want));
      if (k.want !== 0) expect(lines[i]).toContain('stats.error=0x8000000');
    });
  });
});

describe('firesim earlyexit: the driver refuses a row with more keys than maxKeys (ERR_INPUT)', () => {
  it('keys = maxKeys + 1 in record 2: check_input gives 3, nothing started; the test input passes', async () => {
    const h = pkg('earlyexit', {});
    const input = h.job.unitInput;
    const t = copyTable(input);
    t.set(2, 'keys', BigInt((h.design.config as { maxKeys: number }).maxKeys + 1));
    const lines = await driverInputCheck(h, [
      { name: 'valid', t: input, rows: input.count },
      { name: 'too many keys', t, rows: input.count },
    ]);
    expect(lines[0]).toMatch(/^valid: bad=0 err=0 writes=[1-9]/);
    expect(lines[1]).toBe('too many keys: bad=3 err=0x8000000 writes=0 stats.error=0x8000000');
  });
});

describe('firesim attention: the driver refuses a row with n above maxKeys or another n than row 0 (ERR_INPUT)', () => {
  it('n = maxKeys + 1 in record 2, n - 1 in record 2: check_input gives 2, nothing started; the test input passes', async () => {
    const h = pkg('attention', ATTENTION_SMALL);
    const input = h.job.unitInput;
    expect(input.count).toBe(2);
    const big = copyTable(input);
    big.set(1, 'n', BigInt(ATTENTION_SMALL.maxKeys + 1));
    const other = copyTable(input);
    other.set(1, 'n', input.get(0, 'n') - 1n);
    const lines = await driverInputCheck(h, [
      { name: 'valid', t: input, rows: input.count },
      { name: 'n above maxKeys', t: big, rows: input.count },
      { name: 'n differs', t: other, rows: input.count },
    ]);
    expect(lines[0]).toMatch(/^valid: bad=0 err=0 writes=[1-9]/);
    expect(lines[1]).toBe('n above maxKeys: bad=2 err=0x8000000 writes=0 stats.error=0x8000000');
    expect(lines[2]).toBe('n differs: bad=2 err=0x8000000 writes=0 stats.error=0x8000000');
  });
});

describe('firesim driver: buffers the 32-bit DMA cannot reach', () => {
  it('kvhdl_<unit>_run refuses a buffer that does not lie below 4 GiB (ERR_ADDR, no START) instead of truncating its address', async () => {
    const h = pkg('minmax', { lanes: 2, width: 8 });
    // The driver with its bare-metal address mapping and stub registers: DONE reads 1, hw_id matches.
    const r = await compileAndRunC({ program: 'addr.c', unit: 'minmax', mmio: 'extern', testDir: h.testDir, dir: tmp() });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout.trim().split('\n')).toEqual([
      'low err=0 starts=1 src_writes=1 name=-',
      'src_above err=0x10000000 starts=0 src_writes=0 name=ADDR',
      'src_crosses err=0x10000000 starts=0 src_writes=0 name=ADDR',
      'src_ends_at_4g err=0 starts=1 src_writes=1 name=-',
      'dst_above err=0x10000000 starts=0 src_writes=0 name=ADDR',
    ]);
  });
});

describe('kvhdl handoff firesim (CLI)', () => {
  async function run(argv: string[]): Promise<{ code: number; out: string }> {
    const lines: string[] = [];
    const spy = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void lines.push(a.join(' ')));
    try {
      return { code: await handoffCommand.run(argv), out: lines.join('\n') };
    } finally {
      spy.mockRestore();
    }
  }

  /** The UsageError message of a failing `kvhdl handoff` call. */
  async function err(argv: string[]): Promise<string> {
    const e = await run(argv).then(
      () => undefined,
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(UsageError);
    return (e as Error).message;
  }

  it('writes the package where --out says, with the config file', async () => {
    const dir = tmp();
    const cfg = path.join(dir, 'c.json');
    writeFileSync(cfg, JSON.stringify({ lanes: 4, width: 12 }));
    const out = path.join(dir, 'pkg');
    const r = await run(['firesim', 'minmax', '--config', cfg, '--out', out]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^minmax: kvhdl_minmax_[0-9a-f]{8}_shell \(5 modules in one file, 12 files\) -> /);
    const manifest = JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8')) as { config: unknown; top: string };
    expect(manifest.config).toEqual({ lanes: 4, width: 12, pipeline: 'balanced', stages: 1 });
    expect(readFileSync(path.join(out, 'docs', 'minmax.md'), 'utf8')).toBe(readFileSync('gen/minmax/README.md', 'utf8'));
    for (const f of ['README.md', `vsrc/${manifest.top}.v`, 'scala/KvhdlMinmax.scala', 'scala/KvhdlMinmaxConfigs.scala', 'tests/kvhdl_minmax.c', 'tests/kvhdl_minmax.h', 'tests/kvhdl_minmax_regs.h', 'tests/kvhdl_minmax_data.h', 'firesim/TARGET_CONFIG', 'firesim/config_build_recipes.yaml']) {
      expect(existsSync(path.join(out, f)), f).toBe(true);
    }
    expect((await run(['firesim', '--help'])).out).toMatch(/^usage: kvhdl handoff firesim <unit>/);
  });

  it('usage errors: unknown unit, bad seed, missing unit', async () => {
    expect(await err(['firesim', 'nope'])).toMatch(/^unknown unit 'nope' \(units: minmax, /);
    expect(await err(['firesim', 'minmax', '--seed', 'x'])).toBe(`--seed: expected a non-negative integer up to 2^53-1, got 'x'`);
    for (const bad of ['', '1e300', '-1', '1.5', '9007199254740992']) expect(await err(['firesim', 'minmax', '--seed', bad])).toMatch(/^--seed: expected a non-negative integer/);
    expect(await err(['firesim'])).toBe('expected 1 argument(s), got 0');
  });

  it('never deletes or overwrites a file it did not write (output/README.md)', async () => {
    const refusal = async (argv: string[]) => {
      const e = await run(argv).then(() => undefined, (x: unknown) => x);
      expect(e).toBeInstanceOf(OutputError);
      return (e as Error).message;
    };
    // A Chipyard checkout's own files are never touched; its README.md is in the way: refused, nothing written.
    const chipyard = tmp();
    mkdirSync(path.join(chipyard, 'tests'));
    writeFileSync(path.join(chipyard, 'tests', 'gcd.c'), 'int main(void) { return 0; }\n');
    writeFileSync(path.join(chipyard, 'README.md'), '# Chipyard\n');
    expect(await refusal(['firesim', 'minmax', '--out', chipyard])).toMatch(/^refusing to overwrite .*README\.md: kvhdl did not write it/);
    expect(readFileSync(path.join(chipyard, 'tests', 'gcd.c'), 'utf8')).toContain('main');
    expect(readFileSync(path.join(chipyard, 'README.md'), 'utf8')).toBe('# Chipyard\n');
    expect(existsSync(path.join(chipyard, 'vsrc'))).toBe(false);
    // A file where the directory should be.
    const file = path.join(tmp(), 'f');
    writeFileSync(file, 'x');
    expect(await refusal(['firesim', 'minmax', '--out', file])).toBe(`--out ${file}: is not a directory`);
    expect(await refusal(['firesim', 'minmax', '--out', path.join(file, 'sub')])).toBe(`--out ${file}: is not a directory`);
    // An earlier package is replaced: its unedited files that the new one lacks go, a user's added file stays.
    const out = tmp();
    expect((await run(['firesim', 'minmax', '--out', out])).code).toBe(0);
    writeFileSync(path.join(out, 'tests', 'mine.c'), 'int mine;\n');
    expect((await run(['firesim', 'dequantizer', '--out', out])).code).toBe(0);
    expect(readFileSync(path.join(out, 'tests', 'mine.c'), 'utf8')).toBe('int mine;\n');
    expect(existsSync(path.join(out, 'tests', 'kvhdl_minmax.c'))).toBe(false);
    expect(existsSync(path.join(out, 'tests', 'kvhdl_dequantizer.c'))).toBe(true);
  });
});

// npm run regress: more configurations (multi-word and 20-word records, per-channel, bf16, 4-bit codes, the selector's cores, earlyexit memory words of 1 to 5 bus words) and seeds.
const REGRESS: { unit: string; config: Record<string, unknown> }[] = [
  { unit: 'minmax', config: { lanes: 12, width: 16, stages: 2 } },
  { unit: 'dequantizer', config: { bits: 8, lanes: 4, format: 'bf16' } },
  { unit: 'quantizer', config: { mode: 'per-channel', residual: 32, groupSize: 32, channels: 64, lanes: 8 } },
  { unit: 'quantizer', config: { format: 'bf16', bits: 4, lanes: 16, channels: 64, groupSize: 16, residual: 8 } },
  { unit: 'minmax', config: { lanes: 40, width: 32 } }, // 20-word input records
  { unit: 'selector', config: { mode: 'topk', arch: 'insertion', k: 8 } },
  { unit: 'selector', config: { mode: 'topk', arch: 'radix', k: 5, lanes: 3, outLanes: 2 } },
  { unit: 'selector', config: { mode: 'threshold', capK: 6, capPolicy: 'last', lanes: 8, outLanes: 8, maxRow: 128 } },
  { unit: 'selector', config: { mode: 'threshold', capK: 3, capPolicy: 'first', lanes: 2, outLanes: 1, scoreBits: 32 } },
  { unit: 'earlyexit', config: { dims: 128, keyBits: 8, dimsPerCycle: 32, keyLanes: 8 } }, // 17-word query records, C = 4
  { unit: 'earlyexit', config: { dims: 300, queryBits: 4, keyBits: 2, keySigned: false, keyLanes: 2 } }, // 300-bit memory words (stride 8)
  { unit: 'earlyexit', config: { dims: 7, keyBits: 3, keyLanes: 1, earlyExit: false } },
];

if (process.env.KVHDL_REGRESS) describe('firesim regress', () => {
  it.each(REGRESS)('$unit $config: lint, bare-metal test over 6 seeds, fault test, Scala check', async ({ unit, config }) => {
    const h = pkg(unit, config);
    expect(checkScala(h.design, h.files[`scala/${scalaNames(h.design).cls}.scala`], readFileSync(h.verilogFile, 'utf8'))).toEqual([]);
    const one = await verilatorLint([h.verilogFile], h.design.top, { extraArgs: ['-Wno-DECLFILENAME'] });
    expect(one.warnings).toEqual([]);
    const b = await buildHarness(harnessInput(h, tmp()));
    for (let seed = 11; seed < 17; seed++) {
      const r = await runHarness(b.exe, { seed });
      expect(r.exitCode, `${r.stdout}\n${r.stderr}`).toBe(0);
      expect(r.stdout).toContain('PASS');
      expect(r.violations).toBe(0);
    }
    const f = await runHarness(b.exe, { seed: 3, faults: true });
    expect(f.exitCode, `${f.stdout}\n${f.stderr}`).toBe(0);
    expect(f.stdout).toContain('faults: PASS');
  }, 600_000);
});
