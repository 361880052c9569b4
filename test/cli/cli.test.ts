import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync, readdirSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execa } from 'execa';
import { readNpyFile, writeNpyFile } from '../../data/npy.ts';

const bin = path.resolve('bin/kvhdl.js');
const kvhdl = (args: string[]) => execa('node', [bin, ...args], { reject: false, timeout: 300_000 });
const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'kvhdl-cli-'));

describe('kvhdl command line (through the bin script)', () => {
  it('prints help for every command and lists units with their fields', async () => {
    const top = await kvhdl(['--help']);
    expect(top.exitCode).toBe(0);
    for (const c of ['list', 'gen', 'cosim', 'golden', 'synth', 'report', 'handoff', 'verilator']) {
      expect(top.stdout).toContain(c);
      const h = await kvhdl([c, '--help']);
      expect(h.exitCode, c).toBe(0);
      expect(h.stdout, c).toMatch(new RegExp(`^usage: kvhdl ${c}`));
    }
    const list = await kvhdl(['list']);
    expect(list.stdout).toMatch(/minmax: .*\n\s+lanes\s+integer 1\.\.256\s+default 8/);
    const json = JSON.parse((await kvhdl(['list', '--json'])).stdout);
    expect(json[0].fields.map((f: { name: string }) => f.name)).toEqual(['lanes', 'width', 'pipeline', 'stages']);
  });

  it('config errors: one line per field, exit code 2, no stack trace', async () => {
    const dir = tmp();
    const cfg = path.join(dir, 'bad.json');
    writeFileSync(cfg, JSON.stringify({ lanes: 300, width: 'wide', colour: 'red' }));
    const r = await kvhdl(['gen', 'minmax', '--config', cfg, '--out', dir]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([
      `kvhdl gen: ${cfg}: field 'lanes': must be at most 256, got 300`,
      `kvhdl gen: ${cfg}: field 'width': expected number, got string "wide"`,
      `kvhdl gen: ${cfg}: unknown field 'colour' (allowed: lanes, width, pipeline, stages)`,
    ]);
    writeFileSync(cfg, JSON.stringify({ lanes: 4, stages: 3 }));
    const r2 = await kvhdl(['gen', 'minmax', '--config', cfg, '--out', dir]);
    expect(r2.exitCode).toBe(2);
    expect(r2.stderr.trim()).toBe(`kvhdl gen: ${cfg}: field 'stages': must be at most 2 (ceil(log2 lanes)) for 4 lanes, got 3`);
    writeFileSync(cfg, '{ "lanes": 4,');
    const r3 = await kvhdl(['gen', 'minmax', '--config', cfg]);
    expect(r3.exitCode).toBe(2);
    expect(r3.stderr).toMatch(/not valid JSON/);
    expect(r3.stderr).not.toMatch(/\n\s+at /);
    const r4 = await kvhdl(['gen', 'nosuchunit']);
    expect(r4.exitCode).toBe(2);
    expect(r4.stderr).toContain(`unknown unit 'nosuchunit' (units: minmax, dequantizer, quantizer, selector, earlyexit, attention, nuq)`);
    const r5 = await kvhdl(['gen', 'minmax', '--bogus']);
    expect(r5.exitCode).toBe(2);
    expect(r5.stderr).toContain(`Unknown option '--bogus'`);
  });

  it('gen writes the configured module and a manifest', async () => {
    const dir = tmp();
    const cfg = path.join(dir, 'c.json');
    writeFileSync(cfg, JSON.stringify({ lanes: 4, width: 10 }));
    const r = await kvhdl(['gen', 'minmax', '--config', cfg, '--out', path.join(dir, 'out')]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(readdirSync(path.join(dir, 'out')).sort()).toEqual(['.kvhdl-written.json', 'kv_minmax_p4_w10_s1.v', 'kv_skid_w41.v', 'manifest.json']);
    const manifest = JSON.parse(readFileSync(path.join(dir, 'out', 'manifest.json'), 'utf8'));
    expect(manifest.units).toEqual([{ unit: 'minmax', top: 'kv_minmax_p4_w10_s1', config: { lanes: 4, width: 10, pipeline: 'balanced', stages: 1 } }]);
    const top = manifest.modules.find((m: { top: boolean }) => m.top);
    expect(top.ports).toContainEqual({ name: 'in_data', direction: 'input', width: 40, signed: false });
    expect(top.parameters).toEqual({ lanes: 4, width: 10, stages: 1 });
  });

  it('cosim and golden on the same .npy input write identical files; bad input exits 2', async () => {
    const dir = tmp();
    const x = path.join(dir, 'x.npy');
    const rows = 40;
    const data = new Int16Array(rows * 16).map((_, i) => ((i * 7919) % 65536) - 32768);
    await writeNpyFile(x, { dtype: 'int16', shape: [rows, 16], data });
    const c = await kvhdl(['cosim', 'minmax', '--in', x, '--out-dir', path.join(dir, 'c'), '--stall', '0.3', '--seed', '4']);
    expect(c.exitCode, c.stderr).toBe(0);
    const g = await kvhdl(['golden', 'minmax', '--in', x, '--out-dir', path.join(dir, 'g')]);
    expect(g.exitCode, g.stderr).toBe(0);
    const ic = await kvhdl(['cosim', 'minmax', '--in', x, '--out-dir', path.join(dir, 'i'), '--simulator', 'icarus']);
    expect(ic.exitCode, ic.stderr).toBe(0);
    for (const f of ['min.npy', 'max.npy']) {
      const golden = readFileSync(path.join(dir, 'g', f));
      expect(readFileSync(path.join(dir, 'c', f)).equals(golden), f).toBe(true);
      expect(readFileSync(path.join(dir, 'i', f)).equals(golden), f).toBe(true);
    }
    const report = JSON.parse(readFileSync(path.join(dir, 'c', 'report.json'), 'utf8'));
    expect(report).toMatchObject({ unit: 'minmax', simulator: 'verilator', ok: true, seed: 4, transactions: { in: 80, out: 40 } });
    // the values themselves: group min/max of each row
    const min = (await readNpyFile(path.join(dir, 'g', 'min.npy'))).data as BigInt64Array;
    for (let r = 0; r < rows; r++) expect(min[r]).toBe(BigInt(Math.min(...data.slice(r * 16, r * 16 + 16))));

    const bad = path.join(dir, 'bad.npy');
    await writeNpyFile(bad, { dtype: 'int32', shape: [2, 7], data: new Int32Array(14) });
    const b = await kvhdl(['cosim', 'minmax', '--in', bad, '--out-dir', path.join(dir, 'b')]);
    expect(b.exitCode).toBe(2);
    expect(b.stderr.trim()).toBe(`kvhdl cosim: --in ${bad}: --in rows have 7 values; need a positive multiple of lanes (8)`);
    const missing = await kvhdl(['golden', 'minmax', '--in', path.join(dir, 'nope.npy'), '--out-dir', dir]);
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toContain('nope.npy');
  });

  it('kvhdl synth writes Yosys resource counts as JSON', async () => {
    const dir = tmp();
    const cfg = path.join(dir, 'c.json');
    writeFileSync(cfg, JSON.stringify({ lanes: 2, width: 4, stages: 0 }));
    const r = await kvhdl(['synth', 'minmax', '--config', cfg, '--target', 'xc7', '--json', path.join(dir, 's.json')]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/LUT/);
    const j = JSON.parse(readFileSync(path.join(dir, 's.json'), 'utf8'));
    const x = Array.isArray(j) ? j[0] : j.results?.[0] ?? j;
    expect(x.target).toBe('xc7');
    expect(x.resources.lut).toBeGreaterThan(0);
    expect(x.resources.ff).toBeGreaterThan(0);
    expect(x.fmaxMHz).toBeNull();
  });

  it('kvhdl verilator -- forwards arguments and the exit code', async () => {
    const v = await kvhdl(['verilator', '--', '--version']);
    expect(v.exitCode).toBe(0);
    expect(v.stdout).toMatch(/^Verilator 5\./);
    const bad = await kvhdl(['verilator', '--', '--lint-only', '/nonexistent.v']);
    expect(bad.exitCode).not.toBe(0);
  });
});
