import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { iverilogCheck, verilatorLint } from '../../toolchain/lint.ts';

let dir: string;
beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kvhdl-lint-test-'));
});
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

async function write(name: string, text: string): Promise<string> {
  const p = path.join(dir, name);
  await fs.writeFile(p, text);
  return p;
}

const CLEAN = `module clean_add (
  input  wire [7:0] a,
  input  wire [7:0] b,
  output wire [8:0] s
);
  assign s = {1'b0, a} + {1'b0, b};
endmodule
`;

const UNUSED = `module bad_unused (
  input  wire [7:0] a,
  input  wire [7:0] b,
  output wire [7:0] y
);
  assign y = a;
endmodule
`;

describe('verilatorLint', () => {
  it('passes a clean module', async () => {
    const f = await write('clean_add.v', CLEAN);
    const r = await verilatorLint([f], 'clean_add');
    expect(r.warnings).toEqual([]);
    expect(r.ok).toBe(true);
  });

  it('flags an unused input as UNUSEDSIGNAL', async () => {
    const f = await write('bad_unused.v', UNUSED);
    const r = await verilatorLint([f], 'bad_unused');
    expect(r.ok).toBe(false);
    expect(r.warnings.length).toBe(1);
    expect(r.warnings[0]).toMatch(/^%Warning-UNUSEDSIGNAL: .*bad_unused\.v:3:.*'b'/);
  });

  it('reports a width mismatch', async () => {
    const f = await write('bad_width.v', `module bad_width (input wire [7:0] a, output wire [3:0] y);\n  assign y = a;\nendmodule\n`);
    const r = await verilatorLint([f], 'bad_width', { extraArgs: ['-Wno-UNUSEDSIGNAL'] });
    expect(r.ok).toBe(false);
    expect(r.warnings.some((w) => w.startsWith('%Warning-WIDTH'))).toBe(true);
  });
});

describe('iverilogCheck', () => {
  it('accepts a clean module', async () => {
    const f = await write('clean_add2.v', CLEAN.replace('clean_add', 'clean_add2'));
    const r = await iverilogCheck([f], 'clean_add2');
    expect(r.ok).toBe(true);
    expect(r.messages).toEqual([]);
  });

  it('rejects a syntax error', async () => {
    const f = await write('syntax.v', `module syntax (input wire a, output wire y)\n  assign y = a;\nendmodule\n`);
    const r = await iverilogCheck([f], 'syntax');
    expect(r.ok).toBe(false);
    expect(r.messages.join('\n')).toMatch(/syntax\.v:2: syntax error/);
  });

  it('rejects an unknown top module', async () => {
    const f = await write('clean_add3.v', CLEAN.replace('clean_add', 'clean_add3'));
    const r = await iverilogCheck([f], 'not_there');
    expect(r.ok).toBe(false);
    expect(r.messages.join('\n')).toMatch(/not_there/);
  });
});
