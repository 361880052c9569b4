// A design starved by a very high stall probability is slow, not hung (reliability issue #13,
// item 12): cycles in which the testbench held something back do not count towards the hang
// limit, in the Verilator and the Icarus testbench; an II measured under stalls says so.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { writeNpyFile } from '../../data/npy.ts';
import { cosim, formatReport } from '../../cosim/cosim.ts';
import { accumDesign, accumGolden, accumStimulus } from '../fixtures/verilog/designs.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'kvhdl-stall-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const bin = path.resolve('bin/kvhdl.js');
const kvhdl = (args: string[]) => execa('node', [bin, ...args], { reject: false, timeout: 300_000 });

describe('--stall 0.9999 on a tiny input', () => {
  for (const simulator of ['verilator', 'icarus']) {
    it(`kvhdl cosim minmax passes (${simulator}) and marks the II as measured under stall`, async () => {
      const x = path.join(dir, `x-${simulator}.npy`);
      await writeNpyFile(x, { dtype: 'int16', shape: [2, 8], data: new Int16Array([5, -3, 7, 0, 1, 2, -9, 4, 100, 99, -100, 3, 3, 3, 0, 1]) });
      const out = path.join(dir, `out-${simulator}`);
      const r = await kvhdl(['cosim', 'minmax', '--in', x, '--out-dir', out, '--stall', '0.9999', '--simulator', simulator]);
      expect(r.exitCode, r.stderr).toBe(0);
      const report = JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8'));
      expect(report).toMatchObject({ ok: true, simulator, stall: 0.9999, iiUnderStall: true });
      expect(report).toHaveProperty('ii');
      expect(r.stdout).toMatch(/^cosim minmax: ok \(/);
      if (simulator === 'verilator') expect(r.stdout).toMatch(/II [\d.]+ measured under stall 0\.9999/);
    });
  }
});

describe('hangs are still found under stalls', () => {
  it('Verilator: a hung design with 50% stall and backpressure stops after hangCycles unstarved idle cycles', async () => {
    const r = await cosim(accumDesign('fx_accum_bug_hang'), accumGolden, accumStimulus(7, 300, 3), {
      seed: 7,
      stall: 0.5,
      backpressure: 0.5,
      hangCycles: 500,
      runDir: path.join(dir, 'hang'),
    });
    expect(r.status, formatReport(r)).toBe('hang');
    const h = r.hang!;
    expect(h.activeIdleCycles).toBe(500);
    // Backpressure starved about half of the idle cycles: they did not count.
    expect(h.idleCycles).toBeGreaterThan(500);
    expect(h.cycle).toBe(h.since + h.idleCycles);
    expect(h.message).toContain(`no transfer on any stream for ${h.idleCycles} cycles (since cycle ${h.since}; 500 of them with every input offered and every output ready)`);
  });
});
