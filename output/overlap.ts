/** Refuses, before anything runs, a command whose output path would be one of its input files. */
import { realpathSync } from 'node:fs';
import * as path from 'node:path';
import { OutputError } from './errors.ts';

/** The path with every existing prefix resolved through symbolic links (the rest kept as given). */
function canonical(p: string): string {
  const abs = path.resolve(p);
  const tail: string[] = [];
  for (let cur = abs; ; cur = path.dirname(cur)) {
    try {
      return path.join(realpathSync(cur), ...tail.reverse());
    } catch {
      if (cur === path.dirname(cur)) return abs;
      tail.push(path.basename(cur));
    }
  }
}

/**
 * Throws an OutputError when an output file (absolute or relative path) is an input file, or the
 * output directory is an input file. `inputs` maps the option that named each input to its path.
 */
export function checkOutputsAvoidInputs(inputs: Record<string, string>, outputs: readonly string[]): void {
  const ins = new Map(Object.entries(inputs).map(([opt, p]) => [canonical(p), `${opt} ${p}`]));
  for (const o of outputs) {
    const hit = ins.get(canonical(o));
    if (hit) throw new OutputError(`${o}: is both an output and the input ${hit}; choose another output location`);
  }
}
