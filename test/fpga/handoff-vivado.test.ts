import { beforeAll, describe, expect, it } from 'vitest';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { minmaxUnit } from '../../gen/minmax/index.ts';
import { ConfigError, parseConfig } from '../../gen/config.ts';
import { XILINX_PART_RE, partProblem, periodNs, writeVivadoHandoff, type VivadoHandoff } from '../../fpga/handoff/index.ts';
import { findTopWrapper } from '../../fpga/handoff/wrappers.ts';
import { ModuleBuilder, type Module } from '../../hdl/index.ts';
import { axilRegfile } from '../../fpga/axi/axil-regfile.ts';
import { requireTclsh, runWithStubs } from '../fixtures/vivado-stubs/run-stubs.ts';
import { needTools } from '../helpers/tools.ts';

needTools('tclsh');

const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'kvhdl-handoff-'));
const cfg = parseConfig(minmaxUnit, { lanes: 4, width: 12 });
const TOP = 'kv_minmax_p4_w12_s1';
const PART = 'xc7a35tcpg236-1';

function pkg(opts: { clockMhz?: number; part?: string; wrapper?: string; out?: string; wrap?: (m: Module) => Module } = {}): VivadoHandoff {
  return writeVivadoHandoff({
    unit: minmaxUnit,
    config: cfg,
    part: opts.part ?? PART,
    clockMhz: opts.clockMhz ?? 300,
    out: opts.out ?? tmp(),
    wrap: opts.wrap ?? findTopWrapper(opts.wrapper),
    wrapperName: opts.wrapper,
  });
}

const names = (calls: string[][]) => calls.map((c) => c[0]);

beforeAll(requireTclsh);

