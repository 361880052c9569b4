// The simulator back ends behind one interface (cosim/backend.ts): the same check and the same
// result type from Verilator and Icarus.
import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BACKENDS } from '../../cosim/backends.ts';
import { designFromModule } from '../../hdl/ports/from-module.ts';
import { laneWidthsOf } from '../../cosim/lane-widths.ts';
import { findUnit } from '../../gen/registry.ts';

const unit = findUnit('minmax')!;
const cfg = unit.schema.parse({ lanes: 2, width: 8 });

describe.each(Object.values(BACKENDS))('back end $name', (backend) => {
  it('checks a design: none for a sound one, every problem of a broken one', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kvhdl-backend-'));
    const design = designFromModule(unit.build(cfg), dir);
    expect(backend.check(design)).toEqual([]);
    const broken = { ...design, ports: design.ports.filter((p) => !p.name.endsWith('_ready')) };
    expect(backend.check(broken).length).toBeGreaterThanOrEqual(2);
  });

  it('runs the unit and answers in the common result type', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kvhdl-backend-'));
    const top = unit.build(cfg);
    const design = designFromModule(top, path.join(dir, 'rtl'));
    const stimulus = unit.randomStimulus(cfg, 3, 40);
    const expected = unit.golden(cfg, stimulus);
    const r = await backend.run(design, stimulus, expected, { seed: 3, stall: 0.2, trace: false, runDir: path.join(dir, 'run'), laneWidths: laneWidthsOf(top, design.streams) });
    expect(r.problem).toBe('');
    expect(r.ok).toBe(true);
    expect(r.simulator).toBe(backend.name);
    expect(r.top).toBe(design.top);
    for (const [name, t] of Object.entries(expected)) expect(r.outputs[name].words).toEqual(t.words);
    expect(r.rerun).not.toBe('');
  }, 180_000);
});
