// The FireSim shell's formal invariants in the harness co-simulation (Verilator with -DFORMAL
// --assert; fpga/firesim/shell/invariants.ts): the real shell runs its fault job (buffers 64 bytes
// before a 4 KiB boundary) with every assertion quiet; a shell whose DMA ignores the 4 KiB boundary
// (a mutant of the emitted Verilog) is stopped by the 4 KiB burst assertion at the crossing burst.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { findUnit } from '../../gen/registry.ts';
import { writeFiresimHandoff, type FiresimHandoff } from '../../fpga/firesim/package.ts';
import { buildHarness, harnessInput, runHarness } from '../../fpga/firesim/harness.ts';
import { assertionFailure } from '../../cosim/verilator/assertion.ts';

const made: string[] = [];
const tmp = () => {
  const d = mkdtempSync(path.join(os.tmpdir(), 'kvhdl-firesim-formal-'));
  made.push(d);
  return d;
};
afterAll(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

describe('FireSim shell invariants in the harness (minmax lanes 2 width 8)', () => {
  let h: FiresimHandoff;
  beforeAll(() => {
    const u = findUnit('minmax')!;
    h = writeFiresimHandoff({ unit: u, config: u.schema.parse({ lanes: 2, width: 8 }), out: tmp() });
  });

  it('the shell carries the AXI handshake and 4 KiB assertions, and they stay quiet on the fault job', async () => {
    const v = readFileSync(h.verilogFile, 'utf8');
    expect(v).toContain('AXI4 m_axi AR: burst does not cross a 4 KiB boundary');
    expect(v).toContain('AXI4 m_axi AW: AWLEN <= 15');
    expect(v).toContain('AXI4-Lite s_axi R: valid held until ready');
    expect(v).toContain('AXI4 m_axi W: WLAST exactly on beat AWLEN + 1 of the burst');
    const b = await buildHarness(harnessInput(h, tmp()));
    const r = await runHarness(b.exe, { seed: 5, faults: true });
    expect(r.exitCode, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stderr).not.toMatch(/Assertion failed/);
    expect(r.boundaryCuts).toBeGreaterThan(0);
  }, 300_000);

  it('mutant: DMA bursts that ignore the 4 KiB boundary trip the 4 KiB assertion', async () => {
    const dir = tmp();
    const text = readFileSync(h.verilogFile, 'utf8');
    const cut = /assign (\w*(?:rd|o0)_to_4k) = 10'd512 - \{1'b0, \w*(?:rd|o0)_addr\[11:3\]\};/g;
    expect(text.match(cut)?.length).toBe(2);
    const file = path.join(dir, path.basename(h.verilogFile));
    writeFileSync(file, text.replace(cut, "assign $1 = 10'd512;"));
    const b = await buildHarness({ ...harnessInput(h, dir), verilogFile: file });
    const r = await runHarness(b.exe, { seed: 5, faults: true });
    const out = `${r.stdout}\n${r.stderr}`;
    expect(r.exitCode, out).not.toBe(0);
    const a = assertionFailure(out, [file], -1);
    expect(a, out).not.toBeNull();
    expect(a!.message).toMatch(/^AXI4 m_axi (AR|AW): burst does not cross a 4 KiB boundary$/);
    expect(a!.loc).toMatch(/^fpga\/firesim\/shell\/invariants\.ts:\d+$/);
    // the harness's own C++ protocol checker agrees about the burst
    expect(out).toMatch(/burst at 0x[0-9a-f]+ of \d+ beats crosses a 4 KiB boundary/);
  }, 300_000);
});
