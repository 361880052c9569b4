/**
 * Source locations of builder calls: the first stack frame outside the DSL core, as
 * `path/relative/to/cwd.ts:line`. Used in error messages and in the Verilog locator comments.
 */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export type SourceLoc = string;

const coreDir = path.dirname(fileURLToPath(import.meta.url));
const hdlDir = path.dirname(coreDir);
const internalDirs = [coreDir + path.sep, path.join(hdlDir, 'emit') + path.sep];
/** Formal helpers whose properties and registers are located at their caller (the design's line). */
const internalFiles = new Set(['temporal.ts', 'stream-contract.ts'].map((f) => path.join(hdlDir, 'lib', f)));

const frameRe = /\(?((?:file:\/\/)?\/[^():]+|[A-Za-z]:\\[^():]+):(\d+):\d+\)?\s*$/;

function isInternal(file: string): boolean {
  if (file.startsWith('node:') || file.includes(`${path.sep}node_modules${path.sep}`)) return true;
  return internalDirs.some((d) => file.startsWith(d)) || internalFiles.has(file);
}

export function displayPath(file: string): string {
  const cwd = process.cwd();
  const rel = path.relative(cwd, file);
  return !rel.startsWith('..') && !path.isAbsolute(rel) ? rel.split(path.sep).join('/') : file;
}

/** Location of the nearest caller outside hdl/core and hdl/emit. */
export function captureLoc(): SourceLoc {
  const saved = Error.stackTraceLimit;
  Error.stackTraceLimit = 30;
  const stack = new Error().stack ?? '';
  Error.stackTraceLimit = saved;
  const lines = stack.split('\n');
  for (let i = 1; i < lines.length; i++) {
    const m = frameRe.exec(lines[i]);
    if (!m) continue;
    let file = m[1];
    if (file.startsWith('file://')) file = fileURLToPath(file);
    if (isInternal(file)) continue;
    return `${displayPath(file)}:${m[2]}`;
  }
  return '<unknown>';
}