describe('kvhdl handoff vivado: package contents', () => {
  it('writes one Verilog file per module, the XDC, both scripts, a README and the manifest', () => {
    const p = pkg();
    expect(readdirSync(p.dir).sort()).toEqual(['.kvhdl-written.json', 'README.md', 'build.tcl', `${TOP}.xdc`, 'manifest.json', 'package_ip.tcl', 'rtl']);
    expect(readdirSync(path.join(p.dir, 'rtl')).sort()).toEqual([`${TOP}.v`, 'kv_skid_w49.v']);
    expect(p.verilog.map((f) => path.basename(f))).toEqual(['kv_skid_w49.v', `${TOP}.v`]);
    for (const f of p.verilog) {
      const v = readFileSync(f, 'utf8');
      expect(v).not.toMatch(/`include/);
      expect(v.match(/^module /gm)).toHaveLength(1);
    }
    const manifest = JSON.parse(readFileSync(p.manifest, 'utf8'));
    expect(manifest.units).toEqual([{ unit: 'minmax', top: TOP, config: cfg }]);
    expect(manifest.modules.map((m: { file: string }) => m.file)).toEqual(['rtl/kv_skid_w49.v', `rtl/${TOP}.v`]);
  });

  it('the XDC only creates the clock (out of context: no pins, no I/O standards)', () => {
    const p = pkg({ clockMhz: 300 });
    const xdc = readFileSync(p.xdc, 'utf8');
    const commands = xdc.split('\n').filter((l) => l.trim() && !l.startsWith('#'));
    expect(commands).toEqual(['create_clock -period 3.333 -name clock [get_ports clock]']);
    expect(xdc).not.toMatch(/PACKAGE_PIN|IOSTANDARD|set_input_delay|set_output_delay/);
    expect(periodNs(250)).toBe('4');
    expect(periodNs(312.5)).toBe('3.2');
    expect(periodNs(100)).toBe('10');
  });

  it('the README says how to run it, what each file is, and lists the ports', () => {
    const p = pkg();
    const md = readFileSync(p.readme, 'utf8');
    expect(md).toContain('vivado -mode batch -source build.tcl');
    expect(md).toContain('vivado -mode batch -source package_ip.tcl');
    for (const f of ['rtl/kv_skid_w49.v', `rtl/${TOP}.v`, `${TOP}.xdc`, 'build.tcl', 'package_ip.tcl', 'manifest.json']) expect(md).toContain(`| \`${f}\``);
    for (const [port, dir, width] of [
      ['clock', 'in', 1],
      ['reset', 'in', 1],
      ['in_data', 'in', 48],
      ['out_min', 'out', 12],
    ]) {
      expect(md).toMatch(new RegExp(`\\| \`${port}\` \\| ${dir} \\| ${width} \\|`));
    }
    expect(md).toMatch(/active-high and synchronous/);
  });

  it('is deterministic: the same inputs give the same bytes', () => {
    const a = pkg();
    const b = pkg();
    for (const f of ['README.md', 'build.tcl', 'package_ip.tcl', `${TOP}.xdc`, 'manifest.json', `rtl/${TOP}.v`]) {
      expect(readFileSync(path.join(b.dir, f), 'utf8'), f).toBe(readFileSync(path.join(a.dir, f), 'utf8'));
    }
  });

  it('rejects a bad part or clock with a ConfigError (exit code 2 from the CLI)', () => {
    for (const part of ['foo', 'xc7a35t', 'ice40-up5k', 'xc7a35tcpg236-1; exec rm', '']) {
      expect(() => pkg({ part }), part).toThrow(ConfigError);
    }
    for (const clockMhz of [0, -100, Number.NaN, Number.POSITIVE_INFINITY, 5000]) {
      expect(() => pkg({ clockMhz }), String(clockMhz)).toThrow(ConfigError);
    }
    expect(() => pkg({ part: 'foo' })).toThrow(/part 'foo' is not a Xilinx part name/);
    expect(() => pkg({ clockMhz: 0 })).toThrow(/must be a positive number of MHz, got 0/);
  });

  it('knows Xilinx part names', () => {
    const good = [
      'xc7a35tcpg236-1',
      'xc7a100tcsg324-1',
      'xc7z020clg400-1',
      'xc7k325tffg900-2',
      'xc7s50csga324-1',
      'xczu9eg-ffvb1156-2-e',
      'xcvu9p-flga2104-2L-e',
      'xcku040-ffva1156-2-e',
      'xcau25p-ffvb676-2-e',
      'xcu250-figd2104-2L-e',
      'xck26-sfvc784-2LV-c',
      'xcvc1902-vsva2197-2MP-e-S',
      'xa7a35tcpg236-2I',
      'xqku040-rfa1156-1-i',
    ];
    for (const p of good) expect(partProblem(p), p).toBeUndefined();
    const bad = ['xc7a35t', 'lfe5u-85f', 'EP4CE22F17C6', '5CSEMA5F31C6', 'xc7a35tcpg236-1 ', '-part', 'xc7a35tcpg236--1'];
    for (const p of bad) expect(XILINX_PART_RE.test(p), p).toBe(false);
  });
});

const BUILD_SEQUENCE = [
  'read_verilog',
  'read_verilog',
  'read_xdc',
  'synth_design',
  'get_ports',
  'create_clock',
  'write_checkpoint',
  'opt_design',
  'place_design',
  'route_design',
  'report_utilization',
  'report_timing_summary',
  'write_checkpoint',
  'get_timing_paths',
  'get_property',
];

describe('kvhdl handoff vivado: build.tcl against the Vivado stubs (tclsh)', () => {
  it('runs the non-project flow in order with the right arguments', async () => {
    const p = pkg({ clockMhz: 250 });
    const r = await runWithStubs(p.buildTcl);
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expect(names(r.calls)).toEqual(BUILD_SEQUENCE);
    expect(r.calls.filter((c) => c[0] === 'read_verilog').map((c) => c[1])).toEqual(p.verilog);
    expect(r.calls.find((c) => c[0] === 'read_xdc')).toEqual(['read_xdc', p.xdc]);
    expect(r.calls.find((c) => c[0] === 'synth_design')).toEqual(['synth_design', '-top', TOP, '-part', PART, '-mode', 'out_of_context']);
    expect(r.calls.find((c) => c[0] === 'create_clock')).toEqual(['create_clock', '-period', '4', '-name', 'clock', 'port:clock']);
    const build = path.join(p.dir, 'build');
    expect(r.calls.find((c) => c[0] === 'report_utilization')).toEqual(['report_utilization', '-file', path.join(build, 'utilization.rpt')]);
    expect(r.calls.find((c) => c[0] === 'report_timing_summary')).toEqual(['report_timing_summary', '-file', path.join(build, 'timing_summary.rpt')]);
    expect(r.calls.at(-3)).toEqual(['write_checkpoint', '-force', path.join(build, `${TOP}_routed.dcp`)]);
    expect(r.calls.at(-1)).toEqual(['get_property', 'SLACK', 'timing_path:worst']);
    expect(r.stdout).toBe(`kvhdl: 250 MHz (4 ns) met on ${PART}: WNS 0.123 ns; reports in ${build}\n`);
    expect(existsSync(build)).toBe(true);
  });

  it('says when timing is not met (and still exits 0 with its reports)', async () => {
    const p = pkg({ clockMhz: 500 });
    const r = await runWithStubs(p.buildTcl, { env: { VIVADO_STUB_SLACK: '-0.412' } });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe(`kvhdl: 500 MHz (2 ns) NOT met on ${PART}: WNS -0.412 ns; reports in ${path.join(p.dir, 'build')}\n`);
  });

  it('finds its files relative to itself: a moved package runs from any directory', async () => {
    const p = pkg();
    const moved = path.join(tmp(), 'else where');
    cpSync(p.dir, moved, { recursive: true });
    const r = await runWithStubs(path.join(moved, 'build.tcl'), { cwd: os.tmpdir() });
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expect(r.calls.filter((c) => c[0] === 'read_verilog').map((c) => c[1])).toEqual(p.verilog.map((f) => `{${path.join(moved, 'rtl', path.basename(f))}}`));
    const ip = await runWithStubs(path.join(moved, 'package_ip.tcl'), { cwd: os.tmpdir() });
    expect(ip.stderr).toBe('');
    expect(ip.exitCode).toBe(0);
  });

  // Each mutation breaks build.tcl (or its XDC) the way a generator bug would; the stubs must fail.
  const mutations: [string, (p: VivadoHandoff) => void, RegExp][] = [
    ['-part missing', (p) => edit(p.buildTcl, ' -part $part', ''), /synth_design: -part is missing/],
    ['a part that is not Xilinx', (p) => edit(p.buildTcl, `set part ${PART}`, 'set part ice40up5k'), /-part 'ice40up5k' is not a Xilinx part name/],
    ['a file that does not exist', (p) => edit(p.buildTcl, 'rtl kv_skid_w49.v', 'rtl kv_skid_w50.v'), /read_verilog: file '.*kv_skid_w50\.v' does not exist/],
    ['a child module not read', (p) => edit(p.buildTcl, /read_verilog \[list \[file join \$here rtl kv_skid_w49\.v\]\]\n/, ''), /module 'kv_skid_w49' \(instance 'in_skid' in 'kv_minmax_p4_w12_s1'\) is not defined/],
    ['a top that is not in the Verilog', (p) => edit(p.buildTcl, `set top ${TOP}`, 'set top kv_minmax'), /top module 'kv_minmax' is not defined in any file read/],
    ['the XDC names a port that does not exist', (p) => edit(p.xdc, '[get_ports clock]', '[get_ports clk]'), /get_ports: no port matches 'clk'/],
    ['the XDC places a pin', (p) => edit(p.xdc, /$/, 'set_property PACKAGE_PIN W5 [get_ports clock]\n'), /PACKAGE_PIN on clock: an out-of-context hand-off must not assume pins/],
    ['a clock without a period', (p) => edit(p.xdc, '-period 3.333 ', ''), /create_clock: -period is missing/],
    ['the XDC file missing', (p) => edit(p.buildTcl, `${TOP}.xdc]`, 'pins.xdc]'), /read_xdc: file '.*pins\.xdc' does not exist/],
    ['place before opt', (p) => edit(p.buildTcl, 'opt_design\nplace_design', 'place_design\nopt_design'), /place_design: needs a design at stage 'opt'/],
    ['a report to the console', (p) => edit(p.buildTcl, ' -file [file join $out utilization.rpt]', ''), /report_utilization: -file is missing/],
    ['reports into a directory that was never made', (p) => edit(p.buildTcl, 'file mkdir $out\n', ''), /write_checkpoint: directory of '.*build\/post_synth\.dcp' does not exist/],
    ['a mistyped option', (p) => edit(p.buildTcl, '-mode out_of_context', '-mode ooc'), /-mode must be default or out_of_context, got 'ooc'/],
    ['an unknown option', (p) => edit(p.buildTcl, '-mode out_of_context', '-out_of_context'), /synth_design: unknown option '-out_of_context'/],
    ['a command the stubs do not know (project mode)', (p) => edit(p.buildTcl, 'route_design\n', 'launch_runs impl_1\n'), /invalid command name "launch_runs"/],
  ];
  it.each(mutations)('a broken script fails: %s', async (_what, mutate, message) => {
    const p = pkg();
    mutate(p);
    const r = await runWithStubs(p.buildTcl);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/^vivado-stub: /);
    expect(r.stderr).toMatch(message);
  });
});

