import { parse, type Command } from '../args.ts';
import { inputOptions, loadJob, unitUsage, writeOutputs } from './unit-io.ts';

export const goldenCommand: Command = {
  name: 'golden',
  summary: 'run a unit\'s golden model (no simulator) on .npy inputs; same files as cosim',
  usage: unitUsage('golden', 'Runs the bit-exact TypeScript golden model alone and writes the same output files as\n`kvhdl cosim`, so the two can be compared byte for byte.'),
  async run(argv) {
    const { values, positionals, help } = parse(this, argv, { config: { type: 'string' }, 'out-dir': { type: 'string' }, ...inputOptions() }, { min: 1, max: 1 });
    if (help) return console.log(this.usage), 0;
    const job = await loadJob(this.usage, positionals, values);
    const outputs = job.golden;
    const files = await writeOutputs(job, outputs, {
      unit: job.unit.name,
      config: job.config,
      simulator: 'golden',
      transactions: Object.fromEntries([...Object.entries(job.stimulus), ...Object.entries(outputs)].map(([k, t]) => [k, t.count])),
      ...(job.unit.goldenReport?.(job.config, job.stimulus, outputs) ?? {}),
    });
    console.log(`golden ${job.unit.name}: wrote ${files.join(', ')} to ${job.outDir}`);
    return 0;
  },
};
