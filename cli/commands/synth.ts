import { commitSingleFile, precheckSingleFile } from '../../output/index.ts';
import { outPathArg } from '../out-arg.ts';
import { units, findUnit } from '../../gen/registry.ts';
import { loadConfig } from '../../gen/config.ts';
import { SYNTH_TARGETS, synthUnit, type SynthTarget, type UnitSynthResult } from '../../fpga/synth.ts';
import { levelPathText, synthTable } from '../../fpga/format.ts';
import { criticalPathText } from '../../fpga/critical-path.ts';
import type { Ice40DeviceName } from '../../fpga/synth-ice40.ts';
import { parse, UsageError, type Command } from '../args.ts';
import { numberOption } from '../numeric-option.ts';

export function parseTargets(text: string | undefined, usage: string): SynthTarget[] {
  if (text === undefined) return [...SYNTH_TARGETS];
  const ts = text.split(',').map((t) => t.trim()).filter(Boolean);
  for (const t of ts) if (!(SYNTH_TARGETS as readonly string[]).includes(t)) throw new UsageError(`unknown target '${t}' (targets: ${SYNTH_TARGETS.join(', ')})`, usage);
  if (ts.length === 0) throw new UsageError('--target needs at least one target', usage);
  return [...new Set(ts)] as SynthTarget[];
}

export function parseDevice(text: string | undefined, usage: string): Ice40DeviceName | 'auto' {
  const d = text ?? 'auto';
  if (d !== 'auto' && d !== 'up5k' && d !== 'hx8k') throw new UsageError(`--device must be auto, up5k or hx8k, got '${d}'`, usage);
  return d;
}

export const synthCommand: Command = {
  name: 'synth',
  summary: 'resource, logic-depth and Fmax estimates for a unit configuration (Yosys, nextpnr-ice40)',
  usage: `usage: kvhdl synth <unit> [--config f.json] [--target xc7|ice40|xc7,ice40] [--device auto|up5k|hx8k] [--json out.json] [--no-cache] [--synth-timeout-min M]

Synthesizes the unit's Verilog and prints a table of resources, LUT levels and Fmax, and the iCE40 critical path
(see fpga/README.md for the methods and what the numbers mean).
  --config f.json  unit configuration (defaults for fields not given; see 'kvhdl list')
  --target t       xc7 (Yosys synth_xilinx; no Fmax: there is no open-source 7-series P&R),
                   ice40 (Yosys synth_ice40 + nextpnr-ice40 on a pin-wrapped copy), or both (default)
  --device d       iCE40 device for place and route: auto (default: up5k if it fits, else hx8k)
  --json out.json  write the full results (every cell type, tool versions, notes) as JSON
  --no-cache       run the tools even when .cache/synth/ has the result
  --synth-timeout-min M  time limit of each tool run in minutes (default 15; attention's default
                   configuration takes 5-15 min for xc7 on a loaded 2-core machine)
Tools: the pinned npm builds @yowasp/yosys and @yowasp/nextpnr-ice40 (KVHDL_EDA_BACKEND=native uses
yosys/nextpnr-ice40 from PATH instead; their numbers can differ). A small unit takes 5-30 s per run.`,
  async run(argv) {
    const { values, positionals, help } = parse(
      this,
      argv,
      { config: { type: 'string' }, target: { type: 'string' }, device: { type: 'string' }, json: { type: 'string' }, 'no-cache': { type: 'boolean' }, 'synth-timeout-min': { type: 'string' } },
      { min: 1, max: 1 },
    );
    if (help) return console.log(this.usage), 0;
    const unit = findUnit(positionals[0]);
    if (!unit) throw new UsageError(`unknown unit '${positionals[0]}' (units: ${units.map((u) => u.name).join(', ')})`, this.usage);
    const targets = parseTargets(values.target, this.usage);
    const device = parseDevice(values.device, this.usage);
    const timeoutMin = values['synth-timeout-min'] === undefined ? undefined : numberOption('synth-timeout-min', values['synth-timeout-min'], this.usage, 'a number of minutes in (0, 1440]', (v) => v > 0 && v <= 1440);
    const jsonFile = values.json === undefined ? undefined : outPathArg(values.json, '--json', this.usage);
    if (jsonFile) precheckSingleFile(jsonFile, 'kvhdl synth', values.config ? { '--config': values.config } : undefined);
    const config = loadConfig(unit, values.config);
    const log = (l: string) => console.error(`kvhdl synth: ${l}`);
    const results: UnitSynthResult[] = [];
    for (const target of targets) {
      results.push(await synthUnit(unit, config, { target, log, ice40Device: device, noCache: values['no-cache'] === true, timeoutMs: timeoutMin === undefined ? undefined : Math.round(timeoutMin * 60_000) }));
    }
    const r0 = results[0];
    const tools = [...new Set(results.flatMap((r) => [r.tools.yosys, r.tools.nextpnr ?? '']).filter(Boolean))].join(', ');
    console.log(`${unit.name} ${r0.top} ${JSON.stringify(config)}  (${tools})`);
    console.log(synthTable(results));
    for (const r of results) for (const n of r.notes) console.log(`${r.target}: ${n}`);
    for (const r of results) {
      const t = levelPathText(r);
      if (t) console.log(t);
    }
    for (const r of results) if (r.target === 'ice40' && r.criticalPath) console.log(`ice40: critical path ${criticalPathText(r.criticalPath)}`);
    if (values.json) {
      commitSingleFile(jsonFile!, JSON.stringify(results, null, 2) + '\n', 'kvhdl synth');
      console.log(`json: ${values.json}`);
    }
    return 0;
  },
};
