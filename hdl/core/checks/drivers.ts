/** Design rules about drivers: every signal that needs a driver has one on every path (no latches). */
import type { Signal } from '../expr.ts';
import type { Stmt } from '../ir.ts';
import { coversAllPaths, pruneFor, targetsOf } from '../stmt-tree.ts';

export interface DriverProblem {
  signal: Signal;
  kind: 'driver' | 'latch';
  message: string;
}

const label: Record<string, string> = {
  output: 'output port',
  wire: 'wire',
  reg: 'register',
  instin: 'instance input',
};

export function checkDrivers(signals: readonly Signal[], body: readonly Stmt[]): DriverProblem[] {
  const driven = targetsOf(body);
  const out: DriverProblem[] = [];
  for (const s of signals) {
    if (!(s.kind in label)) continue;
    if (!driven.has(s)) {
      const what = s.kind === 'instin' ? `input '${s.name}' of an instance is not connected` : `${label[s.kind]} '${s.name}' has no driver`;
      out.push({ signal: s, kind: 'driver', message: what });
      continue;
    }
    if (s.kind !== 'reg' && !coversAllPaths(pruneFor(body, s))) {
      out.push({
        signal: s,
        kind: 'latch',
        message: `${label[s.kind]} '${s.name}' is not assigned on every path (this would infer a latch); assign a default before the when/switch or add an otherwise`,
      });
    }
  }
  return out;
}
