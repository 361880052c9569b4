import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { minmaxUnit } from '../../gen/minmax/index.ts';
import { ConfigError, parseConfig } from '../../gen/config.ts';
import { writeFusesocHandoff, type FusesocHandoff } from '../../fpga/handoff/index.ts';
import { findTopWrapper } from '../../fpga/handoff/wrappers.ts';
import { iverilogCheck, verilatorLint } from '../../toolchain/lint.ts';

const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'kvhdl-fusesoc-'));
const cfg = parseConfig(minmaxUnit, { lanes: 8, width: 8, stages: 2 });
const TOP = 'kv_minmax_p8_w8_s2';
const PART = 'xczu9eg-ffvb1156-2-e';

// The subset of CAPI2 that the generated .core files use (https://fusesoc.readthedocs.io, CAPI2
// reference): strict objects, so a misspelt key fails the test.
const fileset = z.strictObject({ files: z.array(z.string().min(1)).min(1), file_type: z.enum(['verilogSource', 'xdc']) });
const target = z.strictObject({
  description: z.string().optional(),
  default_tool: z.enum(['verilator', 'icarus', 'vivado']).optional(),
  filesets: z.array(z.string()).min(1),
  toplevel: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/),
  tools: z
    .strictObject({
      verilator: z.strictObject({ mode: z.enum(['lint-only', 'cc', 'sc']), verilator_options: z.array(z.string()).optional() }).optional(),
      icarus: z.strictObject({ iverilog_options: z.array(z.string()).optional() }).optional(),
      vivado: z.strictObject({ part: z.string(), pnr: z.enum(['vivado', 'none']).optional() }).optional(),
    })
    .optional(),
});
const coreSchema = z.strictObject({
  'CAPI=2': z.null(),
  name: z.string().regex(/^[^:\s]+:[^:\s]+:[^:\s]+:\d+\.\d+\.\d+$/),
  description: z.string().min(1),
  filesets: z.record(z.string(), fileset),
  targets: z
    .strictObject({ default: target, lint: target, sim: target, synth: target.optional() })
    .refine((t) => t.lint.default_tool === 'verilator' && t.lint.tools?.verilator?.mode === 'lint-only', 'lint: verilator lint-only')
    .refine((t) => t.sim.default_tool === 'icarus', 'sim: icarus')
    .refine((t) => !t.synth || (t.synth.default_tool === 'vivado' && !!t.synth.tools?.vivado?.part), 'synth: vivado with a part'),
});
type Core = z.infer<typeof coreSchema>;

function readCore(p: FusesocHandoff): Core {
  const text = readFileSync(p.core, 'utf8');
  expect(text.split('\n')[0]).toBe('CAPI=2:');
  const r = coreSchema.safeParse(parseYaml(text));
  if (!r.success) throw new Error(`${p.core} does not fit the CAPI2 schema:\n${z.prettifyError(r.error)}`);
  // every fileset a target names exists, and every file a fileset lists exists next to the .core
  for (const [name, t] of Object.entries(r.data.targets)) {
    for (const fs of t?.filesets ?? []) expect(r.data.filesets, `target ${name}`).toHaveProperty(fs);
  }
  for (const fs of Object.values(r.data.filesets)) for (const f of fs.files) expect(existsSync(path.join(p.dir, f)), f).toBe(true);
  return r.data;
}

/** The files of a target's verilogSource filesets, resolved next to the .core (as FuseSoC does). */
function targetFiles(p: FusesocHandoff, core: Core, target: 'lint' | 'sim'): string[] {
  return core.targets[target].filesets.flatMap((n) => (core.filesets[n].file_type === 'verilogSource' ? core.filesets[n].files.map((f) => path.join(p.dir, f)) : []));
}

