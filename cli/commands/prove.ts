import * as path from 'node:path';
import { rmSync } from 'node:fs';
import { units, findUnit } from '../../gen/registry.ts';
import { loadConfig } from '../../gen/config.ts';
import { commitSingleFile, precheckSingleFile, scratchDir } from '../../output/index.ts';
import { ensureTools } from '../../toolchain/tools.ts';
import { proveModule } from '../../formal/prove.ts';
import { firesimDesign } from '../../fpga/firesim/design.ts';
import { proveReport, proveSummary } from '../../formal/format.ts';
import { parse, UsageError, type Command } from '../args.ts';
import { integerOption, numberOption } from '../numeric-option.ts';
import { outPathArg } from '../out-arg.ts';

export const proveCommand: Command = {
  name: 'prove',
  summary: 'prove a unit\'s assertions by k-induction (Yosys), covers, counterexamples replayed in Verilator',
  usage: `usage: kvhdl prove <unit> [--config f.json] [--depth N] [--json out.json] [--out-dir DIR] [--replay] [--timeout-min M] [--shell]

Builds the unit with its formal properties (m.assert / m.assume / m.cover, the stream contracts of the
stdlib) and proves every assertion by k-induction with Yosys' sat -tempinduct, assuming the top's
input contracts. Per assertion: proved (induction length k), bounded (no counterexample within N
cycles but the induction did not converge: not a proof), or failed (counterexample as VCD plus a
Verilator replay, with the command that runs it). Per cover: the first cycle it is reached, or
unreachable. Exit 1 when an assertion fails.
  --config f.json  unit configuration (defaults for fields not given; see 'kvhdl list')
  --depth N        maximum induction length and counterexample length in cycles, 1..1000 (default 20)
  --json out.json  write the results as JSON
  --out-dir DIR    scratch directory for the Yosys runs, counterexamples and replays
                   (default formal-out/<unit>; kvhdl owns it as a whole)
  --replay         also build and run each counterexample's Verilator replay now, and compare its
                   outputs with the unit's golden model (or say why they are not compared: a
                   memory the counterexample does not define, or inputs that are no complete
                   stimulus: a protocol-only violation)
  --property TEXT  only the properties and covers whose message contains TEXT
  --shell          prove the unit's FireSim shell (AXI4 master + AXI4-Lite registers + DMA around
                   the unit, as kvhdl handoff firesim builds it) instead of the unit alone: its
                   AXI handshake rules and the 4 KiB burst rule (fpga/firesim/README.md)
  --timeout-min M  time budget of the whole proof in minutes (default 30). When it runs out, Yosys
                   is stopped and every assertion not yet proved or failed is reported
                   "bounded (N cycles, timed out)", N the deepest BMC step that completed; covers
                   not yet checked say so. Progress (each BMC step) is printed on stderr.`,
  async run(argv) {
    const { values, positionals, help } = parse(
      this,
      argv,
      { config: { type: 'string' }, depth: { type: 'string' }, json: { type: 'string' }, 'out-dir': { type: 'string' }, replay: { type: 'boolean' }, property: { type: 'string' }, 'timeout-min': { type: 'string' }, shell: { type: 'boolean' } },
      { min: 1, max: 1 },
    );
    if (help) return console.log(this.usage), 0;
    const unit = findUnit(positionals[0]);
    if (!unit) throw new UsageError(`unknown unit '${positionals[0]}' (units: ${units.map((u) => u.name).join(', ')})`, this.usage);
    const depth = values.depth === undefined ? 20 : integerOption('depth', values.depth, this.usage, 1, 1000);
    const timeoutMin = values['timeout-min'] === undefined ? 30 : numberOption('timeout-min', values['timeout-min'], this.usage, 'a number of minutes in (0, 1440]', (v) => v > 0 && v <= 1440);
    const jsonFile = values.json === undefined ? undefined : outPathArg(values.json, '--json', this.usage);
    if (jsonFile) precheckSingleFile(jsonFile, 'kvhdl prove', values.config ? { '--config': values.config } : undefined);
    const config = loadConfig(unit, values.config);
    const outDir = outPathArg(values['out-dir'], '--out-dir', this.usage, path.join('formal-out', unit.name));
    await ensureTools(values.replay ? ['yosys', 'verilator', 'ccache'] : ['yosys']);
    const top = values.shell ? firesimDesign(unit, config).shell : unit.build(config as never);
    const work = scratchDir(outDir, 'kvhdl prove');
    for (const old of ['runs']) rmSync(path.join(work, old), { recursive: true, force: true });
    const r = await proveModule(top, { depth, workDir: path.join(work, 'runs'), replay: values.replay === true, only: values.property, golden: values.shell ? undefined : { unit, config }, timeoutMs: timeoutMin * 60_000, log: (l) => console.error(`kvhdl prove: ${l}`) });
    console.log(`${unit.name} ${top.name} ${JSON.stringify(config)}`);
    console.log(proveReport(r));
    if (jsonFile) {
      commitSingleFile(jsonFile, JSON.stringify({ unit: unit.name, config, ...r }, null, 2) + '\n', 'kvhdl prove');
      console.log(`json: ${values.json}`);
    }
    return proveSummary(r).failed ? 1 : 0;
  },
};
