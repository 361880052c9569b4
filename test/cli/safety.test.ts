/**
 * Issue #13 "data loss" repros: every command that takes --out / --out-dir / --json leaves files it did
 * not write byte-for-byte intact, refuses (exit 2, one line, nothing written) when one is in the way,
 * and treats an empty output path and an output that is an input as usage errors.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import * as os from 'node:os';
import * as path from 'node:path';
import { execa } from 'execa';
import { writeNpyFile } from '../../data/npy.ts';
import { RECORD_FILE } from '../../output/index.ts';

const bin = path.resolve('bin/kvhdl.js');
const kvhdl = (args: string[], cwd?: string) => execa('node', [bin, ...args], { reject: false, timeout: 300_000, cwd });
const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'kvhdl-safety-'));

/** Writes user files with random contents (and random names unless given); returns name -> bytes. */
function userFiles(dir: string, names: string[]): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (const n of names) {
    const f = path.join(dir, n.replace('RANDOM', randomBytes(4).toString('hex')));
    mkdirSync(path.dirname(f), { recursive: true });
    const b = randomBytes(1 + (randomBytes(1)[0] % 200));
    writeFileSync(f, b);
    files.set(f, b);
  }
  return files;
}

function expectIntact(files: Map<string, Buffer>) {
  for (const [f, b] of files) expect(Buffer.compare(readFileSync(f), b), f).toBe(0);
}

