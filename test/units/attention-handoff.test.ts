/**
 * `kvhdl handoff vivado|fusesoc|firesim attention` end to end through the bin script, for the small
 * reference configuration of `kvhdl report` (threshold selection, and selection none): the Vivado
 * package's scripts pass the Vivado stubs and list every module; the FuseSoC core's lint target is
 * clean in verilator -Wall and its sim target elaborates in Icarus; the AXI4-Stream wrapper carries
 * the cache memory port; the FireSim package holds the cache image of README §6 for its test rows.
 * With valueQuant "nuq": the Vivado package (stubs) and the FireSim package's seven-region image,
 * its text and its value_quant register.
 * (The FireSim shell itself, with the driver and bare-metal test against the Verilated shell, is
 * test/fpga/firesim.test.ts's 'attention' case.)
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execa } from 'execa';
import { parse as parseYaml } from 'yaml';
import { requireTclsh, runWithStubs } from '../fixtures/vivado-stubs/run-stubs.ts';
import { needTools } from '../helpers/tools.ts';
import { iverilogCheck, verilatorLint } from '../../toolchain/lint.ts';
import { attentionConfig } from '../../gen/attention/config.ts';
import { parseImage, regionMap } from '../../gen/attention/layout.ts';
import { FORMATS } from '../../hdl/lib/float/format.ts';
import { findUnit } from '../../gen/registry.ts';
import { writeFiresimHandoff } from '../../fpga/firesim/package.ts';
import { buildHarness, harnessInput, runHarness } from '../../fpga/firesim/harness.ts';
import { fpToNumber } from '../../hdl/lib/float/golden/index.ts';

needTools('tclsh');
beforeAll(requireTclsh);

const bin = path.resolve('bin/kvhdl.js');
const kvhdl = (args: string[]) => execa('node', [bin, ...args], { reject: false, timeout: 300_000 });

const SMALL = { dims: 32, maxKeys: 64, groupSize: 8, residual: 16, k: 8, rowBuckets: [64] };
const TOP = 'kv_attention_fp16_d32_w32_b4_v4_g8_r16_n64_sthreshold_e1_k8_q20_f16_sk1';
const PART = 'xc7a35tcpg236-1';

function configFile(cfg: Record<string, unknown>): { dir: string; file: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kvhdl-attn-handoff-'));
  const file = path.join(dir, 'cfg.json');
  writeFileSync(file, JSON.stringify(cfg));
  return { dir, file };
}

interface CoreTarget {
  filesets: string[];
  toplevel: string;
}

describe('kvhdl handoff vivado|fusesoc|firesim attention', () => {
  it('vivado: one file per module (the engine and the modules it instances), the XDC clock, scripts that pass the Vivado stubs', async () => {
    const { dir, file } = configFile(SMALL);
    const out = path.join(dir, 'viv');
    const r = await kvhdl(['handoff', 'vivado', 'attention', '--config', file, '--part', PART, '--clock-mhz', '100', '--out', out]);
    expect(r.exitCode, r.stderr).toBe(0);
    const rtl = readdirSync(path.join(out, 'rtl')).sort();
    expect(r.stdout).toContain(`attention: ${TOP} (${rtl.length} modules, ${PART}, 100 MHz)`);
    expect(rtl).toContain(`${TOP}.v`);
    expect(rtl.filter((f) => f.startsWith('kv_fifo_')).length).toBeGreaterThan(0);
    // every module the engine instances has its file
    const engine = readFileSync(path.join(out, 'rtl', `${TOP}.v`), 'utf8');
    for (const m of engine.matchAll(/^\s+(kv_\w+)\s+\w+\s*\(/gm)) expect(rtl).toContain(`${m[1]}.v`);
    const build = readFileSync(path.join(out, 'build.tcl'), 'utf8');
    for (const f of rtl) expect(build).toContain(`rtl ${f}]`);
    expect(build).toContain(`set top ${TOP}`);
    expect(readFileSync(path.join(out, `${TOP}.xdc`), 'utf8')).toContain('create_clock -period 10 -name clock [get_ports clock]');
    // the package README lists the engine's streams, the memory port among them
    const md = readFileSync(path.join(out, 'README.md'), 'utf8');
    for (const p of ['query_q', 'mem_req_addr', 'mem_resp_data', 'key_score', 'out_value', 'row_words']) expect(md).toContain(p);
    for (const s of ['build.tcl', 'package_ip.tcl']) {
      const stub = await runWithStubs(path.join(out, s));
      expect(stub.stderr, s).toBe('');
      expect(stub.exitCode, s).toBe(0);
    }
  }, 120_000);

  it('vivado --top-wrapper axis: the wrapper carries the cache memory port as m_axis_mem_req / s_axis_mem_resp', async () => {
    const { dir, file } = configFile(SMALL);
    const out = path.join(dir, 'axis');
    const r = await kvhdl(['handoff', 'vivado', 'attention', '--config', file, '--part', PART, '--clock-mhz', '100', '--top-wrapper', 'axis', '--out', out]);
    expect(r.exitCode, r.stderr).toBe(0);
    const top = readFileSync(path.join(out, 'rtl', `${TOP}_axis.v`), 'utf8');
    expect(top).toMatch(/output wire m_axis_mem_req_tvalid/);
    expect(top).toMatch(/input {2}wire \[31:0\] s_axis_mem_resp_tdata/);
    expect(top).toMatch(/input {2}wire s_axis_query_tvalid/);
  }, 120_000);

  it('fusesoc (selection none): the lint target is clean in verilator -Wall, the sim target elaborates in Icarus', async () => {
    const { dir, file } = configFile({ ...SMALL, selection: 'none' });
    const out = path.join(dir, 'fs');
    const r = await kvhdl(['handoff', 'fusesoc', 'attention', '--config', file, '--out', out, '--part', PART]);
    expect(r.exitCode, r.stderr).toBe(0);
    const top = TOP.replace('sthreshold', 'snone');
    const core = parseYaml(readFileSync(path.join(out, `${top}.core`), 'utf8')) as {
      name: string;
      filesets: Record<string, { files: string[]; file_type: string }>;
      targets: Record<'lint' | 'sim' | 'synth', CoreTarget & { tools?: { verilator?: { verilator_options?: string[] } } }>;
    };
    expect(core.name).toBe(`kvhdl:kv:${top}:0.1.0`);
    const files = (t: CoreTarget) => t.filesets.flatMap((n) => (core.filesets[n].file_type === 'verilogSource' ? core.filesets[n].files.map((f) => path.join(out, f)) : []));
    // every module of the design is in the fileset
    expect(files(core.targets.lint).map((f) => path.basename(f)).sort()).toEqual(readdirSync(path.join(out, 'rtl')).sort());
    expect(core.targets.synth.toplevel).toBe(top);
    const lint = await verilatorLint(files(core.targets.lint), core.targets.lint.toplevel, { extraArgs: core.targets.lint.tools?.verilator?.verilator_options?.filter((o) => o !== '-Wall') });
    expect(lint.warnings).toEqual([]);
    expect(lint.ok).toBe(true);
    const sim = await iverilogCheck(files(core.targets.sim), core.targets.sim.toplevel);
    expect(sim.messages).toEqual([]);
    expect(sim.ok).toBe(true);
  }, 180_000);

  it('firesim: the package holds the cache image of its test rows (README §6) and documents the input rules', async () => {
    const { dir, file } = configFile(SMALL);
    const out = path.join(dir, 'fire');
    const r = await kvhdl(['handoff', 'firesim', 'attention', '--config', file, '--out', out]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^attention: kvhdl_attention_[0-9a-f]{8}_shell \(\d+ modules in one file, 12 files\)/);
    const data = readFileSync(path.join(out, 'tests', 'kvhdl_attention_data.h'), 'utf8');
    const rows = Number(/#define KVHDL_ATTENTION_TEST_ROWS (\d+)u/.exec(data)![1]);
    const keys = Number(/#define KVHDL_ATTENTION_TEST_KEY_RECORDS (\d+)u/.exec(data)![1]);
    const memLen = Number(/#define KVHDL_ATTENTION_TEST_MEM_LEN (\d+)u/.exec(data)![1]);
    expect(rows).toBe(2);
    expect(keys % rows).toBe(0);
    // the image is exactly the §6 image of n = keys / rows tokens
    expect(memLen).toBe(regionMap(attentionConfig(SMALL), keys / rows).total);
    expect(Number(/#define KVHDL_ATTENTION_TEST_OUT_RECORDS (\d+)u/.exec(data)![1])).toBe(rows * 32);
    const md = readFileSync(path.join(out, 'README.md'), 'utf8');
    expect(md).toContain('**Every row of a job has the same n**');
    expect(md).toContain('`gen/attention/layout.ts` `buildImage`');
    expect(readFileSync(path.join(out, 'docs', 'attention.md'), 'utf8')).toBe(readFileSync('gen/attention/README.md', 'utf8'));
    const regs = readFileSync(path.join(out, 'tests', 'kvhdl_attention_regs.h'), 'utf8');
    for (const p of ['PARAM_DIMS', 'PARAM_KEY_BITS', 'PARAM_VALUE_BITS', 'PARAM_SELECTION', 'PARAM_MAX_KEYS']) expect(regs).toContain(p);
  }, 120_000);

  it('valueQuant "nuq": the Vivado package passes the stubs; the FireSim package holds the seven-region image (token records, codebook) and says so', async () => {
    const NUQ = { ...SMALL, valueQuant: 'nuq' as const, valueTrimMax: 1 };
    const { dir, file } = configFile(NUQ);
    const viv = await kvhdl(['handoff', 'vivado', 'attention', '--config', file, '--part', PART, '--clock-mhz', '100', '--out', path.join(dir, 'viv')]);
    expect(viv.exitCode, viv.stderr).toBe(0);
    expect(viv.stdout).toContain(`attention: ${TOP}_nuq1 (`);
    const stub = await runWithStubs(path.join(dir, 'viv', 'build.tcl'));
    expect(stub.stderr, 'build.tcl').toBe('');
    expect(stub.exitCode).toBe(0);
    const out = path.join(dir, 'fire');
    const r = await kvhdl(['handoff', 'firesim', 'attention', '--config', file, '--out', out]);
    expect(r.exitCode, r.stderr).toBe(0);
    const data = readFileSync(path.join(out, 'tests', 'kvhdl_attention_data.h'), 'utf8');
    const rows = Number(/#define KVHDL_ATTENTION_TEST_ROWS (\d+)u/.exec(data)![1]);
    const n = Number(/#define KVHDL_ATTENTION_TEST_KEY_RECORDS (\d+)u/.exec(data)![1]) / rows;
    const cfg = attentionConfig(NUQ);
    const m = regionMap(cfg, n);
    expect(m.size.valueCodebook).toBe(8); // 16 fp16 centroids in 32-bit words
    const mem = /kvhdl_attention_test_mem\[\][^{]*\{([^}]*)\}/.exec(data)![1].match(/0x[0-9a-f]+/g)!.map((w) => BigInt(w));
    expect(Number(/#define KVHDL_ATTENTION_TEST_MEM_LEN (\d+)u/.exec(data)![1])).toBe(m.total);
    expect(mem.length).toBe(m.total);
    // the image parses back as §6's NUQ image: ascending centroids, token records with outliers in their slots
    const img = parseImage(cfg, mem, n);
    const cent = img.nuq!.cent.map((c) => fpToNumber(FORMATS.fp16, c));
    expect(cent.length).toBe(16);
    expect(cent.every((c, i) => i === 0 || c > cent[i - 1])).toBe(true);
    expect(img.nuq!.outliers.length).toBe(n - 16);
    expect(img.nuq!.outliers.some((o) => o.length > 0)).toBe(true);
    expect(img.nuq!.outliers.every((o) => o.length <= 2)).toBe(true);
    const md = readFileSync(path.join(out, 'README.md'), 'utf8');
    expect(md).toContain('**seven regions** (valueQuant "nuq", valueTrimMax 1)');
    expect(md).toContain('valueScaleMin holds one 3-word record per such token');
    expect(md).toContain('1 + valueTrimMax NUQ (here 2)');
    expect(md).not.toContain('six regions');
    expect(readFileSync(path.join(out, 'tests', 'kvhdl_attention_regs.h'), 'utf8')).toContain('PARAM_VALUE_QUANT');
    // the same package in process: its driver and bare-metal test pass against the Verilated shell (random AXI latency and stalls)
    const u = findUnit('attention')!;
    const h = writeFiresimHandoff({ unit: u, config: u.schema.parse(NUQ), out: path.join(dir, 'fire2') });
    expect(h.files['tests/kvhdl_attention_data.h']).toBe(data);
    const b = await buildHarness(harnessInput(h, mkdtempSync(path.join(os.tmpdir(), 'kvhdl-attn-nuq-harness-'))));
    const run = await runHarness(b.exe, { seed: 7 });
    expect(run.exitCode, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(run.stderr, run.stdout).toContain(' 0 protocol violations');
    expect(run.stdout).toContain('attention: PASS, results match kvhdl\'s golden model');
    expect(Number(/(\d+) words read/.exec(run.stdout)![1])).toBe(h.job.inputWords.length + h.job.memReads);
  }, 180_000);
});