describe('kvhdl handoff fusesoc', () => {
  it('writes a CAPI2 core with the Verilog fileset and lint/sim/synth targets', () => {
    const p = writeFusesocHandoff({ unit: minmaxUnit, config: cfg, out: tmp(), part: PART, clockMhz: 200 });
    expect(p.vlnv).toBe(`kvhdl:kv:${TOP}:0.1.0`);
    expect(path.basename(p.core)).toBe(`${TOP}.core`);
    const core = readCore(p);
    expect(core.name).toBe(p.vlnv);
    expect(core.filesets.rtl).toEqual({ files: ['rtl/kv_skid_w65.v', `rtl/${TOP}.v`], file_type: 'verilogSource' });
    expect(core.filesets.constraints).toEqual({ files: [`${TOP}.xdc`], file_type: 'xdc' });
    expect(core.targets.lint).toMatchObject({ default_tool: 'verilator', filesets: ['rtl'], toplevel: TOP, tools: { verilator: { mode: 'lint-only', verilator_options: ['-Wall'] } } });
    expect(core.targets.sim).toMatchObject({ default_tool: 'icarus', filesets: ['rtl'], toplevel: TOP });
    expect(core.targets.synth).toMatchObject({ default_tool: 'vivado', filesets: ['rtl', 'constraints'], toplevel: TOP, tools: { vivado: { part: PART, pnr: 'none' } } });
    expect(readFileSync(path.join(p.dir, `${TOP}.xdc`), 'utf8')).toContain('create_clock -period 5 -name clock [get_ports clock]');
    const md = readFileSync(p.readme, 'utf8');
    expect(md).toContain(`fusesoc --cores-root . run --target=lint ${p.vlnv}`);
    expect(md).toContain(`fusesoc --cores-root . run --target=synth ${p.vlnv}`);
    expect(md).toMatch(/\| `out_max` \| out \| 8 \| signed \|/);
  });

  it('without --part there is no synth target and no constraints', () => {
    const p = writeFusesocHandoff({ unit: minmaxUnit, config: cfg, out: tmp() });
    const core = readCore(p);
    expect(Object.keys(core.targets)).toEqual(['default', 'lint', 'sim']);
    expect(Object.keys(core.filesets)).toEqual(['rtl']);
    expect(readdirSync(p.dir).sort()).toEqual(['.kvhdl-written.json', 'README.md', `${TOP}.core`, 'manifest.json', 'rtl']);
    expect(readFileSync(p.readme, 'utf8')).toContain('# no synth target: regenerate with --part');
  });

  it('the lint target is complete: verilator --lint-only -Wall on exactly its files is clean; icarus elaborates the sim target', async () => {
    const p = writeFusesocHandoff({ unit: minmaxUnit, config: cfg, out: tmp(), part: PART });
    const core = readCore(p);
    const lint = await verilatorLint(targetFiles(p, core, 'lint'), core.targets.lint.toplevel, { extraArgs: core.targets.lint.tools?.verilator?.verilator_options?.filter((o) => o !== '-Wall') });
    expect(lint.warnings).toEqual([]);
    expect(lint.ok).toBe(true);
    const sim = await iverilogCheck(targetFiles(p, core, 'sim'), core.targets.sim.toplevel);
    expect(sim.messages).toEqual([]);
    expect(sim.ok).toBe(true);
  });

  it('a fileset that misses a module fails that lint (the check has teeth)', async () => {
    const p = writeFusesocHandoff({ unit: minmaxUnit, config: cfg, out: tmp() });
    writeFileSync(p.core, readFileSync(p.core, 'utf8').replace('      - rtl/kv_skid_w65.v\n', ''));
    const core = readCore(p);
    expect(core.filesets.rtl.files).toEqual([`rtl/${TOP}.v`]);
    const lint = await verilatorLint(targetFiles(p, core, 'lint'), core.targets.lint.toplevel);
    expect(lint.ok).toBe(false);
    expect(lint.warnings.join('\n')).toMatch(/kv_skid_w65/);
  });

  it('packages the AXI4-Stream wrapper top, lint-clean', async () => {
    const p = writeFusesocHandoff({ unit: minmaxUnit, config: cfg, out: tmp(), wrap: findTopWrapper('axis') });
    const core = readCore(p);
    expect(core.name).toBe(`kvhdl:kv:${TOP}_axis:0.1.0`);
    expect(core.targets.lint.toplevel).toBe(`${TOP}_axis`);
    const lint = await verilatorLint(targetFiles(p, core, 'lint'), core.targets.lint.toplevel);
    expect(lint.warnings).toEqual([]);
  });

  it('regenerating into the same directory leaves no stale .core, .xdc or .v behind', () => {
    const out = tmp();
    writeFusesocHandoff({ unit: minmaxUnit, config: cfg, out, part: PART, clockMhz: 100 });
    writeFusesocHandoff({ unit: minmaxUnit, config: parseConfig(minmaxUnit, { lanes: 2 }), out });
    expect(readdirSync(out).sort()).toEqual(['.kvhdl-written.json', 'README.md', 'kv_minmax_p2_w16_s1.core', 'manifest.json', 'rtl']);
    expect(readdirSync(path.join(out, 'rtl')).sort()).toEqual(['kv_minmax_p2_w16_s1.v', 'kv_skid_w33.v']);
  });

  it('rejects a bad part or clock with a ConfigError', () => {
    expect(() => writeFusesocHandoff({ unit: minmaxUnit, config: cfg, out: tmp(), part: 'artix7' })).toThrow(ConfigError);
    expect(() => writeFusesocHandoff({ unit: minmaxUnit, config: cfg, out: tmp(), part: PART, clockMhz: -1 })).toThrow(/positive number of MHz/);
  });
});
