/**
 * Source locations of builder calls: the first stack frame outside the DSL core, as
 * `path/relative/to/cwd.ts:line`. Used in error messages and in the Verilog locator comments.
 */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export type SourceLoc = string;

const coreDir = path.dirname(fileURLToPath(import.meta.url));
const hdlDir = path.dirname(coreDir);
/** kvhdl's root: the sources' (`<root>/hdl`) or the build's (`<root>/dist/hdl`). */
const built = import.meta.url.endsWith('.js');
const kvhdlRoot = built ? path.dirname(path.dirname(hdlDir)) : path.dirname(hdlDir);
// Run from dist/, stack frames name the TypeScript sources through the source maps (bin/kvhdl.js
// enables them), so the sources' hdl/core and hdl/emit are internal too.
const hdlDirs = built ? [hdlDir, path.join(kvhdlRoot, 'hdl')] : [hdlDir];
const internalDirs = hdlDirs.flatMap((d) => [path.join(d, 'core') + path.sep, path.join(d, 'emit') + path.sep]);
/** Formal helpers whose properties and registers are located at their caller (the design's line). */
const internalFiles = new Set(hdlDirs.flatMap((d) => ['temporal', 'stream-contract'].map((f) => path.join(d, 'lib', `${f}${built && d === hdlDir ? '.js' : '.ts'}`))));

const frameRe = /\(?((?:file:\/\/)?\/[^():]+|[A-Za-z]:\\[^():]+):(\d+):\d+\)?\s*$/;

function isInternal(file: string): boolean {
  if (file.startsWith('node:') || internalDirs.some((d) => file.startsWith(d)) || internalFiles.has(file)) return true;
  // Dependencies are internal; kvhdl's own units and stdlib stay callers also when kvhdl itself is
  // installed under node_modules.
  const own = file.startsWith(kvhdlRoot + path.sep) ? file.slice(kvhdlRoot.length) : file;
  return own.includes(`${path.sep}node_modules${path.sep}`);
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
