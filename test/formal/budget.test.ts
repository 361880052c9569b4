// kvhdl prove's time budget: when it runs out, every assertion not yet proved is reported bounded
// (timed out) to the deepest BMC step that completed, never proved; BMC progress is logged per step.
import { mkdtempSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fifoModule } from '../../hdl/lib/index.ts';
import { proveModule } from '../../formal/prove.ts';
import { proveReport } from '../../formal/format.ts';

const work = (name: string) => mkdtempSync(path.join(os.tmpdir(), `kvhdl-prove-${name}-`));

describe('kvhdl prove: time budget and progress', () => {
  it('a budget that runs out reports bounded (timed out), not proved', async () => {
    const r = await proveModule(fifoModule(4, 4), { depth: 12, workDir: work('budget'), timeoutMs: 1 });
    const text = proveReport(r);
    expect(r.timedOut, text).toBe(true);
    expect(r.properties.length).toBeGreaterThan(0);
    for (const p of r.properties) {
      expect(p.status, text).toBe('bounded');
      expect(p.timedOut).toBe(true);
      expect(p.bound).toBe(0);
      expect(p.reason).toMatch(/time budget of .* ran out .*no counterexample within 0 cycles/);
    }
    expect(r.covers.every((c) => c.status === 'not-reached' && /time budget/.test(c.reason ?? ''))).toBe(true);
    expect(text).toMatch(/bounded \(0 cycles, timed out; /);
    expect(text).toMatch(/time budget of .* min ran out: what it cut is reported bounded or not reached, never proved/);
  });

  it('each completed BMC step is logged while Yosys runs; a generous budget changes nothing', async () => {
    const lines: string[] = [];
    const r = await proveModule(fifoModule(4, 4), { depth: 12, workDir: work('progress'), timeoutMs: 20 * 60_000, log: (l) => lines.push(l) });
    expect(r.timedOut).toBe(false);
    expect(r.properties.every((p) => p.status === 'proved' && !p.timedOut), proveReport(r)).toBe(true);
    expect(lines.some((l) => /000-all: BMC step 1\/12 done, no counterexample/.test(l)), lines.join('\n')).toBe(true);
  });
});
