// kvhdl prove on the stdlib blocks and on injected bugs: the real FIFO and skid buffer are proved by
// k-induction; each mutant fails with a counterexample whose Verilator replay trips the same assertion.
import { mkdtempSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Module } from '../../hdl/index.ts';
import { fifoModule, skidBufferModule } from '../../hdl/lib/index.ts';
import { proveModule, type ProveResult } from '../../formal/prove.ts';
import { proveReport } from '../../formal/format.ts';
import { runReplay } from '../../formal/replay.ts';
import { fifoAcceptingWhenFull, skidDroppingABeat, stageChangingPayload } from './mutants.ts';

const work = (name: string) => mkdtempSync(path.join(os.tmpdir(), `kvhdl-prove-${name}-`));

async function prove(m: Module, depth = 12): Promise<ProveResult> {
  return proveModule(m, { depth, workDir: work(m.name) });
}

describe('kvhdl prove: stdlib blocks', () => {
  it('the FIFO: every assertion proved by induction, "full" reached', async () => {
    const r = await prove(fifoModule(4, 4));
    expect(r.properties.map((p) => p.status), proveReport(r)).toEqual(r.properties.map(() => 'proved'));
    expect(r.properties.map((p) => p.message)).toContain('fifo no overflow: no write into a full memory');
    expect(r.properties.every((p) => p.k! >= 1 && p.k! <= 12)).toBe(true);
    const full = r.covers.find((c) => c.message === 'fifo becomes full')!;
    expect(full.status).toBe('reached');
    // reset cycle 0; five writes fill the memory (one entry sits in the read register)
    expect(full.cycle).toBeGreaterThanOrEqual(5);
  });

  it('the skid buffer: proved, its skid register used', async () => {
    const r = await prove(skidBufferModule(3));
    expect(r.properties.length).toBe(4);
    expect(r.properties.every((p) => p.status === 'proved'), proveReport(r)).toBe(true);
    expect(r.covers[0].status).toBe('reached');
  });

  it('a depth too small for the induction is reported as bounded, never as proved', async () => {
    const r = await prove(fifoModule(4, 4), 1);
    expect(r.properties.some((p) => p.status === 'bounded'), proveReport(r)).toBe(true);
    expect(r.properties.every((p) => p.status !== 'failed')).toBe(true);
    for (const p of r.properties.filter((q) => q.status === 'bounded')) expect(p.reason).toMatch(/induction did not converge/);
    expect(proveReport(r)).toMatch(/bounded \(1 cycles; /);
  });
});

describe('kvhdl prove: injected bugs are found and replay in Verilator', () => {
  const cases: [string, () => Module, RegExp][] = [
    ['payload changing while valid and not ready', () => stageChangingPayload(4), /stream 'out': 'out_data' stable while valid and not ready/],
    ['FIFO write accepted when full', () => fifoAcceptingWhenFull(3, 2), /fifo (occupancy|no overflow)/],
    ['skid buffer dropping a beat', () => skidDroppingABeat(3), /skid buffer never drops a beat/],
  ];
  it.each(cases)('%s', async (_name, make, message) => {
    const r = await prove(make());
    const failed = r.properties.filter((p) => p.status === 'failed');
    expect(failed.map((p) => p.message).join('\n'), proveReport(r)).toMatch(message);
    const f = failed.find((p) => message.test(p.message))!;
    expect(f.cex!.steps).toBeGreaterThanOrEqual(3);
    expect(proveReport(r)).toMatch(/replay in Verilator: cd \S+ && npx tsx formal\/replay-cli\.ts \//);
    const replay = await runReplay(f.cex!.replayDir);
    expect(replay.failure, replay.output).not.toBeNull();
    expect(failed.map((p) => p.message)).toContain(replay.failure!.message);
    expect(replay.failure!.cycle).toBeLessThanOrEqual(f.cex!.cycle);
  });
});
