/**
 * Synthesis results cached by content: `<cacheRoot>/synth/<sha256>.json`, where the hash covers the
 * Verilog text, the target and its options, the flow version and the tool versions. cacheRoot is
 * `$KVHDL_CACHE_DIR`, else `<repo>/.cache` (as for the Verilator builds).
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { cacheRoot } from '../cosim/verilator/build.ts';

export function synthCacheDir(explicit?: string): string {
  return path.join(cacheRoot(explicit), 'synth');
}

export function synthCacheKey(parts: unknown): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}

export async function readSynthCache<T>(dir: string, key: string): Promise<T | undefined> {
  try {
    return JSON.parse(await fs.readFile(path.join(dir, `${key}.json`), 'utf8')) as T;
  } catch {
    return undefined;
  }
}

export async function writeSynthCache(dir: string, key: string, value: unknown): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  const file = path.join(dir, `${key}.json`);
  const tmp = `${file}.${process.pid}.tmp`;
  await fs.writeFile(tmp, JSON.stringify(value, null, 2) + '\n');
  await fs.rename(tmp, file); // atomic: concurrent writers of one key write the same content
}
