import * as path from 'node:path';
import { units, findUnit } from '../../gen/registry.ts';
import { loadConfig, parseConfig } from '../../gen/config.ts';
import { generateUnit, putManifest, type Generated } from '../../gen/generate.ts';
import { OutputSet } from '../../output/index.ts';
import { parse, UsageError, type Command } from '../args.ts';
import { outPathArg } from '../out-arg.ts';

const rel = (p: string) => path.relative(process.cwd(), p) || '.';
const count = (g: Generated) => `${g.files.length} module${g.files.length === 1 ? '' : 's'}`;

export const genCommand: Command = {
  name: 'gen',
  summary: 'generate Verilog for a unit (or every unit\'s defaults with --all)',
  usage: `usage: kvhdl gen <unit> [--config f.json] [--out dir]
       kvhdl gen --all [--out dir]

Elaborates the unit for the configuration (defaults for fields not given) and writes one Verilog
file per module plus manifest.json. A regeneration replaces only files kvhdl wrote there and nobody
edited since (recorded in dir/.kvhdl-written.json) and removes the previous run's files it no longer
writes; it refuses (exit 2, nothing written) when any other file is in the way.
  --config f.json  unit configuration (see 'kvhdl list' for the fields)
  --out dir        output directory (default rtl-out/<unit>; with --all, rtl-out)
  --all            every unit with its default configuration, into <out>/<unit>/`,
  async run(argv) {
    const { values, positionals, help } = parse(this, argv, { config: { type: 'string' }, out: { type: 'string' }, all: { type: 'boolean' } }, { min: 0, max: 1 });
    if (help) return console.log(this.usage), 0;
    if (values.all) {
      if (positionals.length || values.config) throw new UsageError('--all takes no unit and no --config', this.usage);
      const out = new OutputSet(outPathArg(values.out, '--out', this.usage, 'rtl-out'), { command: 'kvhdl gen', kind: 'set' });
      const gens: { g: Generated; config: unknown }[] = [];
      for (const u of units) {
        const config = parseConfig(u, {});
        gens.push({ g: generateUnit(u, config, out, u.name, ''), config });
      }
      const manifest = putManifest(out, gens);
      out.commit();
      for (const { g } of gens) console.log(`${g.unit}: ${g.top.name} (${count(g)}) -> ${rel(path.join(out.root, g.unit))}`);
      console.log(`manifest: ${rel(manifest)}`);
      return 0;
    }
    if (positionals.length !== 1) throw new UsageError('name a unit, or use --all', this.usage);
    const unit = findUnit(positionals[0]);
    if (!unit) throw new UsageError(`unknown unit '${positionals[0]}' (units: ${units.map((u) => u.name).join(', ')})`, this.usage);
    const dir = outPathArg(values.out, '--out', this.usage, path.join('rtl-out', unit.name));
    const config = loadConfig(unit, values.config);
    const out = new OutputSet(dir, { command: 'kvhdl gen', kind: 'set', inputs: values.config ? { '--config': values.config } : undefined });
    const g = generateUnit(unit, config, out);
    putManifest(out, [{ g, config }]);
    out.commit();
    console.log(`${unit.name}: ${g.top.name} (${count(g)}) -> ${rel(dir)}`);
    return 0;
  },
};
