import * as path from 'node:path';
import { OutputSet } from '../../output/index.ts';
import { outPathArg } from '../out-arg.ts';
import { units } from '../../gen/registry.ts';
import { ConfigError } from '../../gen/config.ts';
import { readJsonFile } from '../../gen/json-file.ts';
import { JsonTextError } from '../../gen/json-text.ts';
import { configsFromEnv, REPORT_PLOT, writeReport } from '../../fpga/report.ts';
import { parse, UsageError, type Command } from '../args.ts';
import { parseTargets } from './synth.ts';
import { integerOption, numberOption } from '../numeric-option.ts';

export const reportCommand: Command = {
  name: 'report',
  summary: 'resources, LUT levels, iCE40 Fmax, throughput and latency of every unit\'s reference configs (report.md/.json)',
  usage: `usage: kvhdl report [--out dir] [--targets xc7,ice40] [--units a,b] [--configs f.json] [--synth-timeout-min M]
                    [--prove-timeout-min M] [--prove-depth N]

For every unit and each of its reference configurations: synthesis estimates (kvhdl synth), a
no-stall Verilator run for throughput (elements/cycle) and latency. Writes <dir>/report.md (a
Markdown table), <dir>/report.json and <dir>/area-throughput.svg (area vs throughput, Pareto
front, coloured by iCE40 Fmax; the plot of kvhdl sweep). Results are cached, so a rerun is quick.
  --out dir        output directory (default report-out)
  --targets t      xc7, ice40 or both (default xc7,ice40)
  --units a,b      only these units
  --configs f.json only these configurations: {"<unit>": [config, ...]} (also $KVHDL_REPORT_CONFIGS)
  --synth-timeout-min M  time limit of each synthesis tool run in minutes (default 15); a run that
                   fails or times out is reported in its row ("failed (note)"), not cached
  --prove-timeout-min M  time budget of kvhdl prove per configuration in minutes (default 2; 0: no
                   prove column). The column counts properties proved / bounded / failed; a budget
                   that runs out says "timed out" and counts the open properties as bounded to the
                   deepest BMC step reached (never as proved). Cached by content, like synthesis.
  --prove-depth N  induction / BMC depth of those proofs (default 20)`,
  async run(argv) {
    const { values, help } = parse(
      this,
      argv,
      { out: { type: 'string' }, targets: { type: 'string' }, units: { type: 'string' }, configs: { type: 'string' }, 'synth-timeout-min': { type: 'string' }, 'prove-timeout-min': { type: 'string' }, 'prove-depth': { type: 'string' } },
      { min: 0, max: 0 },
    );
    if (help) return console.log(this.usage), 0;
    const targets = parseTargets(values.targets, this.usage);
    let selected = units;
    if (values.units) {
      const names = values.units.split(',').map((s) => s.trim()).filter(Boolean);
      for (const n of names) if (!units.some((u) => u.name === n)) throw new UsageError(`unknown unit '${n}' (units: ${units.map((u) => u.name).join(', ')})`, this.usage);
      selected = units.filter((u) => names.includes(u.name));
    }
    let configs = configsFromEnv();
    if (values.configs) {
      try {
        configs = readJsonFile(values.configs) as Record<string, Record<string, unknown>[]>;
      } catch (e) {
        if (e instanceof JsonTextError) throw new ConfigError([`${values.configs}: ${e.message}`]);
        throw e;
      }
      if (typeof configs !== 'object' || configs === null || Array.isArray(configs)) {
        throw new ConfigError([`${values.configs}: must be a JSON object {"<unit>": [config, ...]}`]);
      }
    }
    let synthTimeoutMs: number | undefined;
    if (values['synth-timeout-min'] !== undefined) {
      const m = values['synth-timeout-min'];
      const v = /^\s*\d+(\.\d*)?\s*$/.test(m) ? Number(m) : NaN;
      if (!(v > 0 && v <= 24 * 60)) throw new UsageError(`--synth-timeout-min: expected a number of minutes in (0, 1440], got '${m}'`, this.usage);
      synthTimeoutMs = Math.round(v * 60_000);
    }
    const proveMin = values['prove-timeout-min'] === undefined ? 2 : numberOption('prove-timeout-min', values['prove-timeout-min'], this.usage, 'a number of minutes in [0, 1440]', (v) => v >= 0 && v <= 1440);
    const proveDepth = values['prove-depth'] === undefined ? 20 : integerOption('prove-depth', values['prove-depth'], this.usage, 1, 1000);
    const prove = proveMin > 0 ? { timeoutMs: proveMin * 60_000, depth: proveDepth } : undefined;
    const outDir = outPathArg(values.out, '--out', this.usage, 'report-out');
    new OutputSet(outDir, { command: 'kvhdl report', kind: 'set', inputs: values.configs ? { '--configs': values.configs } : undefined }).precheck(['report.md', 'report.json', REPORT_PLOT]);
    const log = (l: string) => console.error(`kvhdl report: ${l}`);
    const { report, md, json, svg } = await writeReport({ units: selected, configs, targets, outDir, log, synthTimeoutMs, prove });
    console.log(`${report.rows.length} configuration(s): ${[md, json, svg].map((f) => path.relative(process.cwd(), f)).join(', ')}`);
    return 0;
  },
};
