/** `kvhdl handoff firesim <unit> [--config f.json] [--out dir] [--seed N]` (called from cli/commands/handoff.ts). */
import * as path from 'node:path';
import { units, findUnit } from '../../gen/registry.ts';
import { ConfigError, loadConfig } from '../../gen/config.ts';
import { parse, UsageError } from '../args.ts';
import { FIRESIM_UNITS, firesimProfile } from '../../fpga/firesim/profile.ts';
import { writeFiresimHandoff } from '../../fpga/firesim/package.ts';
import { OutputError, outputDirProblem } from '../../output/index.ts';
import { outPathArg } from '../out-arg.ts';
import { scalaNames } from '../../fpga/firesim/scala.ts';

export const firesimUsage = `usage: kvhdl handoff firesim <unit> [--config f.json] [--out dir] [--seed N]

Writes a Chipyard / FireSim package: the accelerator shell as one Verilog file (AXI4-Lite registers,
AXI4 DMA master, interrupt), the Scala BlackBox + LazyModule + config fragment, the C driver and a
bare-metal test with golden results, a FireSim build recipe, and a README saying where each file goes.
  --config f.json  unit configuration (see 'kvhdl list' for the fields)
  --out dir        output directory (default rtl-out/handoff/<unit>/firesim)
  --seed N         seed of the test tensor, 0..2^53-1 (default 1)
Units with a FireSim profile: ${FIRESIM_UNITS.join(', ')}`;

export async function runFiresimCommand(argv: string[]): Promise<number> {
  const { values, positionals, help } = parse({ usage: firesimUsage }, argv, { config: { type: 'string' }, out: { type: 'string' }, seed: { type: 'string' } }, { min: 1, max: 1 });
  if (help) return console.log(firesimUsage), 0;
  const unit = findUnit(positionals[0]);
  if (!unit) throw new UsageError(`unknown unit '${positionals[0]}' (units: ${units.map((x) => x.name).join(', ')})`, firesimUsage);
  if (!FIRESIM_UNITS.includes(unit.name)) throw new UsageError(`unit '${unit.name}' has no FireSim profile (units with one: ${FIRESIM_UNITS.join(', ')})`, firesimUsage);
  const seed = values.seed === undefined ? 1 : Number(values.seed);
  if (values.seed !== undefined && (!/^\d+$/.test(values.seed) || !Number.isSafeInteger(seed))) {
    throw new UsageError(`--seed: expected a non-negative integer up to 2^53-1, got '${values.seed}'`, firesimUsage);
  }
  const config = loadConfig(unit, values.config);
  const why = firesimProfile(unit).unsupported?.(config);
  if (why) throw new ConfigError([`${values.config ?? 'default config'}: ${why}`]);
  const out = outPathArg(values.out, '--out', firesimUsage, path.join('rtl-out', 'handoff', unit.name, 'firesim'));
  const problem = outputDirProblem(out);
  if (problem) throw new OutputError(`--out ${problem}`);
  const r = writeFiresimHandoff({ unit, config, out, seed, inputs: values.config ? { '--config': values.config } : undefined });
  const rel = path.relative(process.cwd(), out) || '.';
  console.log(`${unit.name}: ${r.design.top} (${r.design.modules.length} modules in one file, ${Object.keys(r.files).length} files) -> ${rel}`);
  console.log(`chipyard: follow ${path.join(rel, 'README.md')}; config chipyard.${scalaNames(r.design).config}`);
  return 0;
}
