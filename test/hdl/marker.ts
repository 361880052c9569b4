/** Finds the line of a `// @name` marker in a test file, to assert source locations independently. */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

export function markerLoc(file: string, name: string): string {
  const lines = readFileSync(file, 'utf8').split('\n');
  const i = lines.findIndex((l) => l.includes(`// @${name}`) && !l.includes('markerLoc'));
  if (i < 0) throw new Error(`marker @${name} not found in ${file}`);
  return `${path.relative(process.cwd(), file).split(path.sep).join('/')}:${i + 1}`;
}
