// The layers of README.md ("Layers"): every import runs downwards (or stays in its folder).
import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LAYERS, layerViolations } from './layers.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

describe('layers', () => {
  it('no import runs against the layer order', () => {
    const found = layerViolations(ROOT).map((v) => `${v.file}:${v.line} imports ${v.target}: ${v.why}`);
    expect(found).toEqual([]);
  });

  it('every top-level source folder is in a layer', () => {
    for (const folder of ['output', 'toolchain', 'data', 'hdl', 'gen', 'cosim', 'flow', 'fpga', 'cli', 'bench', 'examples', 'test']) {
      expect(LAYERS.flat()).toContain(folder);
    }
  });

  it('catches an upward import, an import between peers, and output/ importing anything of kvhdl', () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'kvhdl-layers-'));
    const file = (rel: string, text: string) => {
      mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
      writeFileSync(path.join(root, rel), text);
    };
    file('gen/unit.ts', "import { cli } from '../cli/args.ts';\nimport type { X } from '../cosim/report.ts';\n");
    file('output/writer.ts', "import { hash } from '../data/rng.ts';\n");
    file('hdl/core/ir.ts', "import { TxnTable } from '../../data/transactions.ts';\nimport { a } from './b.ts';\n");
    const v = layerViolations(root).map((x) => `${x.file} -> ${x.target}`);
    expect(v).toEqual(['output/writer.ts -> data/rng.ts', 'gen/unit.ts -> cli/args.ts', 'gen/unit.ts -> cosim/report.ts']);
  });
});
