/**
 * The fixed C++ of the Verilator testbench (`runtime/`): its files, the sources Verilator compiles,
 * and their hash (part of the build-cache key, so editing the runtime rebuilds every simulator).
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { packageFile } from '../../toolchain/package-root.ts';

export const RUNTIME_DIR = packageFile('cosim/verilator/runtime');

let files: { name: string; contents: Buffer }[] | undefined;

/** Every runtime file (name and contents), by name; read once per process. */
export function runtimeFiles(): { name: string; contents: Buffer }[] {
  files ??= readdirSync(RUNTIME_DIR)
    .filter((n) => /\.(h|cpp)$/.test(n))
    .sort()
    .map((name) => ({ name, contents: readFileSync(path.join(RUNTIME_DIR, name)) }));
  return files;
}

/** The runtime's translation units, as Verilator's last arguments (`tb.cpp`, with main, last). */
export function runtimeSources(): string[] {
  const cpp = runtimeFiles()
    .map((f) => f.name)
    .filter((n) => n.endsWith('.cpp') && n !== 'tb.cpp');
  return [...cpp, 'tb.cpp'];
}

let hash: string | undefined;

/** sha256 over the runtime files' names and contents. */
export function runtimeHash(): string {
  if (hash === undefined) {
    const h = createHash('sha256');
    for (const f of runtimeFiles()) h.update(`${f.name}\0${f.contents.length}\0`).update(f.contents);
    hash = h.digest('hex');
  }
  return hash;
}
