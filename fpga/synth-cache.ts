/**
 * Synthesis results cached by content: `<cacheRoot>/synth/<sha256>.json`, where the hash covers the
 * Verilog text, the target and its options, the flow version and the tool versions. cacheRoot is
 * `$KVHDL_CACHE_DIR`, else `<repo>/.cache` (as for the Verilator builds).
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { cacheRoot, userCacheRoot } from '../cosim/cache-root.ts';

/** The shared synthesis cache (`<cacheRoot>/synth`). */
export function synthCacheDir(explicit?: string): string {
  return path.join(cacheRoot(explicit), 'synth');
}

/** Where results are looked up and written, in order: the shared cache, then the per-user fallback. */
export function synthCacheDirs(explicit?: string): string[] {
  return [synthCacheDir(explicit), path.join(userCacheRoot(), 'synth')];
}

export function synthCacheKey(parts: unknown): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}

export async function readSynthCache<T>(dirs: string | readonly string[], key: string): Promise<T | undefined> {
  for (const dir of typeof dirs === 'string' ? [dirs] : dirs) {
    try {
      return JSON.parse(await fs.readFile(path.join(dir, `${key}.json`), 'utf8')) as T;
    } catch {
      // not there (or unreadable): try the next
    }
  }
  return undefined;
}

/**
 * Stores a result in the first directory that takes it (world-readable, so other users share it);
 * returns that directory, or undefined when none could be written (a cache write never fails a run).
 */
export async function writeSynthCache(dirs: string | readonly string[], key: string, value: unknown): Promise<string | undefined> {
  for (const dir of typeof dirs === 'string' ? [dirs] : dirs) {
    const file = path.join(dir, `${key}.json`);
    const tmp = `${file}.${process.pid}.tmp`;
    try {
      await fs.mkdir(dir, { recursive: true, mode: 0o755 });
      await fs.writeFile(tmp, JSON.stringify(value, null, 2) + '\n', { mode: 0o644 });
      await fs.rename(tmp, file); // atomic: concurrent writers of one key write the same content
      return dir;
    } catch {
      await fs.rm(tmp, { force: true }).catch(() => undefined);
    }
  }
  return undefined;
}
