/** What `kvhdl cosim` and `kvhdl golden` share: the unit, its config, its .npy inputs and outputs. */
import * as path from 'node:path';
import { units, findUnit } from '../../gen/registry.ts';
import { loadConfig } from '../../gen/config.ts';
import { readJsonFile } from '../../gen/json-file.ts';
import { JsonTextError } from '../../gen/json-text.ts';
import type { AnyUnit, StreamData } from '../../gen/unit.ts';
import { readNpyFile, writeNpyFile, type NpyArray } from '../../data/npy.ts';
import { checkOutputsAvoidInputs, OutputError, outputDirProblem, OutputSet } from '../../output/index.ts';
import { UsageError } from '../args.ts';
import { outPathArg } from '../out-arg.ts';

export class InputError extends Error {}

export interface UnitJob {
  unit: AnyUnit;
  config: unknown;
  stimulus: StreamData;
  outDir: string;
  /** The golden model's outputs (run before anything else, so that the output names are known). */
  golden: StreamData;
}

export function unitUsage(cmd: string, what: string): string {
  const ins = units.map((u) => `    ${u.name}: ${[
    ...Object.entries(u.npyInputs).map(([k, d]) => (u.npyOptional?.includes(k) ? `[--${k} f.npy (${d})]` : `--${k} f.npy (${d})`)),
    ...Object.entries(u.jsonInputs ?? {}).map(([k, j]) => (j.optional ? `[--${k} f.json (${j.help})]` : `--${k} f.json (${j.help})`)),
  ].join(', ')}`).join('\n');
  return `usage: kvhdl ${cmd} <unit> --config f.json --<input> f.npy|f.json ... --out-dir DIR${cmd === 'cosim' ? ' [--seed N] [--stall P] [--trace] [--simulator verilator|icarus]' : ''}

${what}
Inputs per unit:
${ins}
  --config f.json   unit configuration (defaults for missing fields; see 'kvhdl list')
  --out-dir DIR     where the output .npy files and report.json go${cmd === 'cosim' ? `
  --seed N          seed of the random valid gaps / backpressure / X initialisation, 0..2^53-1 (default 1)
  --stall P         probability 0..1 of an input gap and of output backpressure per cycle (default 0)
  --trace           write a waveform into DIR/work/run (wave.fst; wave.vcd with icarus)
  --simulator S     verilator (default) or icarus` : ''}`;
}

/** Option names every unit's inputs may use. */
export function inputOptions(): Record<string, { type: 'string' }> {
  const o: Record<string, { type: 'string' }> = {};
  for (const u of units) for (const k of [...Object.keys(u.npyInputs), ...Object.keys(u.jsonInputs ?? {})]) o[k] = { type: 'string' };
  return o;
}

export async function loadJob(cmdUsage: string, positionals: string[], values: Record<string, unknown>): Promise<UnitJob> {
  const unit = findUnit(positionals[0]);
  if (!unit) throw new UsageError(`unknown unit '${positionals[0]}' (units: ${units.map((u) => u.name).join(', ')})`, cmdUsage);
  const outDir = outPathArg(values['out-dir'], '--out-dir', cmdUsage);
  const outProblem = outputDirProblem(outDir);
  if (outProblem) throw new OutputError(`--out-dir ${outProblem}`);
  const config = loadConfig(unit, values.config as string | undefined);
  const arrays: Record<string, NpyArray> = {};
  for (const k of Object.keys(unit.npyInputs)) {
    const f = values[k];
    if (f === undefined && unit.npyOptional?.includes(k)) continue;
    if (typeof f !== 'string') throw new UsageError(`${unit.name} needs --${k} f.npy (${unit.npyInputs[k]})`, cmdUsage);
    arrays[k] = await readNpyFile(f);
  }
  const json: Record<string, unknown> = {};
  for (const [k, j] of Object.entries(unit.jsonInputs ?? {})) {
    const f = values[k];
    if (f === undefined && j.optional) continue;
    if (typeof f !== 'string') throw new UsageError(`${unit.name} needs --${k} f.json (${j.help})`, cmdUsage);
    json[k] = readJsonInput(k, f, j.exactIntegers === true);
  }
  const own = new Set([...Object.keys(unit.npyInputs), ...Object.keys(unit.jsonInputs ?? {})]);
  for (const k of Object.keys(inputOptions())) {
    if (values[k] !== undefined && !own.has(k)) throw new UsageError(`${unit.name} takes no --${k}`, cmdUsage);
  }
  let stimulus: StreamData;
  try {
    stimulus = unit.fromNpy(config, arrays, json);
  } catch (e) {
    const files = [...own].filter((k) => values[k] !== undefined).map((k) => `--${k} ${String(values[k])}`).join(', ');
    throw new InputError(`${files}: ${(e as Error).message}`);
  }
  // Every output file name, known before anything is written or simulated: none may be an input.
  const golden = unit.golden(config, stimulus);
  const names = [...Object.keys(unit.toNpy(config, golden)).map((n) => `${n}.npy`), 'report.json'];
  const inputs = Object.fromEntries([...own].filter((k) => typeof values[k] === 'string').map((k) => [`--${k}`, values[k] as string]));
  if (typeof values.config === 'string') inputs['--config'] = values.config;
  checkOutputsAvoidInputs(inputs, [...names, 'work'].map((n) => path.join(outDir, n)));
  new OutputSet(outDir, { command: 'kvhdl', kind: 'set', inputs }).precheck(names);
  for (const [opt, p] of Object.entries(inputs)) {
    if (path.resolve(p).startsWith(path.join(outDir, 'work') + path.sep)) throw new UsageError(`${opt} ${p}: is inside ${path.join(outDir, 'work')}, kvhdl's scratch directory; move it`, cmdUsage);
  }
  return { unit, config, stimulus, outDir, golden };
}

/** Reads and parses a JSON input file (gen/json-file.ts: a regular file, at most 16 MiB); problems are an InputError naming it. */
function readJsonInput(option: string, file: string, exactIntegers = false): unknown {
  try {
    return readJsonFile(file, { exactIntegers });
  } catch (e) {
    if (e instanceof JsonTextError) throw new InputError(`--${option} ${file}: ${e.message}`);
    throw e;
  }
}

/** Writes the output tensors and report.json; returns the written file names. */
export async function writeOutputs(job: UnitJob, outputs: StreamData, report: Record<string, unknown>, extra: Record<string, NpyArray> = {}): Promise<string[]> {
  const arrays = { ...job.unit.toNpy(job.config, outputs), ...extra };
  const out = new OutputSet(job.outDir, { command: `kvhdl ${String(report.simulator) === 'golden' ? 'golden' : 'cosim'}`, kind: 'set' });
  try {
    for (const [name, a] of Object.entries(arrays)) await out.stage(`${name}.npy`, (tmp) => writeNpyFile(tmp, a));
    out.put('report.json', JSON.stringify(report, null, 2) + '\n');
    out.commit();
  } finally {
    out.discard();
  }
  return out.names;
}
