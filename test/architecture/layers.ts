/**
 * The layer order of kvhdl's top-level folders (README "Layers"): a file may import files of its
 * own folder and of folders in lower layers; folders in one layer are peers and do not import
 * each other.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';

/** Bottom first. */
export const LAYERS: readonly (readonly string[])[] = [
  ['output', 'toolchain', 'data'],
  ['hdl'],
  ['gen', 'cosim'],
  ['flow', 'formal'],
  ['fpga'],
  ['cli'],
  ['examples'],
  ['bench', 'test'],
];

export interface LayerViolation {
  file: string;
  line: number;
  target: string;
  why: string;
}

function layerOf(folder: string): number {
  return LAYERS.findIndex((l) => l.includes(folder));
}

function sourceFiles(root: string, dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(path.join(root, dir))) {
    if (name === 'node_modules' || name.startsWith('.') || name === 'out') continue;
    const rel = path.join(dir, name);
    if (statSync(path.join(root, rel)).isDirectory()) out.push(...sourceFiles(root, rel));
    else if (/\.(ts|mts|mjs|js)$/.test(name)) out.push(rel);
  }
  return out;
}

const IMPORT = /(?:\bfrom\s+|\bimport\s*\(\s*|^\s*import\s+)'(\.{1,2}\/[^']+)'/gm;

/** Every import in `root`'s layered folders that runs against the layer order. */
export function layerViolations(root: string): LayerViolation[] {
  const found: LayerViolation[] = [];
  for (const folder of LAYERS.flat()) {
    let files: string[];
    try {
      files = sourceFiles(root, folder);
    } catch {
      continue;
    }
    for (const file of files) {
      const text = readFileSync(path.join(root, file), 'utf8');
      for (const m of text.matchAll(IMPORT)) {
        const target = path.normalize(path.join(path.dirname(file), m[1]));
        const to = target.split(path.sep)[0];
        if (to === folder) continue;
        const line = text.slice(0, m.index).split('\n').length;
        const [a, b] = [layerOf(folder), layerOf(to)];
        if (b < 0) found.push({ file, line, target, why: `'${to}/' is in no layer` });
        else if (b > a) found.push({ file, line, target, why: `${folder}/ (layer ${a}) imports ${to}/ (layer ${b}, above it)` });
        else if (b === a) found.push({ file, line, target, why: `${folder}/ and ${to}/ are peers (layer ${a})` });
      }
    }
  }
  return found;
}
