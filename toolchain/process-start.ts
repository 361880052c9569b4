/**
 * Whether a process is alive, and its start time, so that a recorded (pid, start) pair is not
 * fooled by PID reuse: a live process with the same pid but another start time is somebody else.
 */
import { readFileSync } from 'node:fs';

/** True when a process with this pid exists (EPERM: it exists but belongs to another user). */
export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The start time of a process as Linux records it: field 22 of /proc/<pid>/stat (clock ticks
 * since boot), as a decimal string. Undefined where /proc is absent (macOS, BSD) or the process
 * is gone; callers then fall back to "alive or not".
 */
export function processStartTime(pid: number): string | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so split after the last ')'.
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const start = rest[22 - 3]; // rest[0] is field 3 (state)
  return start !== undefined && /^\d+$/.test(start) ? start : undefined;
}

/**
 * Whether the process recorded as (pid, start) still runs. Without a recorded start time (an
 * older record, or no /proc when it was written) or without /proc now, only the pid is checked.
 */
export function processStillRuns(pid: number, start: string | undefined): boolean {
  if (!pidAlive(pid)) return false;
  if (start === undefined) return true;
  const now = processStartTime(pid);
  return now === undefined || now === start;
}
