import * as path from 'node:path';
import { parse, UsageError, type Command } from '../args.ts';
import { integerOption, numberOption } from '../numeric-option.ts';
import { runUnit, type Simulator } from '../../flow/unit-run.ts';
import type { PostCosimResult, SubUnitRun } from '../../gen/unit.ts';
import { scratchDir } from '../../output/index.ts';
import { cliRerunCommand } from '../../cosim/rerun-command.ts';
import { inputOptions, loadJob, unitUsage, writeOutputs } from './unit-io.ts';

export const cosimCommand: Command = {
  name: 'cosim',
  summary: 'run a unit\'s generated RTL in Verilator (or Icarus) on .npy inputs, checked against its golden model',
  usage: unitUsage('cosim', 'Generates the unit\'s Verilog, simulates it on the inputs, compares every output transaction\nwith the golden model, and writes the RTL\'s outputs as .npy plus report.json (exit 1 on a mismatch).'),
  async run(argv) {
    const { values, positionals, help } = parse(
      this,
      argv,
      {
        config: { type: 'string' }, 'out-dir': { type: 'string' }, seed: { type: 'string' }, stall: { type: 'string' },
        trace: { type: 'boolean' }, simulator: { type: 'string' }, ...inputOptions(),
      },
      { min: 1, max: 1 },
    );
    if (help) return console.log(this.usage), 0;
    // the testbenches take any safe integer seed (cosim/cosim.ts, cosim/icarus/run.ts)
    const seed = values.seed === undefined ? 1 : integerOption('seed', values.seed, this.usage, 0, Number.MAX_SAFE_INTEGER, '0..2^53-1');
    const stall = values.stall === undefined ? 0 : numberOption('stall', values.stall, this.usage, 'a probability in [0, 1)', (v) => v >= 0 && v < 1);
    const simulator = (values.simulator ?? 'verilator') as Simulator;
    if (simulator !== 'verilator' && simulator !== 'icarus') throw new UsageError(`--simulator must be verilator or icarus, got '${simulator}'`, this.usage);
    const job = await loadJob(this.usage, positionals, values);
    const workDir = scratchDir(path.join(job.outDir, 'work'), 'kvhdl cosim');

    const rerun = cliRerunCommand(['npx', 'kvhdl', 'cosim'], argv, simulator);
    const log = (l: string) => console.error(l.startsWith('kvhdl') ? l : `kvhdl cosim: ${l}`);
    const n = Object.values(job.stimulus).reduce((k, t) => k + t.count, 0);
    log(`${job.unit.name}: ${n} input transactions, ${simulator}, seed ${seed}, stall ${stall}`);
    const sub: SubUnitRun = async (unit, cfg, stimulus, name) => {
      log(`${name}: ${Object.values(stimulus).reduce((k, t) => k + t.count, 0)} input transactions`);
      const s = await runUnit(unit, cfg, stimulus, { simulator, seed, stall, workDir: path.join(workDir, name), rerunCommand: rerun, log });
      return { ok: s.ok, outputs: s.outputs, problem: s.problem, top: s.top, cycles: s.cycles, cyclesPerTxn: s.verilator?.throughput.cyclesPerTxn };
    };
    // Units whose stimulus comes partly from another unit's RTL (attention: the quantizer's cache image).
    const pre = job.unit.preCosim ? await job.unit.preCosim(job.config, job.stimulus, sub) : undefined;
    if (pre && !pre.ok) {
      console.error(`kvhdl cosim: ${pre.problem}`);
      return 1;
    }
    // loadJob already ran the golden model on the user's stimulus; a pre-run that rewrote it needs a new one
    const r = await runUnit(job.unit, job.config, pre?.stimulus ?? job.stimulus, {
      simulator, seed, stall, trace: values.trace === true, workDir, rerunCommand: rerun, log, expected: pre ? undefined : job.golden,
    });
    // Units whose outputs include tensors computed by another unit's RTL (quantizer: dequant.npy).
    let post: PostCosimResult | undefined;
    if (r.ok && job.unit.postCosim) post = await job.unit.postCosim(job.config, r.outputs, sub, { cycles: r.cycles });
    const ok = r.ok && (post?.ok ?? true);
    const problem = !r.ok ? r.problem : (post?.problem ?? '');
    const files = await writeOutputs(job, r.outputs, {
      unit: job.unit.name,
      config: job.config,
      top: r.top,
      simulator: r.simulator,
      ok,
      seed: r.seed,
      stall,
      cycles: r.cycles,
      transactions: r.transactions,
      ii: r.ii,
      iiUnderStall: r.iiUnderStall,
      latency: r.latency,
      ...(pre?.report ?? {}),
      ...(post?.report ?? {}),
      ...(ok ? {} : { problem, rerun: r.rerun }),
    }, post?.arrays);
    if (!ok) {
      console.error(problem);
      console.error(`kvhdl cosim: MISMATCH; wrote ${files.join(', ')} to ${job.outDir}`);
      return 1;
    }
    console.log(`cosim ${job.unit.name}: ok (${r.simulator}, ${r.cycles} cycles, II ${r.ii}${r.iiUnderStall ? ` measured under stall ${stall}` : ''}, latency ${r.latency ?? '-'}); wrote ${files.join(', ')} to ${job.outDir}`);
    return 0;
  },
};
