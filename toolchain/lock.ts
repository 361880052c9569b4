/**
 * The cross-process lock (a directory made atomically with mkdir), used wherever parallel
 * processes share state: the apt install, the Verilator build cache, the FireSim harness build.
 *
 * The owner file records `<pid> <since-ms> <host> <token> <start>`, where start is the owner's
 * start time from /proc/<pid>/stat (field 22; `-` where /proc is absent). A lock is broken when
 * its owner (same host) is gone, when its pid now belongs to a process with another start time
 * (PID reuse), or when it is older than LOCK_STALE_MS. A waiter says after LOCK_NOTICE_MS who it
 * waits for and how to break the lock.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { processStartTime, processStillRuns } from './process-start.ts';

const LOCK_STALE_MS = 20 * 60 * 1000;
const LOCK_WAIT_MS = 25 * 60 * 1000;
const LOCK_POLL_MS = 200;
/** How long a waiter waits silently before it says what it waits for. */
const LOCK_NOTICE_MS = 3000;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export interface LockOptions {
  /** Progress lines, e.g. the "waiting for ..." notice (default: none). */
  log?: (line: string) => void;
  /** Wait this long before the notice (default 3 s). */
  noticeMs?: number;
}

interface Owner {
  pid: number;
  since: number;
  host: string;
  start?: string;
}

function parseOwner(text: string): Owner {
  const [pid, since, host, , start] = text.trim().split(' ');
  return { pid: Number(pid), since: Number(since), host: host ?? '', start: start && start !== '-' ? start : undefined };
}

/**
 * Takes a cross-process lock by creating the directory `lockDir` (atomic). A stale lock (see the
 * module comment) is broken. Waits at most `waitMs`, then throws. Returns the release function.
 */
export async function acquireLock(
  lockDir: string,
  waitMs = LOCK_WAIT_MS,
  what = 'lock',
  opts: LockOptions = {},
): Promise<() => Promise<void>> {
  const t0 = Date.now();
  const deadline = t0 + waitMs;
  const host = os.hostname();
  const noticeAt = t0 + (opts.noticeMs ?? LOCK_NOTICE_MS);
  let noticed = false;
  for (;;) {
    try {
      await fs.mkdir(lockDir);
      const token = `${process.pid} ${Date.now()} ${host} ${Math.random().toString(36).slice(2)} ${processStartTime(process.pid) ?? '-'}`;
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
    let owner: Owner | undefined;
    try {
      owner = parseOwner(await fs.readFile(path.join(lockDir, 'owner'), 'utf8'));
      const age = Date.now() - owner.since;
      stale = age > LOCK_STALE_MS || (owner.host === host && !processStillRuns(owner.pid, owner.start));
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
    const holder = owner
      ? `pid ${owner.pid}${owner.host !== host ? ` on ${owner.host}` : ''} since ${Number.isFinite(owner.since) ? new Date(owner.since).toISOString() : 'an unknown time'}`
      : 'a process that has not written its owner file yet';
    if (!noticed && Date.now() >= noticeAt) {
      noticed = true;
      opts.log?.(`kvhdl: waiting for the ${what} held by ${holder} (remove ${lockDir} to break it)`);
    }
    if (Date.now() > deadline) {
      throw new Error(`kvhdl: timed out waiting for the ${what} ${lockDir} held by ${holder}; remove it if nothing holds it`);
    }
    await sleep(LOCK_POLL_MS);
  }
}
