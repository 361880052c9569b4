import * as path from 'node:path';
import { units, findUnit } from '../../gen/registry.ts';
import { loadConfig, parseConfig } from '../../gen/config.ts';
import { generateUnit, writeManifest, type Generated } from '../../gen/generate.ts';
import { parse, UsageError, type Command } from '../args.ts';

export const genCommand: Command = {
  name: 'gen',
  summary: 'generate Verilog for a unit (or every unit\'s defaults with --all)',
  usage: `usage: kvhdl gen <unit> [--config f.json] [--out dir]
       kvhdl gen --all [--out dir]

Elaborates the unit for the configuration (defaults for fields not given) and writes one Verilog
file per module plus manifest.json.
  --config f.json  unit configuration (see 'kvhdl list' for the fields)
  --out dir        output directory (default rtl-out/<unit>; with --all, rtl-out)
  --all            every unit with its default configuration, into <out>/<unit>/`,
  async run(argv) {
    const { values, positionals, help } = parse(this, argv, { config: { type: 'string' }, out: { type: 'string' }, all: { type: 'boolean' } }, { min: 0, max: 1 });
    if (help) return console.log(this.usage), 0;
    if (values.all) {
      if (positionals.length || values.config) throw new UsageError('--all takes no unit and no --config', this.usage);
      const root = path.resolve(values.out ?? 'rtl-out');
      const gens: { g: Generated; config: unknown }[] = [];
      for (const u of units) {
        const config = parseConfig(u, {});
        const g = generateUnit(u, config, path.join(root, u.name), root);
        gens.push({ g, config });
        console.log(`${u.name}: ${g.top.name} (${g.files.length} module${g.files.length === 1 ? '' : 's'}) -> ${path.relative(process.cwd(), path.join(root, u.name)) || '.'}`);
      }
      console.log(`manifest: ${path.relative(process.cwd(), writeManifest(root, gens))}`);
      return 0;
    }
    if (positionals.length !== 1) throw new UsageError('name a unit, or use --all', this.usage);
    const unit = findUnit(positionals[0]);
    if (!unit) throw new UsageError(`unknown unit '${positionals[0]}' (units: ${units.map((u) => u.name).join(', ')})`, this.usage);
    const config = loadConfig(unit, values.config);
    const dir = path.resolve(values.out ?? path.join('rtl-out', unit.name));
    const g = generateUnit(unit, config, dir);
    writeManifest(dir, [{ g, config }]);
    console.log(`${unit.name}: ${g.top.name} (${g.files.length} module${g.files.length === 1 ? '' : 's'}) -> ${path.relative(process.cwd(), dir) || '.'}`);
    return 0;
  },
};