function edit(file: string, from: string | RegExp, to: string): void {
  const text = readFileSync(file, 'utf8');
  const next = text.replace(from, to);
  if (next === text) throw new Error(`test bug: ${String(from)} not found in ${file}`);
  writeFileSync(file, next);
}

const PACKAGE_SEQUENCE = [
  'create_project',
  'add_files',
  'current_fileset',
  'set_property',
  'update_compile_order',
  'ipx::package_project',
  'ipx::current_core',
  'set_property',
  'set_property',
  'set_property',
  'ipx::infer_bus_interfaces',
  'ipx::infer_bus_interfaces',
];
const PACKAGE_TAIL = [
  'ipx::associate_bus_interfaces',
  'ipx::get_bus_interfaces',
  'ipx::get_bus_parameters',
  'ipx::add_bus_parameter',
  'set_property',
  'ipx::create_xgui_files',
  'ipx::update_checksums',
  'ipx::check_integrity',
  'ipx::save_core',
  'close_project',
];

describe('kvhdl handoff vivado: package_ip.tcl against the Vivado stubs (tclsh)', () => {
  it('packages the bare unit: project, package_project, clock/reset interfaces, ACTIVE_HIGH reset, check, save', async () => {
    const p = pkg();
    const r = await runWithStubs(p.packageIpTcl);
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expect(names(r.calls)).toEqual([...PACKAGE_SEQUENCE, ...PACKAGE_TAIL]);
    const core = `core:kvhdl.org:kv:${TOP}:1.0`;
    expect(r.calls[0]).toEqual(['create_project', '-force', '-part', PART, `${TOP}_ip`, path.join(p.dir, 'ip_project')]);
    expect(r.calls[1]).toEqual(['add_files', '-norecurse', p.verilog.join(' ')]);
    expect(r.calls[3]).toEqual(['set_property', 'top', TOP, 'fileset:sources_1']);
    expect(r.calls[5]).toEqual(['ipx::package_project', '-root_dir', path.join(p.dir, 'ip'), '-vendor', 'kvhdl.org', '-library', 'kv', '-taxonomy', '/UserIP', '-import_files', '-force']);
    expect(r.calls.filter((c) => c[0] === 'ipx::infer_bus_interfaces').map((c) => c[1])).toEqual(['xilinx.com:signal:clock_rtl:1.0', 'xilinx.com:signal:reset_rtl:1.0']);
    expect(r.calls).toContainEqual(['ipx::associate_bus_interfaces', '-clock', 'clock', '-reset', 'reset', core]);
    expect(r.calls).toContainEqual(['set_property', 'value', 'ACTIVE_HIGH', 'busparam:reset/POLARITY']);
  });

  it('packages the AXI4-Stream wrapper top: infers s_axis and m_axis and associates them with the clock', async () => {
    const p = pkg({ wrapper: 'axis' });
    expect(p.design.top).toBe(`${TOP}_axis`);
    expect(p.busInterfaces.map((b) => [b.name, b.kind])).toEqual([
      ['s_axis', 'axis'],
      ['m_axis', 'axis'],
    ]);
    const r = await runWithStubs(p.packageIpTcl);
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    const core = `core:kvhdl.org:kv:${TOP}_axis:1.0`;
    expect(r.calls.filter((c) => c[0] === 'ipx::infer_bus_interfaces').map((c) => c[1])).toEqual([
      'xilinx.com:signal:clock_rtl:1.0',
      'xilinx.com:signal:reset_rtl:1.0',
      'xilinx.com:interface:axis_rtl:1.0',
    ]);
    expect(r.calls.filter((c) => c[0] === 'ipx::associate_bus_interfaces')).toEqual([
      ['ipx::associate_bus_interfaces', '-busif', 's_axis', '-clock', 'clock', core],
      ['ipx::associate_bus_interfaces', '-busif', 'm_axis', '-clock', 'clock', core],
      ['ipx::associate_bus_interfaces', '-clock', 'clock', '-reset', 'reset', core],
    ]);
    const b = await runWithStubs(p.buildTcl);
    expect(b.stderr).toBe('');
    expect(b.calls.find((c) => c[0] === 'synth_design')?.[2]).toBe(`${TOP}_axis`);
    const md = readFileSync(p.readme, 'utf8');
    expect(md).toMatch(/`s_axis` \(AXI4-Stream\), `m_axis` \(AXI4-Stream\)/);
    expect(md).toContain('Top: the bus wrapper `kv_minmax_p4_w12_s1_axis` (`--top-wrapper axis`) around the unit\'s `kv_minmax_p4_w12_s1`.');
    // where each unit field sits in tdata (4 lanes x 12 bits in, {max, min} out)
    expect(md).toContain('`s_axis` (slave, the unit\'s input stream `in`), `tdata` 48 bits:');
    expect(md).toContain('| `in_data` | `[47:0]` |  |');
    expect(md).toContain('| `out_min` | `[11:0]` | signed |\n| `out_max` | `[23:12]` | signed |');
    expect(md).toContain('`s_axis_tlast` is the unit\'s `in_last`.');
    expect(md).toContain('`m_axis_tlast` is always 1');
  });

  it('packages a custom top with an AXI4-Lite slave: infers s_axi as AXI4 memory-mapped', async () => {
    // A TopWrapper of our own: an AXI4-Lite register file (fpga/axi) beside the unit, ports passed through.
    const withRegs = (top: Module): Module => {
      const rf = axilRegfile({ name: `${top.name}_regs`, registers: [{ name: 'ctrl', offset: 0, access: 'rw', width: 8 }] }).module;
      const m = new ModuleBuilder(`${top.name}_ctl`);
      for (const [name, mod] of [['regs', rf], ['unit', top]] as const) {
        const inst = m.instance(name, mod);
        for (const port of mod.ports) {
          if (port.kind === 'input') inst.port(port.name).set(m.input(port.name, port.type));
          else m.output(port.name, port.type).set(inst.port(port.name));
        }
      }
      return m.build();
    };
    const p = pkg({ wrap: withRegs });
    expect(p.busInterfaces.map((b) => [b.name, b.kind, b.ports.length])).toEqual([['s_axi', 'aximm', 19]]);
    const r = await runWithStubs(p.packageIpTcl);
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    const core = `core:kvhdl.org:kv:${TOP}_ctl:1.0`;
    expect(r.calls).toContainEqual(['ipx::infer_bus_interfaces', 'xilinx.com:interface:aximm_rtl:1.0', core]);
    expect(r.calls).toContainEqual(['ipx::associate_bus_interfaces', '-busif', 's_axi', '-clock', 'clock', core]);
    const b = await runWithStubs(p.buildTcl);
    expect(b.stderr).toBe('');
    expect(b.exitCode).toBe(0);
  });

  const mutations: [string, (p: VivadoHandoff) => void, RegExp][] = [
    ['create_project without -part', (p) => edit(p.packageIpTcl, '-force -part $part', '-force'), /create_project: -part is missing/],
    ['package_project without -root_dir', (p) => edit(p.packageIpTcl, '-root_dir $ip_dir ', ''), /ipx::package_project: -root_dir is missing/],
    ['no top set', (p) => edit(p.packageIpTcl, 'set_property top $top [current_fileset]\n', ''), /ipx::package_project: the project has no top/],
    ['a source file missing', (p) => edit(p.packageIpTcl, `rtl ${TOP}.v]`, 'rtl nothing.v]'), /add_files: file '.*nothing\.v' does not exist/],
    ['reset left without POLARITY', (p) => edit(p.packageIpTcl, 'set_property value ACTIVE_HIGH $pol\n', ''), /check_integrity: reset interface 'reset' has no POLARITY/],
    ['reset marked active-low', (p) => edit(p.packageIpTcl, 'ACTIVE_HIGH $pol', 'ACTIVE_LOW $pol'), /kvhdl's 'reset' is active-high, POLARITY is ACTIVE_LOW/],
    ['reset not associated with the clock', (p) => edit(p.packageIpTcl, 'ipx::associate_bus_interfaces -clock clock -reset reset $core\n', ''), /bus interface 'reset' is not associated with a clock/],
    ['associating with an interface that does not exist', (p) => edit(p.packageIpTcl, '-clock clock -reset reset', '-clock clk -reset reset'), /no bus interface 'clk'/],
    ['save before check', (p) => edit(p.packageIpTcl, 'ipx::check_integrity $core\nipx::save_core $core', 'ipx::save_core $core\nipx::check_integrity $core'), /save_core: call ipx::check_integrity first/],
    ['a change after the check', (p) => edit(p.packageIpTcl, 'ipx::save_core $core', 'set_property version 0.2 $core\nipx::save_core $core'), /save_core: call ipx::check_integrity first/],
    ['ipx before package_project', (p) => edit(p.packageIpTcl, /ipx::package_project [^\n]*\n/, ''), /ipx::current_core: no IP core/],
    ['inferring AXI4-Stream on a top without it', (p) => edit(p.packageIpTcl, 'ipx::infer_bus_interfaces xilinx.com:signal:reset_rtl:1.0 $core', 'ipx::infer_bus_interfaces xilinx.com:interface:axis_rtl:1.0 $core'), /no ports of 'kv_minmax_p4_w12_s1' fit xilinx\.com:interface:axis_rtl:1\.0/],
  ];
  it.each(mutations)('a broken script fails: %s', async (_what, mutate, message) => {
    const p = pkg();
    mutate(p);
    const r = await runWithStubs(p.packageIpTcl);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/^vivado-stub: /);
    expect(r.stderr).toMatch(message);
  });
});
