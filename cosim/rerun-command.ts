/**
 * The re-run line of a co-simulation report, one shape for every back end (`backend.ts`):
 *
 * - when the run came from a command (the CLI passes `cliRerunCommand(...)`, e.g.
 *   `npx kvhdl cosim minmax --in x.npy --simulator icarus`), the line is that command with
 *   `--seed <seed> --trace`: it repeats the run, same simulator and seed, with a waveform;
 * - otherwise (the library API) it is the back end's own command that repeats its run directory
 *   with a waveform (`direct`: Verilator's `rerun.ts <runDir> --trace fst`, Icarus'
 *   `cd <runDir> && vvp -n tb.vvp +vcd`).
 */
import type { Simulator } from './backend.ts';

/** What a back end says about a finished run, from which `rerunLine` builds the re-run line. */
export interface RerunDescription {
  seed: number;
  /** The command the run came from, without `--seed`/`--trace` (see `cliRerunCommand`). */
  command?: string;
  /** The back end's own command that repeats the run directory with a waveform. */
  direct: string;
}

export function rerunLine(d: RerunDescription): string {
  return d.command ? `${d.command} --seed ${d.seed} --trace` : d.direct;
}

function shellWord(s: string): string {
  return /^[A-Za-z0-9_./=:-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Options the re-run line sets itself: dropped from the user's arguments (with their values). */
const SET_BY_RERUN = ['--seed', '--trace', '--simulator'];
const TAKES_VALUE = new Set(['--seed', '--simulator']);

/**
 * The command a report's re-run line starts with: `<program> <args>` without `--seed`, `--trace`
 * and `--simulator` (in either `--x v` or `--x=v` form), then `--simulator <simulator>`, so the
 * line names the simulator for every back end. Arguments are shell-quoted where needed.
 */
export function cliRerunCommand(program: readonly string[], args: readonly string[], simulator: Simulator): string {
  const kept: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const flag = SET_BY_RERUN.find((f) => a === f || a.startsWith(`${f}=`));
    if (flag === undefined) kept.push(a);
    else if (a === flag && TAKES_VALUE.has(flag)) i++; // its value
  }
  return [...program, ...kept, '--simulator', simulator].map(shellWord).join(' ');
}
