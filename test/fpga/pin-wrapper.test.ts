import { describe, expect, it } from 'vitest';
import { pinWrapper } from '../../fpga/pin-wrapper.ts';
import { minmaxUnit } from '../../gen/minmax/index.ts';
import { emitDesign } from '../../hdl/index.ts';
import { portsOf } from '../../hdl/ports/from-module.ts';
import { verilatorLint } from '../../toolchain/lint.ts';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import * as path from 'node:path';

describe('pin wrapper', () => {
  const core = minmaxUnit.build(minmaxUnit.schema.parse({ lanes: 4, width: 8, stages: 1 }));
  const w = pinWrapper(core);

  it('has four pins and covers every input and output bit of the unit', () => {
    expect(portsOf(w.module).map((p) => p.name)).toEqual(['clock', 'reset', 'pin_in', 'pin_out']);
    const ports = portsOf(core).filter((p) => p.name !== 'clock' && p.name !== 'reset');
    expect(w.inputBits).toBe(ports.filter((p) => p.dir === 'input').reduce((s, p) => s + p.width, 0));
    expect(w.outputBits).toBe(ports.filter((p) => p.dir === 'output').reduce((s, p) => s + p.width, 0));
    expect(w.xorLevels).toBe(Math.ceil(Math.log(w.outputBits) / Math.log(4)));
  });

  it('emits lint-clean Verilog', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kvhdl-pinwrap-'));
    const files = emitDesign(w.module).map((e) => {
      const f = path.join(dir, e.fileName);
      writeFileSync(f, e.text);
      return f;
    });
    const r = await verilatorLint(files, w.module.name);
    expect(r.warnings).toEqual([]);
    expect(r.ok).toBe(true);
  });
});
