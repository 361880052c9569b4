/**
 * Issue #13 item 6: config and JSON input files from user paths are read boundedly (a regular file
 * of at most 16 MiB, nesting at most 64 deep, finite numbers), each problem one line, exit 2.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import { execa } from 'execa';
import { ConfigError, loadConfig } from '../../gen/config.ts';
import { minmaxUnit } from '../../gen/minmax/index.ts';
import { JSON_FILE_MAX_BYTES, readJsonFile } from '../../gen/json-file.ts';
import { JsonTextError, parseJsonText } from '../../gen/json-text.ts';
import { writeNpyFile } from '../../data/npy.ts';

const bin = path.resolve('bin/kvhdl.js');
const kvhdl = (args: string[]) => execa('node', [bin, ...args], { reject: false, timeout: 120_000 });
const dir = mkdtempSync(path.join(os.tmpdir(), 'kvhdl-cfgrob-'));
const file = (name: string, text: string) => {
  const f = path.join(dir, name);
  writeFileSync(f, text);
  return f;
};
const configProblem = (f: string): string[] => {
  try {
    loadConfig(minmaxUnit, f);
  } catch (e) {
    if (e instanceof ConfigError) return e.lines;
    throw e;
  }
  return [];
};

describe('bounded JSON reading of user files', () => {
  it('a config nested 5000 deep is one line, not a stack overflow', async () => {
    const f = file('deep.json', '{"a":'.repeat(5000) + '1' + '}'.repeat(5000));
    const r = await kvhdl(['gen', 'minmax', '--config', f, '--out', path.join(dir, 'o')]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr.trim()).toBe(`kvhdl gen: ${f}: nested deeper than 64 levels`);
    // 64 levels are fine (JSON.parse's values)
    const ok = '['.repeat(64) + ']'.repeat(64);
    expect(JSON.stringify(parseJsonText(ok))).toBe(ok);
    expect(() => parseJsonText('['.repeat(65) + ']'.repeat(65))).toThrow(JsonTextError);
  });

  it('a number beyond float64 names its field', async () => {
    const f = file('inf.json', '{"lanes":1e400}');
    const r = await kvhdl(['gen', 'minmax', '--config', f, '--out', path.join(dir, 'o')]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr.trim()).toBe(`kvhdl gen: ${f}: field 'lanes': 1e400 is not a finite number`);
    expect(configProblem(file('inf2.json', '{"lanes": 4, "width": -2e999}'))).toEqual([`${path.join(dir, 'inf2.json')}: field 'width': -2e999 is not a finite number`]);
  });

  it('refuses non-regular files and files over 16 MiB, one line each', async () => {
    const z = await kvhdl(['gen', 'minmax', '--config', '/dev/zero', '--out', path.join(dir, 'o')]);
    expect(z.exitCode).toBe(2);
    expect(z.stderr.trim()).toBe('kvhdl gen: /dev/zero: not a regular file (JSON inputs must be regular files)');
    const fifo = path.join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    expect(configProblem(fifo)).toEqual([`${fifo}: not a regular file (JSON inputs must be regular files)`]);
    const big = file('big.json', `{"lanes":4${' '.repeat(JSON_FILE_MAX_BYTES)}}`);
    expect(configProblem(big)).toEqual([`${big}: larger than 16 MiB (${JSON_FILE_MAX_BYTES + 11} bytes)`]);
    expect(configProblem(path.join(dir, 'missing.json'))).toEqual([`${path.join(dir, 'missing.json')}: cannot read (ENOENT)`]);
  });

  it('the same rule for --meta/--thresholds, calibrate --meta and report --configs', async () => {
    const npy = path.join(dir, 'scores.npy');
    await writeNpyFile(npy, { dtype: 'int32', shape: [1, 4], data: new Int32Array([1, 2, 3, 4]) });
    const g = await kvhdl(['golden', 'selector', '--in', npy, '--meta', '/dev/zero', '--out-dir', path.join(dir, 'g')]);
    expect(g.exitCode).toBe(2);
    expect(g.stderr.trim()).toBe('kvhdl golden: --meta /dev/zero: not a regular file (JSON inputs must be regular files)');
    const t = await kvhdl(['golden', 'selector', '--in', npy, '--meta', file('m.json', '{"lengths":[4],"heads":[0],"layers":[0]}'), '--thresholds', file('t.json', '{"k": 1e999999}'), '--out-dir', path.join(dir, 'g')]);
    expect(t.exitCode).toBe(2);
    expect(t.stderr.trim()).toBe(`kvhdl golden: --thresholds ${path.join(dir, 't.json')}: 1e999999 has more than 100000 digits`);
    const c = await kvhdl(['calibrate', '--scores', npy, '--meta', '/dev/zero', '--k', '2', '--sigma', '0', '--out', path.join(dir, 'cal.json')]);
    expect(c.exitCode).toBe(2);
    expect(c.stderr.trim()).toBe('kvhdl calibrate: --meta /dev/zero: not a regular file (JSON inputs must be regular files)');
    const rep = await kvhdl(['report', '--configs', file('rc.json', '[['.repeat(40) + ']]'.repeat(40)), '--out', path.join(dir, 'r')]);
    expect(rep.exitCode).toBe(2);
    expect(rep.stderr.trim()).toBe(`kvhdl report: ${path.join(dir, 'rc.json')}: nested deeper than 64 levels`);
  });

  it('parses like JSON.parse otherwise', () => {
    const text = '{"a":[1,-2.5e3,true,false,null,"x\\u0041\\n"],"__proto__":{"b":0},"a2":{}}';
    expect(parseJsonText(text)).toEqual(JSON.parse(text));
    expect(Object.keys(parseJsonText(text) as object)).toEqual(['a', '__proto__', 'a2']);
    for (const bad of ['{', '[1,]', '{"a" 1}', '01', '"\u0001"', '1 2', '']) expect(() => parseJsonText(bad), bad).toThrow(/not valid JSON/);
    expect(readJsonFile(file('ok.json', '{"k": 123456789012345678901}'), { exactIntegers: true })).toEqual({ k: 123456789012345678901n });
  });
});
