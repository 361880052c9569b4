/** One output file (e.g. `kvhdl calibrate --out thresholds.json`): the OutputSet rule for a single path. */
import * as path from 'node:path';
import { OutputSet } from './writer.ts';

/** Fails early with the refusal commitSingleFile would give (a file in the way, an input named as output). */
export function precheckSingleFile(file: string, command: string, inputs?: Record<string, string>): void {
  const abs = path.resolve(file);
  new OutputSet(path.dirname(abs), { command, kind: 'file', inputs }).precheck([path.basename(abs)]);
}

export function commitSingleFile(file: string, data: string | Uint8Array, command: string): string {
  const abs = path.resolve(file);
  const set = new OutputSet(path.dirname(abs), { command, kind: 'file' });
  set.put(path.basename(abs), data);
  set.commit();
  return abs;
}
