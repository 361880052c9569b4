// Every back end's build step (cosim/backend.ts `build`): compiled once into the content-hash cache;
// a run of the built design compiles nothing.
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
  it('build, then run: the run finds the build in the cache', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kvhdl-backend-build-'));
    const top = unit.build(cfg);
    const design = designFromModule(top, path.join(dir, 'rtl'));
    const first = await backend.build(design);
    const again = await backend.build(design);
    expect(again.cached).toBe(true);
    expect(again.dir).toBe(first.dir);
    const stimulus = unit.randomStimulus(cfg, 5, 30);
    const r = await backend.run(design, stimulus, unit.golden(cfg, stimulus), { seed: 5, stall: 0.3, trace: false, runDir: path.join(dir, 'run'), laneWidths: laneWidthsOf(top, design.streams) });
    expect(r.ok).toBe(true);
    expect(r.build.cached).toBe(true);
    await expect(backend.build({ ...design, ports: design.ports.filter((p) => p.name !== 'in_valid') })).rejects.toThrow(/in_valid/);
  }, 180_000);
});
