/**
 * Where kvhdl caches builds and default run directories: `$KVHDL_CACHE_DIR`, else `<repo>/.cache`
 * (the shared cache). When the shared cache cannot be written by this user (e.g. root created it),
 * builds and runs go to a per-user cache, `<os.tmpdir()>/kvhdl-cache-<uid>`, with one line saying
 * so; entries already in the shared cache are still used (they are world-readable, see
 * `cache/share-entry.ts`). See cosim/README.md, "Build cache".
 */
import { promises as fs, constants as fsc } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PACKAGE_ROOT } from '../toolchain/package-root.ts';

/** Repository root (the directory that holds kvhdl's package.json; also from dist/ and node_modules/kvhdl). */
export const REPO_ROOT = PACKAGE_ROOT;

/** The shared cache root: `explicit`, else `$KVHDL_CACHE_DIR`, else `<repo>/.cache`. */
export function cacheRoot(explicit?: string): string {
  return path.resolve(explicit ?? process.env.KVHDL_CACHE_DIR ?? path.join(REPO_ROOT, '.cache'));
}

/** The per-user fallback cache root. */
export function userCacheRoot(): string {
  return path.join(os.tmpdir(), `kvhdl-cache-${process.getuid?.() ?? 'user'}`);
}

const announced = new Set<string>();

/**
 * A cache root this process can write `sub` in: the shared one (creating `<root>/<sub>`), else the
 * per-user one, saying so once per process through `log`. Throws when neither is usable.
 */
export async function writableCacheRoot(explicit: string | undefined, sub: string, log?: (line: string) => void): Promise<string> {
  const shared = cacheRoot(explicit);
  const problem = await unwritable(path.join(shared, sub));
  if (!problem) return shared;
  const user = userCacheRoot();
  await fs.mkdir(user, { recursive: true, mode: 0o700 });
  const st = await fs.lstat(user);
  const uid = process.getuid?.();
  if (!st.isDirectory() || (uid !== undefined && st.uid !== uid)) {
    throw new Error(`kvhdl: the cache ${shared} is not writable (${problem}) and ${user} is not a directory of this user`);
  }
  const userProblem = await unwritable(path.join(user, sub));
  if (userProblem) throw new Error(`kvhdl: neither the cache ${shared} (${problem}) nor ${user} (${userProblem}) is writable`);
  if (!announced.has(shared)) {
    announced.add(shared);
    log?.(`kvhdl: the cache ${shared} is not writable (${problem}); using ${user} for new builds and runs`);
  }
  return user;
}

/** Why `dir` cannot be created or written, or undefined when it can. */
async function unwritable(dir: string): Promise<string | undefined> {
  try {
    await fs.mkdir(dir, { recursive: true });
    await fs.access(dir, fsc.W_OK | fsc.X_OK);
    return undefined;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code ?? (e as Error).message;
  }
}
