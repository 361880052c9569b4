import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { findUnit } from '../../gen/registry.ts';
import { parseConfig } from '../../gen/config.ts';
import { designFromModule } from '../../hdl/ports/from-module.ts';
import { cosim } from '../../cosim/cosim.ts';

// Faults injected into a generated unit's Verilog (not a hand-written fixture): the harness must see them.
const unit = findUnit('minmax')!;
const cfg = parseConfig(unit, {});
const golden = (ins: Parameters<typeof unit.golden>[1]) => unit.golden(cfg, ins);

function mutated(replace: [string | RegExp, string]): ReturnType<typeof designFromModule> {
  const dut = designFromModule(unit.build(cfg), mkdtempSync(path.join(os.tmpdir(), 'kvhdl-mut-')));
  const top = dut.files.find((f) => f.endsWith(`${dut.top}.v`))!;
  const text = readFileSync(top, 'utf8');
  const next = text.replace(replace[0], replace[1]);
  expect(next).not.toBe(text);
  writeFileSync(top, next);
  return dut;
}

describe('faults injected into generated RTL', () => {
  it('an unsigned comparison where a signed one belongs is reported as the first differing group minimum', async () => {
    const dut = mutated(['assign group_min = ($signed(acc_min) < $signed(beat_min_s3_0))', 'assign group_min = ($unsigned(acc_min) < $unsigned(beat_min_s3_0))']);
    const r = await cosim(dut, golden, unit.randomStimulus(cfg, 3, 2000), { seed: 3, stall: 0.2, backpressure: 0.2 });
    expect(r.ok).toBe(false);
    expect(r.mismatch).toMatchObject({ kind: 'value', stream: 'out', field: 'min', seed: 3 });
    console.log(r.mismatch);
    expect(r.rerun).toContain('--trace');
  });

  it('a register that lost its reset is caught on some X-initialisation seeds', async () => {
    const dut = mutated([/      res_valid <= 1'b0;\n/, '      res_valid <= res_valid;\n']);
    const stim = unit.randomStimulus(cfg, 1, 200);
    const results = [];
    for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) results.push(await cosim(dut, golden, stim, { seed }));
    const failed = results.filter((r) => !r.ok);
    expect(failed.length).toBeGreaterThan(0);
    expect(failed[0].mismatch).toBeDefined();
  });
});
