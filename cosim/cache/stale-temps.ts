/**
 * Build directories left by interrupted builds. A build compiles in `<root>/.tmp-<key>-<pid>.<start>-XXXXXX`
 * (its owner's pid and /proc start time in the name) and renames it into place; a build that was
 * killed leaves it behind. `cleanStaleTemps` removes those older than STALE_TEMP_MS whose owner no
 * longer runs (names without an owner, from older versions, count as ownerless).
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { processStartTime, processStillRuns } from '../../toolchain/process-start.ts';

/** Age after which an ownerless build directory may be removed. */
export const STALE_TEMP_MS = 10 * 60 * 1000;

/** The mkdtemp prefix of a build directory for `key`, naming this process. */
export function tempPrefix(key: string): string {
  return `.tmp-${key}-${process.pid}.${processStartTime(process.pid) ?? '-'}-`;
}

const OWNED = /^\.tmp-[0-9a-f]+-(\d+)\.(\d+|-)-/;

/** Removes stale build directories under `root`; returns their names. Never throws. */
export async function cleanStaleTemps(root: string, now = Date.now()): Promise<string[]> {
  const removed: string[] = [];
  let names: string[];
  try {
    names = await fs.readdir(root);
  } catch {
    return removed;
  }
  for (const name of names) {
    if (!name.startsWith('.tmp-')) continue;
    const p = path.join(root, name);
    try {
      const st = await fs.stat(p);
      if (now - st.mtimeMs < STALE_TEMP_MS) continue;
      const m = OWNED.exec(name);
      if (m && processStillRuns(Number(m[1]), m[2] === '-' ? undefined : m[2])) continue;
      await fs.rm(p, { recursive: true, force: true });
      removed.push(name);
    } catch {
      // gone meanwhile, or not ours to remove
    }
  }
  return removed;
}
