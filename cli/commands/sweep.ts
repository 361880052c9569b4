import os from 'node:os';
import * as path from 'node:path';
import { OutputSet } from '../../output/index.ts';
import { findUnit, units } from '../../gen/registry.ts';
import { ConfigError } from '../../gen/config.ts';
import { defaultBackend } from '../../fpga/eda.ts';
import { expandGrid, loadGrid, type Shard } from '../../fpga/sweep/grid.ts';
import { runSweep } from '../../fpga/sweep/run.ts';
import { Progress } from '../../fpga/sweep/progress.ts';
import { SWEEP_OUTPUTS, writeSweep } from '../../fpga/sweep/write.ts';
import { mergeSweeps, readSweepJson } from '../../fpga/sweep/merge.ts';
import type { SynthTarget } from '../../fpga/synth.ts';
import { integerOption } from '../numeric-option.ts';
import { outPathArg } from '../out-arg.ts';
import { parse, UsageError, type Command } from '../args.ts';
import { parseTargets } from './synth.ts';

const USAGE = `usage: kvhdl sweep <unit> --grid grid.json [--jobs N] [--shard i/n] [--out DIR] [--targets xc7,ice40|none] [--transactions N]
       kvhdl sweep merge DIR... --out DIR

Design-space sweep: every configuration of grid.json is elaborated, synthesized (xc7 LUT/FF/CARRY4/
DSP/BRAM and LUT levels; iCE40 LUT4/BRAM and Fmax when it fits an up5k or hx8k) and simulated
without stalls (elements/cycle, latency), with the unit's quality figures from its golden report.
Points are cached by content hash: a rerun (or a run after Ctrl-C) redoes only unfinished points.
Writes DIR/sweep.csv, sweep.json, plots/area-throughput.svg, plots/effect-<field>.svg and
sweep.html (fpga/sweep/README.md).

grid.json: {"base": {...}, "fields": {"<field>": [values...], ...}, "points": [{...}, ...]}
  fields: Cartesian product of the values (first field slowest); points: explicit configs after it;
  base: fields every point shares. Invalid points are listed with their config errors and skipped.
  --grid f.json        the grid (required)
  --jobs N             points in parallel (default: the number of cores, ${os.availableParallelism()})
  --shard i/n          only every n-th point starting at the i-th (1-based); combine with 'merge'
  --out DIR            output directory (default sweep-out)
  --targets t          xc7, ice40, both (default xc7,ice40) or none (no synthesis)
  --transactions N     input transactions of the throughput simulation (default 256)
merge: combines the shard directories' sweep.json (all n shards of one sweep) into DIR.`;

function parseShard(text: string | undefined): Shard | undefined {
  if (text === undefined) return undefined;
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || count > 100000 || index < 1 || index > count) throw new UsageError(`--shard must be i/n with 1 <= i <= n (e.g. 2/3), got '${text}'`, USAGE);
  return { index, count };
}

async function merge(argv: string[]): Promise<number> {
  const { values, positionals, help } = parse({ usage: USAGE }, argv, { out: { type: 'string' } }, { min: 1, max: 10000 });
  if (help) return console.log(USAGE), 0;
  const outDir = outPathArg(values.out, '--out', USAGE);
  const parts = positionals.map((dir) => ({ dir, result: readSweepJson(dir) }));
  const merged = mergeSweeps(parts);
  const inputs = Object.fromEntries(positionals.map((d, i) => [`DIR ${i + 1}`, path.join(d, 'sweep.json')]));
  const files = await writeSweep(merged, outDir, { command: 'kvhdl sweep merge', inputs });
  console.log(`merged ${parts.length} shard(s): ${merged.points.length} point(s)${merged.failed.length ? `, ${merged.failed.length} failed` : ''}: ${files.filter((f) => !f.includes(`plots${path.sep}`)).join(', ')}`);
  return merged.failed.length ? 1 : 0;
}

