/**
 * A scratch directory kvhdl owns as a whole (cosim's `<out-dir>/work/`: generated RTL, simulator
 * inputs and results, waveforms). It carries a marker file; kvhdl refuses to use an existing
 * directory of that name without the marker, so it never writes into a user's folder.
 */
import { lstatSync, mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fsProblem, OutputError } from './errors.ts';
import { makeDirs } from './make-dirs.ts';

export const SCRATCH_MARKER = '.kvhdl-scratch';

/** Makes (or re-uses) the scratch directory `dir`; returns its absolute path. */
export function scratchDir(dir: string, command: string): string {
  const abs = path.resolve(dir);
  const marker = path.join(abs, SCRATCH_MARKER);
  let st;
  try {
    st = lstatSync(abs);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw fsProblem(abs, e);
  }
  if (st) {
    let marked = false;
    try {
      marked = lstatSync(marker).isFile();
    } catch {
      marked = false;
    }
    if (!st.isDirectory() || st.isSymbolicLink() || !marked) {
      throw new OutputError(`${abs}: exists and is not a scratch directory of kvhdl (no ${SCRATCH_MARKER}); move it away or choose another output directory`);
    }
    return abs;
  }
  try {
    makeDirs(abs);
    writeFileSync(marker, `kvhdl's scratch directory (${command}): everything in it may be replaced.\n`);
  } catch (e) {
    throw fsProblem(abs, e);
  }
  return abs;
}
