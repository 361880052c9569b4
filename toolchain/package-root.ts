/**
 * kvhdl's own files (the Verilator runtime C++, the FireSim harness, the YoWASP child script, the
 * units' READMEs) are found from the package root, the directory whose package.json is kvhdl's.
 * The same code then works from the TypeScript sources (`<root>/cosim/...`), from the build
 * (`<root>/dist/cosim/...`) and from an installed package (`node_modules/kvhdl/`).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The nearest directory at or above `start` holding kvhdl's package.json. */
export function findPackageRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    const pkg = path.join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: unknown }).name === 'kvhdl') return dir;
      } catch {
        // not a readable package.json: keep looking upwards
      }
    }
    if (path.dirname(dir) === dir) throw new Error(`kvhdl: no kvhdl package.json above ${start} (kvhdl's files are missing)`);
  }
}

/** The package root of this installation (sources, dist/ or node_modules/kvhdl). */
export const PACKAGE_ROOT = findPackageRoot(path.dirname(fileURLToPath(import.meta.url)));

/** A file or directory of the package, from its path in the repository (`cosim/verilator/runtime`). */
export function packageFile(rel: string): string {
  return path.join(PACKAGE_ROOT, ...rel.split('/'));
}