export const sweepCommand: Command = {
  name: 'sweep',
  summary: 'design-space sweep over a grid of configs: resources, Fmax, throughput, quality (CSV, JSON, SVG plots, HTML)',
  usage: USAGE,
  async run(argv) {
    if (argv[0] === 'merge') return merge(argv.slice(1));
    const { values, positionals, help } = parse(
      this,
      argv,
      { grid: { type: 'string' }, jobs: { type: 'string' }, shard: { type: 'string' }, out: { type: 'string' }, targets: { type: 'string' }, transactions: { type: 'string' } },
      { min: 1, max: 1 },
    );
    if (help) return console.log(this.usage), 0;
    const unit = findUnit(positionals[0]);
    if (!unit) throw new UsageError(`unknown unit '${positionals[0]}' (units: ${units.map((u) => u.name).join(', ')})`, this.usage);
    if (values.grid === undefined) throw new UsageError('--grid is required', this.usage);
    const jobs = values.jobs === undefined ? os.availableParallelism() : integerOption('jobs', values.jobs, this.usage, 1, 1024);
    const shard = parseShard(values.shard);
    const targets: SynthTarget[] = values.targets?.trim() === 'none' ? [] : parseTargets(values.targets, this.usage);
    const simTransactions = values.transactions === undefined ? 256 : integerOption('transactions', values.transactions, this.usage, 1, 1_000_000);
    const outDir = outPathArg(values.out, '--out', this.usage, 'sweep-out');
    const inputs = { '--grid': values.grid };
    const grid = loadGrid(values.grid);
    const expanded = expandGrid(unit, grid);
    // refuse a user's file in the way before any point runs (the files are known from the grid)
    new OutputSet(outDir, { command: 'kvhdl sweep', kind: 'set', inputs }).precheck([...SWEEP_OUTPUTS, 'plots/area-throughput.svg', ...expanded.varied.map((f) => `plots/effect-${f}.svg`)]);
    const say = (l: string) => process.stderr.write(`kvhdl sweep: ${l}\n`);
    for (const inv of expanded.invalid) for (const e of inv.errors) say(`skipped ${e}`);
    for (const d of expanded.duplicates) say(`point ${d.index} is the same configuration as point ${d.of}: swept once`);
    if (expanded.points.length === 0) throw new ConfigError([`${values.grid}: no valid point (${expanded.invalid.length} invalid)`]);
    const mine = shard ? expanded.points.filter((_, k) => k % shard.count === shard.index - 1).length : expanded.points.length;
    say(`${unit.name}: ${mine} point(s)${shard ? ` (shard ${shard.index}/${shard.count} of ${expanded.points.length})` : ''}, ${jobs} job(s), targets ${targets.join(',') || 'none'}`);
    const progress = new Progress(mine, {
      tty: process.stderr.isTTY === true, write: (t) => process.stderr.write(t), prefix: 'kvhdl sweep: ', jobs,
      columns: () => process.stderr.columns ?? 0,
    });
    const ac = new AbortController();
    const onSigint = () => {
      if (ac.signal.aborted) {
        process.stderr.write('\nkvhdl sweep: interrupted again: stopping now (running points are not cached)\n');
        process.exit(130);
      }
      ac.abort();
      progress.note('interrupted: starting no new point; waiting for the running ones (Ctrl-C again to stop at once)');
    };
    process.on('SIGINT', onSigint);
    let run;
    try {
      run = await runSweep(unit, grid, expanded, { targets, simTransactions, backend: defaultBackend(), jobs, shard, signal: ac.signal, progress, log: undefined });
    } finally {
      process.off('SIGINT', onSigint);
    }
    const r = run.result;
    if (run.interrupted) {
      say(`interrupted: ${r.points.length} of ${mine} point(s) done and cached; rerun the same command to resume (nothing written to ${path.relative(process.cwd(), outDir) || '.'})`);
      return 130;
    }
    const files = await writeSweep(r, outDir, { command: 'kvhdl sweep', inputs });
    for (const f of r.failed) say(`point ${f.index} ${JSON.stringify(f.config)} failed: ${f.error}`);
    for (const p of r.points) for (const pr of p.problems ?? []) say(`point ${p.index} ${JSON.stringify(p.config)}: ${pr} (the point is not cached: a rerun tries it again)`);
    console.log(`${r.points.length} point(s) (${run.computed} computed, ${r.points.length - run.computed} cached)${r.failed.length ? `, ${r.failed.length} failed` : ''}${r.invalid.length ? `, ${r.invalid.length} invalid skipped` : ''}: ${files.filter((f) => !f.includes(`plots${path.sep}`)).join(', ')}`);
    return r.failed.length ? 1 : 0;
  },
};
