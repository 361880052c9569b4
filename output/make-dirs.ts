/**
 * `mkdir -p` without Node's recursive mkdir (which loops forever where mkdir answers ENOENT for an
 * existing parent, e.g. under /proc): makes each missing component in turn; errors name the path.
 */
import { mkdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { fsProblem } from './errors.ts';

export function makeDirs(dir: string): void {
  const missing: string[] = [];
  for (let p = path.resolve(dir); ; p = path.dirname(p)) {
    let exists = false;
    try {
      exists = statSync(p).isDirectory() || true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw fsProblem(p, e);
    }
    if (exists || p === path.dirname(p)) break;
    missing.push(p);
  }
  for (const p of missing.reverse()) {
    try {
      mkdirSync(p);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw fsProblem(p, e);
    }
  }
}