function expectRefusal(r: { exitCode?: number; stderr: string }, cmd: string) {
  expect(r.exitCode, r.stderr).toBe(2);
  const lines = r.stderr.trim().split('\n');
  expect(lines.length, r.stderr).toBe(1);
  expect(lines[0]).toMatch(new RegExp(`^kvhdl ${cmd}: `));
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

describe('kvhdl never loses a user\'s file', () => {
  it('gen --out . keeps a user\'s .v file (it used to remove every *.v)', async () => {
    const dir = tmp();
    const user = userFiles(dir, ['my_cpu_RANDOM.v', 'notes_RANDOM.txt']);
    const r = await kvhdl(['gen', 'minmax', '--out', '.'], dir);
    expect(r.exitCode, r.stderr).toBe(0);
    expectIntact(user);
    expect(readdirSync(dir)).toContain('kv_minmax_p8_w16_s1.v');
    // regenerating with another config replaces kvhdl's files and keeps the user's
    writeFileSync(path.join(dir, 'c.json'), '{"lanes":4}');
    const r2 = await kvhdl(['gen', 'minmax', '--config', 'c.json', '--out', '.'], dir);
    expect(r2.exitCode, r2.stderr).toBe(0);
    expectIntact(user);
    expect(readdirSync(dir).filter((f) => f.endsWith('.v')).sort()).toEqual([...[...user.keys()].map((f) => path.basename(f)).filter((f) => f.endsWith('.v')), 'kv_minmax_p4_w16_s1.v', 'kv_skid_w65.v'].sort());
  });

  it('gen --all --out D keeps a user file in D/selector/, and a user file named like an output stops it', async () => {
    const dir = tmp();
    const user = userFiles(dir, ['selector/mine_RANDOM.v']);
    const r = await kvhdl(['gen', '--all', '--out', dir]);
    expect(r.exitCode, r.stderr).toBe(0);
    expectIntact(user);
    const d2 = tmp();
    const clash = userFiles(d2, ['manifest.json']);
    expectRefusal(await kvhdl(['gen', '--all', '--out', d2]), 'gen');
    expectIntact(clash);
    expect(readdirSync(d2)).toEqual(['manifest.json']);
  });

  it('an empty --out / --out-dir / --json is a usage error, not the current directory', async () => {
    const dir = tmp();
    const user = userFiles(dir, ['RANDOM.v']);
    for (const args of [
      ['gen', 'minmax', '--out', ''],
      ['gen', '--all', '--out', ''],
      ['handoff', 'vivado', 'minmax', '--part', 'xc7a35tcpg236-1', '--clock-mhz', '100', '--out', ''],
      ['handoff', 'fusesoc', 'minmax', '--out', ''],
      ['handoff', 'firesim', 'minmax', '--out', ''],
      ['synth', 'minmax', '--json', ''],
      ['report', '--out', ''],
    ]) {
      const r = await kvhdl(args, dir);
      expect(r.exitCode, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(/needs a path, got an empty value/);
    }
    expect(readdirSync(dir)).toEqual([...user.keys()].map((f) => path.basename(f)));
    expectIntact(user);
  });

  for (const flow of ['vivado', 'fusesoc'] as const) {
    it(`handoff ${flow} refuses a non-empty directory holding the user's README.md, build.tcl, manifest.json, rtl/*.v`, async () => {
      const dir = tmp();
      const user = userFiles(dir, ['README.md', 'build.tcl', 'manifest.json', 'rtl/kv_skid_w129.v', 'rtl/RANDOM.v']);
      const args = ['handoff', flow, 'minmax', '--out', dir, ...(flow === 'vivado' ? ['--part', 'xc7a35tcpg236-1', '--clock-mhz', '100'] : [])];
      expectRefusal(await kvhdl(args), 'handoff');
      expectIntact(user);
      expect(readdirSync(dir).sort()).toEqual(['README.md', 'build.tcl', 'manifest.json', 'rtl']);
      // other user files beside a package survive its generation and regeneration
      const d2 = tmp();
      const beside = userFiles(d2, ['RANDOM.txt', 'rtl/RANDOM.v']);
      for (let i = 0; i < 2; i++) expect((await kvhdl([...args.slice(0, 4), d2, ...args.slice(5)])).exitCode).toBe(0);
      expectIntact(beside);
    });
  }

  it('handoff firesim: a manifest.json that merely claims to be a package protects nothing less; a test added to tests/ survives', async () => {
    const dir = tmp();
    writeFileSync(path.join(dir, 'manifest.json'), '{"generator":"kvhdl handoff firesim"}');
    const user = userFiles(dir, ['docs/RANDOM.md', 'tests/RANDOM.c']);
    expectRefusal(await kvhdl(['handoff', 'firesim', 'minmax', '--out', dir]), 'handoff');
    expectIntact(user);
    expect(readFileSync(path.join(dir, 'manifest.json'), 'utf8')).toBe('{"generator":"kvhdl handoff firesim"}');

    const pkg = tmp();
    expect((await kvhdl(['handoff', 'firesim', 'minmax', '--out', pkg])).exitCode).toBe(0);
    const added = userFiles(pkg, ['tests/my_test_RANDOM.c', 'docs/my_notes_RANDOM.md']);
    const r = await kvhdl(['handoff', 'firesim', 'minmax', '--out', pkg, '--seed', '2']);
    expect(r.exitCode, r.stderr).toBe(0);
    expectIntact(added);
  });

  it('an output that is an input is a usage error before anything runs (golden quantizer --in D/residual.npy --out-dir D)', async () => {
    const dir = tmp();
    const input = path.join(dir, 'residual.npy');
    const data = new Uint16Array(64 * 128);
    for (let i = 0; i < data.length; i++) data[i] = 0x3c00 + (i % 512);
    await writeNpyFile(input, { dtype: 'float16', shape: [64, 128], data });
    const before = readFileSync(input);
    for (const cmd of ['golden', 'cosim']) {
      const r = await kvhdl([cmd, 'quantizer', '--in', input, '--out-dir', dir]);
      expectRefusal(r, cmd);
      expect(r.stderr).toMatch(/residual\.npy: is both an output and the input --in/);
      expect(Buffer.compare(readFileSync(input), before)).toBe(0);
      expect(readdirSync(dir)).toEqual(['residual.npy']);
    }
    const cal = await kvhdl(['calibrate', '--scores', input, '--meta', path.join(dir, 'm.json'), '--k', '2', '--sigma', '0', '--out', input]);
    expectRefusal(cal, 'calibrate');
    expect(Buffer.compare(readFileSync(input), before)).toBe(0);
    writeFileSync(path.join(dir, 'c.json'), '{}');
    expectRefusal(await kvhdl(['synth', 'minmax', '--config', path.join(dir, 'c.json'), '--json', path.join(dir, 'c.json')]), 'synth');
    expectRefusal(await kvhdl(['gen', 'minmax', '--config', path.join(dir, 'manifest.json'), '--out', dir]), 'gen');
  });

  it('golden/cosim out-dir: report.json or a work/ folder of the user is refused; synth --json and report --out refuse a user file up front', async () => {
    const dir = tmp();
    const x = path.join(dir, 'x.npy');
    await writeNpyFile(x, { dtype: 'int16', shape: [2, 16], data: new Int16Array(32).map((_, i) => i - 7) });
    const out = path.join(dir, 'out');
    const user = userFiles(out, ['report.json']);
    expectRefusal(await kvhdl(['golden', 'minmax', '--in', x, '--out-dir', out]), 'golden');
    expectIntact(user);
    const out2 = path.join(dir, 'out2');
    const work = userFiles(out2, ['work/RANDOM.txt']);
    expectRefusal(await kvhdl(['cosim', 'minmax', '--in', x, '--out-dir', out2]), 'cosim');
    expectIntact(work);
    const json = userFiles(dir, ['s.json']);
    expectRefusal(await kvhdl(['synth', 'minmax', '--json', path.join(dir, 's.json')]), 'synth');
    const rep = userFiles(path.join(dir, 'rep'), ['report.md']);
    expectRefusal(await kvhdl(['report', '--units', 'minmax', '--out', path.join(dir, 'rep')]), 'report');
    expectIntact(json);
    expectIntact(rep);
    // a second golden run into its own out-dir replaces its files
    const out3 = path.join(dir, 'out3');
    for (let i = 0; i < 2; i++) expect((await kvhdl(['golden', 'minmax', '--in', x, '--out-dir', out3])).exitCode).toBe(0);
    expect(readdirSync(out3).sort()).toEqual([RECORD_FILE, 'max.npy', 'min.npy', 'report.json']);
  });

  it('bad output targets are one line naming the path, exit 2 (not a raw EEXIST / ENOTDIR)', async () => {
    const dir = tmp();
    const file = path.join(dir, 'afile');
    writeFileSync(file, 'x');
    for (const args of [
      ['gen', 'minmax', '--out', file],
      ['gen', 'minmax', '--out', path.join(file, 'sub')],
      ['handoff', 'fusesoc', 'minmax', '--out', path.join(file, 'sub')],
      ['handoff', 'firesim', 'minmax', '--out', file],
      ['synth', 'minmax', '--json', path.join(file, 'x.json')],
      ['report', '--out', file],
      ['gen', 'minmax', '--out', '/proc/kvhdl-no-such-dir'],
    ]) {
      const r = await kvhdl(args);
      expect(r.exitCode, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr.trim().split('\n').length, args.join(' ')).toBe(1);
      expect(r.stderr).not.toMatch(/\n\s+at |Error: E[A-Z]+:/);
    }
    expect(readFileSync(file, 'utf8')).toBe('x');
    expect(existsSync(path.join(dir, RECORD_FILE))).toBe(false);
  });
});
