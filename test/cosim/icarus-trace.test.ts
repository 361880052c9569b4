// `kvhdl cosim --simulator icarus --trace` writes a waveform where the Verilator trace goes
// (DIR/work/run) and says where (reliability issue #13, item 13).
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { writeNpyFile } from '../../data/npy.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'kvhdl-icarus-trace-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const bin = path.resolve('bin/kvhdl.js');
const kvhdl = (args: string[]) => execa('node', [bin, ...args], { reject: false, timeout: 300_000 });

describe('kvhdl cosim --trace', () => {
  for (const [simulator, file] of [['icarus', 'wave.vcd'], ['verilator', 'wave.fst']] as const) {
    it(`${simulator}: writes DIR/work/run/${file} and names it on the console`, async () => {
      const x = path.join(dir, 'x.npy');
      await writeNpyFile(x, { dtype: 'int16', shape: [2, 8], data: new Int16Array([1, 2, 3, 4, 5, 6, 7, 8, -1, -2, -3, -4, 9, 10, 11, 12]) });
      const out = path.join(dir, simulator);
      const r = await kvhdl(['cosim', 'minmax', '--in', x, '--out-dir', out, '--simulator', simulator, '--trace']);
      expect(r.exitCode, r.stderr).toBe(0);
      const wave = path.join(out, 'work', 'run', file);
      expect(existsSync(wave)).toBe(true);
      expect(r.stderr).toContain(`kvhdl cosim: waveform: ${wave}`);
      if (simulator === 'icarus') {
        const vcd = readFileSync(wave, 'utf8');
        expect(vcd).toContain('$enddefinitions');
        expect(vcd).toMatch(/\$var \S+ 1 \S+ in_valid \$end/);
      }
    });
  }
});
