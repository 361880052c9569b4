import { unitListings } from '../unit-listing.ts';
import { parse, type Command } from '../args.ts';

export const listCommand: Command = {
  name: 'list',
  summary: 'list the generator units, their config fields and defaults',
  usage: `usage: kvhdl list [--json]

Lists every unit with its configuration fields (type and range, default, meaning).
  --json   print the same as JSON`,
  async run(argv) {
    const { values, help } = parse(this, argv, { json: { type: 'boolean' } }, { min: 0, max: 0 });
    if (help) return console.log(this.usage), 0;
    const all = await unitListings();
    if (values.json) {
      console.log(JSON.stringify(all, null, 2));
      return 0;
    }
    for (const u of all) {
      console.log(`${u.unit}: ${u.summary}`);
      const rows = u.fields.map((f) => [f.name, f.type, f.default !== undefined ? JSON.stringify(f.default) : f.optional ? '(optional)' : '(required)', f.description]);
      const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i].length)));
      for (const r of rows) console.log(`  ${r[0].padEnd(widths[0])}  ${r[1].padEnd(widths[1])}  default ${r[2].padEnd(widths[2])}  ${r[3]}`);
    }
    return 0;
  },
};
