import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../cli/main.ts';
import { units } from '../../gen/registry.ts';
import type { Manifest } from '../../gen/manifest.ts';
import { verilogProblems } from '../helpers/verilog-checks.ts';

const quiet = async (argv: string[]) => {
  const log = console.log;
  console.log = () => {};
  try {
    return await main(argv);
  } finally {
    console.log = log;
  }
};

function readTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) {
      const p = path.join(e.parentPath, e.name);
      out[path.relative(dir, p)] = readFileSync(p, 'utf8');
    }
  }
  return out;
}

// Default configurations whose generic `yosys synth` exceeds the 10-minute tool limit here (attention:
// D = 128 accumulators of 72 bits and a 4096-deep kept/score memory that generic synthesis maps to
// flip-flops); they still pass verilator -Wall and iverilog, and test/units/attention-synth.test.ts
// synthesizes a small attention configuration.
const synthTooSlow = new Set(['attention']);

describe('kvhdl gen --all (what npm run gen writes)', () => {
  const dirA = mkdtempSync(path.join(os.tmpdir(), 'kvhdl-gen-a-'));
  const dirB = mkdtempSync(path.join(os.tmpdir(), 'kvhdl-gen-b-'));

  it('writes every unit and a manifest, byte-identical across runs', async () => {
    expect(await quiet(['gen', '--all', '--out', dirA])).toBe(0);
    expect(await quiet(['gen', '--all', '--out', dirB])).toBe(0);
    const a = readTree(dirA);
    expect(readTree(dirB)).toEqual(a);
    const manifest = JSON.parse(a['manifest.json']) as Manifest;
    expect(manifest.units.map((u) => u.unit)).toEqual(units.map((u) => u.name));
    for (const m of manifest.modules) {
      expect(a[m.file], m.file).toContain(`module ${m.name} (`);
      expect(m.ports.length).toBeGreaterThan(0);
      for (const p of m.ports) expect(a[m.file]).toMatch(new RegExp(`\\b${p.direction}\\b.*\\b${p.name}\\b`));
    }
  });

  for (const u of units) {
    it(`${u.name}: every module passes verilator -Wall, iverilog -g2005 and yosys synth`, async () => {
      const manifest = JSON.parse(readFileSync(path.join(dirA, 'manifest.json'), 'utf8')) as Manifest;
      const mods = manifest.modules.filter((m) => m.unit === u.name);
      const files = mods.map((m) => path.join(dirA, m.file));
      for (const m of mods) {
        // each module on its own (with the modules it instantiates) and the whole unit
        expect(await verilogProblems(files, m.name, { synth: m.top && !synthTooSlow.has(u.name) }), m.name).toEqual([]);
      }
      const text = files.map((f) => readFileSync(f, 'utf8')).join('\n');
      expect(text).not.toMatch(/lint_off/);
    }, 600_000); // Yosys synthesis of the default quantizer takes ~2 minutes on a busy 2-core machine
  }
});
