/**
 * A cross-process lock (a directory made atomically with mkdir), used where parallel test
 * processes share state: the apt install and the Verilator build cache. A lock whose owner
 * process is gone (same host), or that is older than LOCK_STALE_MS, is broken.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const LOCK_STALE_MS = 20 * 60 * 1000;
const LOCK_WAIT_MS = 25 * 60 * 1000;
const LOCK_POLL_MS = 200;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Take a cross-process lock by creating a directory (atomic). A lock whose owner process is gone
 * (same host) or that is older than LOCK_STALE_MS is broken. Returns the release function.
 */
export async function acquireLock(lockDir: string, waitMs = LOCK_WAIT_MS, what = 'lock'): Promise<() => Promise<void>> {
  const deadline = Date.now() + waitMs;
  const host = os.hostname();
  for (;;) {
    try {
      await fs.mkdir(lockDir);
      const token = `${process.pid} ${Date.now()} ${host} ${Math.random().toString(36).slice(2)}`;
      await fs.writeFile(path.join(lockDir, 'owner'), token);
      return async () => {
        try {
          const now = await fs.readFile(path.join(lockDir, 'owner'), 'utf8');
          if (now === token) await fs.rm(lockDir, { recursive: true, force: true });
        } catch {
          // already gone
        }
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    // Somebody holds it. Is it stale?
    let stale = false;
    try {
      const owner = await fs.readFile(path.join(lockDir, 'owner'), 'utf8');
      const [pidStr, tStr, ownerHost] = owner.split(' ');
      const age = Date.now() - Number(tStr);
      stale = age > LOCK_STALE_MS || (ownerHost === host && !pidAlive(Number(pidStr)));
    } catch {
      // No owner file yet: either the owner is between mkdir and writeFile, or it died there.
      try {
        const st = await fs.stat(lockDir);
        stale = Date.now() - st.mtimeMs > 10_000;
      } catch {
        continue; // vanished: retry at once
      }
    }
    if (stale) {
      // Rename first (atomic, only one breaker wins), then delete.
      const grave = `${lockDir}.stale-${process.pid}-${Date.now()}`;
      try {
        await fs.rename(lockDir, grave);
        await fs.rm(grave, { recursive: true, force: true });
      } catch {
        // someone else broke it
      }
      continue;
    }
    if (Date.now() > deadline) {
      throw new Error(`kvhdl: timed out waiting for the ${what} ${lockDir}; remove it if nothing holds it`);
    }
    await sleep(LOCK_POLL_MS);
  }
}

