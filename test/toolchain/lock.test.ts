// The shared cross-process lock: PID reuse is detected through the owner's start time, and a
// waiter says whom it waits for (reliability issue #13, item 8).
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireLock } from '../../toolchain/lock.ts';
import { processStartTime, processStillRuns } from '../../toolchain/process-start.ts';

let dir: string;
beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kvhdl-lock-'));
});
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

/** Runs `fn` with a live process that is not ours to know about (a sleeping child). */
async function withLiveStranger<T>(fn: (pid: number) => Promise<T>): Promise<T> {
  const child = execa('sleep', ['60'], { reject: false, timeout: 120_000 });
  try {
    return await fn(child.pid!);
  } finally {
    child.kill();
    await child;
  }
}

describe('acquireLock: owners recorded by pid and start time', () => {
  it('reads a process start time from /proc (field 22) and tells a reused pid from its owner', async () => {
    const start = processStartTime(process.pid);
    expect(start).toMatch(/^\d+$/);
    expect(processStillRuns(process.pid, start)).toBe(true);
    expect(processStillRuns(process.pid, String(Number(start) + 1))).toBe(false);
    expect(processStillRuns(process.pid, undefined)).toBe(true);
    expect(processStillRuns(4194305, undefined)).toBe(false);
  });

  it('records pid and start time in the owner file', async () => {
    const lock = path.join(dir, 'rec');
    const release = await acquireLock(lock, 5000);
    const owner = (await fs.readFile(path.join(lock, 'owner'), 'utf8')).split(' ');
    expect(Number(owner[0])).toBe(process.pid);
    expect(owner[2]).toBe(os.hostname());
    expect(owner[4]).toBe(processStartTime(process.pid));
    await release();
  });

  it('breaks a lock whose pid now belongs to a live, unrelated process (PID reuse)', async () => {
    await withLiveStranger(async (pid) => {
      const lock = path.join(dir, 'reused');
      await fs.mkdir(lock);
      const realStart = processStartTime(pid)!;
      // The recorded owner had this pid but started at another time: it is gone.
      await fs.writeFile(path.join(lock, 'owner'), `${pid} ${Date.now()} ${os.hostname()} x ${Number(realStart) - 1}`);
      const lines: string[] = [];
      const release = await acquireLock(lock, 60_000, 'test lock', { log: (l) => lines.push(l) });
      expect((await fs.readFile(path.join(lock, 'owner'), 'utf8')).startsWith(`${process.pid} `)).toBe(true);
      expect(lines).toEqual([]);
      await release();
    });
  });

  it('waits for a live holder and says whom it waits for and how to break the lock', async () => {
    await withLiveStranger(async (pid) => {
      const lock = path.join(dir, 'live');
      await fs.mkdir(lock);
      const since = Date.now() - 1000; // a recent lock (an old one is stale after LOCK_STALE_MS and broken)
      const sinceText = new Date(since).toISOString();
      await fs.writeFile(path.join(lock, 'owner'), `${pid} ${since} ${os.hostname()} x ${processStartTime(pid)}`);
      const lines: string[] = [];
      await expect(acquireLock(lock, 500, 'Verilator build lock', { log: (l) => lines.push(l), noticeMs: 0 })).rejects.toThrow(
        `held by pid ${pid} since ${sinceText}`,
      );
      expect(lines).toEqual([
        `kvhdl: waiting for the Verilator build lock held by pid ${pid} since ${sinceText} (remove ${lock} to break it)`,
      ]);
      await fs.rm(lock, { recursive: true });
    });
  });
});
