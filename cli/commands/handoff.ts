import * as path from 'node:path';
import { units, findUnit } from '../../gen/registry.ts';
import { loadConfig } from '../../gen/config.ts';
import type { AnyUnit } from '../../gen/unit.ts';
import { clockProblem, partProblem } from '../../fpga/handoff/design.ts';
import { writeVivadoHandoff } from '../../fpga/handoff/vivado.ts';
import { writeFusesocHandoff } from '../../fpga/handoff/fusesoc.ts';
import { TOP_WRAPPERS, findTopWrapper } from '../../fpga/handoff/wrappers.ts';
import { runFiresimCommand } from './handoff-firesim.ts';
import { parse, UsageError, type Command } from '../args.ts';
import { outPathArg } from '../out-arg.ts';

const wrapperNames = ['none', ...Object.keys(TOP_WRAPPERS)].join('|');

const vivadoUsage = `usage: kvhdl handoff vivado <unit> --part <xilinx part> --clock-mhz <F> [--config f.json] [--out dir] [--top-wrapper ${wrapperNames}]

Writes a Vivado hand-off package: the Verilog (rtl/, one file per module), <top>.xdc (the clock only:
out of context), build.tcl (non-project synthesis + implementation + reports), package_ip.tcl
(IP packaging) and README.md. Run it with: vivado -mode batch -source build.tcl
  --part P         Xilinx part, e.g. xc7a35tcpg236-1, xczu9eg-ffvb1156-2-e
  --clock-mhz F    target clock frequency in MHz (> 0); the XDC period is 1000/F ns
  --config f.json  unit configuration (see 'kvhdl list' for the fields)
  --out dir        output directory (default rtl-out/handoff/<unit>/vivado)
  --top-wrapper W  top of the package: none (the unit itself, default) or axis (AXI4-Stream wrapper <top>_axis)`;

const fusesocUsage = `usage: kvhdl handoff fusesoc <unit> [--config f.json] [--out dir] [--part <xilinx part> [--clock-mhz <F>]] [--top-wrapper ${wrapperNames}]

Writes a FuseSoC package: the Verilog (rtl/) and a CAPI2 <top>.core (VLNV kvhdl:kv:<top>:0.1.0) with
targets lint (verilator --lint-only -Wall), sim (icarus) and, with --part, synth (vivado).
  --config f.json  unit configuration (see 'kvhdl list' for the fields)
  --out dir        output directory (default rtl-out/handoff/<unit>/fusesoc)
  --part P         Xilinx part for the synth target (no synth target without it)
  --clock-mhz F    clock for the synth target's XDC (needs --part)
  --top-wrapper W  top of the package: none (default) or axis (AXI4-Stream wrapper <top>_axis)`;

const usage = `usage: kvhdl handoff vivado <unit> --part <xilinx part> --clock-mhz <F> [--config f.json] [--out dir] [--top-wrapper W]
       kvhdl handoff fusesoc <unit> [--config f.json] [--out dir] [--part <xilinx part> [--clock-mhz <F>]] [--top-wrapper W]
       kvhdl handoff firesim <unit> [--config f.json] [--out dir] [--seed N]

Writes a package for another tool flow ('kvhdl handoff <vivado|fusesoc|firesim> --help' for details):
  vivado   Verilog + out-of-context XDC + build.tcl (non-project flow) + package_ip.tcl (IP) + README
  fusesoc  Verilog + CAPI2 .core with lint (verilator), sim (icarus) and synth (vivado) targets
  firesim  Chipyard/FireSim package: shell Verilog (AXI4-Lite regs + AXI4 DMA), Scala BlackBox, C driver + test`;

function unitArg(name: string, u: string): AnyUnit {
  const unit = findUnit(name);
  if (!unit) throw new UsageError(`unknown unit '${name}' (units: ${units.map((x) => x.name).join(', ')})`, u);
  return unit;
}

function partArg(part: string, u: string): string {
  const e = partProblem(part);
  if (e) throw new UsageError(`--part: ${e}`, u);
  return part;
}

function clockArg(text: string, u: string): number {
  const f = /^\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*$/.test(text) ? Number(text) : NaN;
  if (Number.isNaN(f)) throw new UsageError(`--clock-mhz: expected a number of MHz, got '${text}'`, u);
  const e = clockProblem(f);
  if (e) throw new UsageError(`--clock-mhz: ${e}`, u);
  return f;
}

