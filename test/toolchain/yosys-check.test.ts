import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { yosysSynthCheck } from '../../fpga/yosys-check.ts';

let dir: string;
beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kvhdl yosys test '));
});
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

async function write(name: string, text: string): Promise<string> {
  const p = path.join(dir, name);
  await fs.writeFile(p, text);
  return p;
}

describe('yosysSynthCheck', () => {
  it('returns cell counts for a tiny adder', async () => {
    const f = await write('add4.v', `module add4 (input wire [3:0] a, input wire [3:0] b, output wire [4:0] s);\n  assign s = a + b;\nendmodule\n`);
    const r = await yosysSynthCheck([f], 'add4');
    expect(r.errors).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.cells).toBeGreaterThan(4);
    expect(Object.values(r.cellTypes).reduce((x, y) => x + y, 0)).toBe(r.cells);
    expect(Object.keys(r.cellTypes).some((t) => t.includes('XOR') || t.includes('XNOR'))).toBe(true);
  });

  it('counts cells through the hierarchy (two files, path with spaces)', async () => {
    const ha = await write('half adder.v', `module ha (input wire a, input wire b, output wire s, output wire c);\n  assign s = a ^ b;\n  assign c = a & b;\nendmodule\n`);
    const top = await write('top.v', `module top2 (input wire [1:0] x, input wire [1:0] y, output wire [1:0] s, output wire [1:0] c);\n  ha u0 (.a(x[0]), .b(y[0]), .s(s[0]), .c(c[0]));\n  ha u1 (.a(x[1]), .b(y[1]), .s(s[1]), .c(c[1]));\nendmodule\n`);
    const r = await yosysSynthCheck([ha, top], 'top2');
    expect(r.ok).toBe(true);
    expect(r.cells).toBe(4);
    expect(r.cellTypes).toEqual({ $_AND_: 2, $_XOR_: 2 });
  });

  it('collects warnings', async () => {
    const f = await write('undriven.v', `module undriven (input wire [3:0] a, output wire [3:0] y, output wire z);\n  assign y = a;\nendmodule\n`);
    const r = await yosysSynthCheck([f], 'undriven');
    expect(r.ok).toBe(true);
    expect(r.warnings.some((w) => /^Warning: .*z.* no driver/.test(w))).toBe(true);
  });

  it('fails on a syntax error and on a missing top', async () => {
    const bad = await write('bad.v', `module bad (input wire a, output wire y)\n  assign y = a;\nendmodule\n`);
    const r = await yosysSynthCheck([bad], 'bad');
    expect(r.ok).toBe(false);
    expect(r.errors.join('\n')).toMatch(/syntax error/);

    const good = await write('good.v', `module good (input wire a, output wire y);\n  assign y = ~a;\nendmodule\n`);
    const r2 = await yosysSynthCheck([good], 'nosuch');
    expect(r2.ok).toBe(false);
    expect(r2.errors.join('\n')).toMatch(/nosuch/);
  });
});

describe('withoutHierarchyLines', () => {
  it("drops Yosys 0.23's hierarchy listing lines from stat -json output and keeps the JSON", async () => {
    const { withoutHierarchyLines } = await import('../../fpga/yosys-check.ts');
    const broken = '{\n   "modules": {\n   },\n       kv_skid_w129                  1\n      "design": {\n         "num_cells":         105\n      }\n}\n';
    expect(() => JSON.parse(broken)).toThrow();
    expect(JSON.parse(withoutHierarchyLines(broken))).toEqual({ modules: {}, design: { num_cells: 105 } });
  });
});
