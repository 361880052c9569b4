// The harness must catch each class of fault in a hand-written faulty variant of fx_accum and say
// precisely what went wrong.
import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cosim, formatReport } from '../../cosim/cosim.ts';
import { runTool } from '../../toolchain/run-tool.ts';
import { accumDesign, accumGolden, accumStimulus } from '../fixtures/verilog/designs.ts';

let tmp: string;
beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'kvhdl-faults-test-'));
});
afterAll(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

describe('(a) arithmetic bug', () => {
  it('reports the first differing transaction with field, values, seed and a rerun command', async () => {
    // Non-negative x in the first 10 groups and a negative one in group 10: its sum is the first wrong one.
    const stim = accumStimulus(11, 400, 4);
    let group = 0;
    for (let i = 0; i < stim.in.count && group <= 10; i++) {
      if (group < 10) stim.in.set(i, 'x', BigInt(Math.abs(Number(stim.in.get(i, 'x'))) % 1000));
      else stim.in.set(i, 'x', -12345n);
      if (stim.in.get(i, 'last')) group++;
    }
    const runDir = path.join(tmp, 'arith');
    const r = await cosim(accumDesign('fx_accum_bug_arith'), accumGolden, stim, { seed: 42, stall: 0.2, backpressure: 0.2, runDir });
    expect(r.ok).toBe(false);
    expect(r.status).toBe('done');
    expect(r.protocolErrors).toEqual([]);
    expect(r.hang).toBeUndefined();
    const m = r.mismatch!;
    const golden = accumGolden(stim).out;
    expect(m).toMatchObject({ kind: 'value', stream: 'out', index: 10, field: 'sum', seed: 42 });
    expect(m.expected).toBe(golden.get(10, 'sum'));
    // Zero- instead of sign-extending x is off by a multiple of 2^16.
    expect(m.got).not.toBe(m.expected);
    expect((m.got! - m.expected!) % 65536n).toBe(0n);
    expect(m.cycle).toBeGreaterThan(0);
    expect(m.message).toContain(`stream 'out' transaction 10`);
    expect(m.message).toContain('[seed 42]');
    expect(r.rerun).toContain(runDir);
    expect(r.rerun).toContain('--trace');
    expect(formatReport(r)).toContain('MISMATCH');

    // The rerun command is a real shell command: it reproduces the failure and writes a waveform.
    const rr = await runTool('sh', ['-c', r.rerun], { timeoutMs: 300_000 });
    expect(rr.exitCode, rr.stderr).toBe(1);
    expect(rr.stdout).toContain(`stream 'out' transaction 10`);
    expect(existsSync(path.join(runDir, 'wave.fst'))).toBe(true);
  }, 300_000);

  it('uses a caller-supplied rerun command', async () => {
    const r = await cosim(accumDesign('fx_accum_bug_arith'), accumGolden, accumStimulus(1, 100), {
      seed: 5,
      rerunCommand: 'npx kvhdl cosim accum -n 100',
      runDir: path.join(tmp, 'arith-cli'),
    });
    expect(r.rerun).toBe('npx kvhdl cosim accum -n 100 --seed 5 --trace');
  });
});

describe('(b) protocol violations', () => {
  it('payload changing while valid && !ready names the stream and field', async () => {
    const r = await cosim(accumDesign('fx_accum_bug_payload'), accumGolden, accumStimulus(3, 300, 2), {
      seed: 3,
      backpressure: 0.6,
      hangCycles: 500,
      runDir: path.join(tmp, 'payload'),
    });
    expect(r.ok).toBe(false);
    expect(r.protocolErrorCount).toBeGreaterThan(0);
    const e = r.protocolErrors[0];
    expect(e).toMatchObject({ stream: 'out', kind: 'payload-changed', field: 'sum' });
    expect(e.before).not.toBe(e.after);
    expect(e.message).toMatch(/stream 'out': field 'sum' changed at cycle \d+ while valid && !ready/);
  });

  it('valid dropped before the handshake is reported', async () => {
    const r = await cosim(accumDesign('fx_accum_bug_drop'), accumGolden, accumStimulus(4, 300, 3), {
      seed: 4,
      backpressure: 0.5,
      hangCycles: 500,
      runDir: path.join(tmp, 'drop'),
    });
    expect(r.ok).toBe(false);
    const drops = r.protocolErrors.filter((e) => e.kind === 'valid-dropped');
    expect(drops.length).toBeGreaterThan(0);
    expect(drops[0]).toMatchObject({ stream: 'out', kind: 'valid-dropped' });
    expect(drops[0].message).toContain(`valid dropped at cycle ${drops[0].cycle}`);
  });

  it('the same faulty designs pass without backpressure (the check is about stalls)', async () => {
    for (const v of ['fx_accum_bug_payload', 'fx_accum_bug_drop'] as const) {
      const r = await cosim(accumDesign(v), accumGolden, accumStimulus(5, 300), { seed: 5, stall: 0.3 });
      expect(r.ok, formatReport(r)).toBe(true);
    }
  });
});

describe('(c) missing reset', () => {
  it('randomized power-up state (x-initial unique, rand reset) exposes it on some seed', async () => {
    const stim = accumStimulus(6, 200);
    const outcomes: boolean[] = [];
    for (const seed of [1, 2, 3]) {
      const r = await cosim(accumDesign('fx_accum_bug_noreset'), accumGolden, stim, { seed, runDir: path.join(tmp, `noreset-${seed}`) });
      outcomes.push(r.ok);
      if (!r.ok) {
        // Only the first group's sum carries the power-up garbage.
        expect(r.mismatch).toMatchObject({ kind: 'value', stream: 'out', index: 0, field: 'sum', differing: 1, seed });
      }
    }
    expect(outcomes).toContain(false);
    // The correct design is unaffected by the same randomization.
    for (const seed of [1, 2, 3]) {
      const r = await cosim(accumDesign(), accumGolden, stim, { seed });
      expect(r.ok).toBe(true);
    }
  });
});

describe('(d) hang', () => {
  it('stops after hangCycles idle cycles and reports every stream state', async () => {
    const stim = accumStimulus(7, 300, 3);
    const r = await cosim(accumDesign('fx_accum_bug_hang'), accumGolden, stim, {
      seed: 7,
      stall: 0.1,
      hangCycles: 2000,
      runDir: path.join(tmp, 'hang'),
    });
    expect(r.ok).toBe(false);
    expect(r.status).toBe('hang');
    const h = r.hang!;
    expect(h.idleCycles).toBe(2000);
    expect(h.cycle).toBe(h.since + 2000);
    expect(r.cycles).toBe(h.cycle);
    const inState = h.streams.find((s) => s.stream === 'in')!;
    const outState = h.streams.find((s) => s.stream === 'out')!;
    expect(inState).toMatchObject({ dir: 'in', valid: true, ready: false, total: 300 });
    expect(inState.count).toBeLessThan(300);
    expect(outState).toMatchObject({ dir: 'out', valid: false, count: 5, total: accumGolden(stim).out.count });
    expect(h.message).toContain('no transfer on any stream for 2000 cycles');
    // Five results came out right; then the count falls short.
    expect(r.mismatch).toMatchObject({ kind: 'missing', stream: 'out', index: 5, gotCount: 5 });
    expect(formatReport(r)).toMatch(/HANG[\s\S]*in  'in': valid=1 ready=0, accepted \d+\/300/);
  });
});