function wrapperArg(name: string | undefined, u: string) {
  try {
    return findTopWrapper(name);
  } catch (e) {
    throw new UsageError(`--top-wrapper: ${(e as Error).message}`, u);
  }
}

const common = {
  config: { type: 'string' },
  out: { type: 'string' },
  part: { type: 'string' },
  'clock-mhz': { type: 'string' },
  'top-wrapper': { type: 'string' },
} as const;

const rel = (p: string) => path.relative(process.cwd(), p) || '.';

async function runVivado(argv: string[]): Promise<number> {
  const cmd = { usage: vivadoUsage };
  const { values, positionals, help } = parse(cmd, argv, common, { min: 1, max: 1 });
  if (help) return console.log(vivadoUsage), 0;
  const unit = unitArg(positionals[0], vivadoUsage);
  if (values.part === undefined) throw new UsageError('--part is required (e.g. --part xc7a35tcpg236-1)', vivadoUsage);
  if (values['clock-mhz'] === undefined) throw new UsageError('--clock-mhz is required (e.g. --clock-mhz 250)', vivadoUsage);
  const part = partArg(values.part, vivadoUsage);
  const clockMhz = clockArg(values['clock-mhz'], vivadoUsage);
  const wrap = wrapperArg(values['top-wrapper'], vivadoUsage);
  const config = loadConfig(unit, values.config);
  const out = outPathArg(values.out, '--out', vivadoUsage, path.join('rtl-out', 'handoff', unit.name, 'vivado'));
  const inputs = values.config ? { '--config': values.config } : undefined;
  const r = writeVivadoHandoff({ unit, config, part, clockMhz, out, inputs, wrap, wrapperName: values['top-wrapper'] });
  console.log(`${unit.name}: ${r.design.top} (${r.verilog.length} module${r.verilog.length === 1 ? '' : 's'}, ${part}, ${clockMhz} MHz) -> ${rel(out)}`);
  console.log(`run: cd ${rel(out)} && vivado -mode batch -source build.tcl   (IP: vivado -mode batch -source package_ip.tcl)`);
  return 0;
}

async function runFusesoc(argv: string[]): Promise<number> {
  const cmd = { usage: fusesocUsage };
  const { values, positionals, help } = parse(cmd, argv, common, { min: 1, max: 1 });
  if (help) return console.log(fusesocUsage), 0;
  const unit = unitArg(positionals[0], fusesocUsage);
  const part = values.part === undefined ? undefined : partArg(values.part, fusesocUsage);
  if (values['clock-mhz'] !== undefined && part === undefined) throw new UsageError('--clock-mhz needs --part (it constrains the synth target)', fusesocUsage);
  const clockMhz = values['clock-mhz'] === undefined ? undefined : clockArg(values['clock-mhz'], fusesocUsage);
  const wrap = wrapperArg(values['top-wrapper'], fusesocUsage);
  const config = loadConfig(unit, values.config);
  const out = outPathArg(values.out, '--out', fusesocUsage, path.join('rtl-out', 'handoff', unit.name, 'fusesoc'));
  const inputs = values.config ? { '--config': values.config } : undefined;
  const r = writeFusesocHandoff({ unit, config, out, inputs, part, clockMhz, wrap });
  console.log(`${unit.name}: ${r.vlnv} (${r.verilog.length} module${r.verilog.length === 1 ? '' : 's'}) -> ${rel(r.core)}`);
  return 0;
}

export const handoffCommand: Command = {
  name: 'handoff',
  summary: 'write a hand-off package: Vivado (build + IP packaging), FuseSoC (CAPI2 core) or FireSim (Chipyard accelerator)',
  usage,
  async run(argv) {
    const [sub, ...rest] = argv;
    if (sub === undefined) throw new UsageError('name a flow: vivado, fusesoc or firesim', usage);
    if (sub === '--help' || sub === '-h' || sub === 'help') return console.log(usage), 0;
    if (sub === 'vivado') return runVivado(rest);
    if (sub === 'fusesoc') return runFusesoc(rest);
    if (sub === 'firesim') return runFiresimCommand(rest);
    throw new UsageError(`unknown flow '${sub}' (flows: vivado, fusesoc, firesim)`, usage);
  },
};
