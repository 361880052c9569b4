/**
 * Issue #13 item 10: calibrate clamps θ to the decision-preserving range, and the selector accepts
 * any integer θ in thresholds.json (read exactly, not through float64) and clamps it.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execa } from 'execa';
import { writeNpyFile } from '../../data/npy.ts';
import { readJsonFile } from '../../gen/json-file.ts';
import { calibrate } from '../../gen/selector/calibrate.ts';
import { selectorConfig } from '../../gen/selector/config.ts';
import { parseThetaTable } from '../../gen/selector/thresholds.ts';
import { thetaRange } from '../../gen/selector/theta-range.ts';

const bin = path.resolve('bin/kvhdl.js');
const kvhdl = (args: string[]) => execa('node', [bin, ...args], { reject: false, timeout: 120_000 });
const dir = mkdtempSync(path.join(os.tmpdir(), 'kvhdl-theta-'));
const cfg = selectorConfig({ scoreBits: 12, maxRow: 8, lanes: 4, outLanes: 4, k: 2, heads: 1, layers: 1, rowBuckets: [8] });
const rows = [
  { layer: 0, head: 0, scores: [5, 1, 9, -3, 7, 0, 2, 4] },
  { layer: 0, head: 0, scores: [6, 2, 8, -1, 3, 3, 1, 0] },
];

describe('theta range (calibrate and thresholds.json)', () => {
  it('calibrate clamps a huge sigma to the top of the range, never beyond 2^53 or null', () => {
    const o = { k: 2, buckets: [8], heads: 1, layers: 1 };
    expect(calibrate(rows, { ...o, sigma: 1e10 }).theta).toEqual([[[2 ** 31 - 1]]]);
    expect(calibrate(rows, { ...o, sigma: 1e308 }).theta).toEqual([[[2 ** 31 - 1]]]);
    expect(calibrate(rows, { ...o, sigma: -1e308 }).theta).toEqual([[[-(2 ** 31) - 1]]]);
    expect(calibrate(rows, { ...o, sigma: 1e308, scoreBits: 12 }).theta).toEqual([[[thetaRange(12).hi]]]);
    expect(calibrate(rows, { ...o, sigma: 0 }).theta).toEqual([[[4]]]); // inside the range: unchanged (mean of 5 and 3)
  });

  it('thresholds.json: any integer theta, read exactly and clamped; non-integers refused', () => {
    const read = (text: string) => parseThetaTable(cfg, readJsonFile(path.join(dir, 'w.json'), { exactIntegers: true }), text);
    const put = (theta: string) => writeFileSync(path.join(dir, 'w.json'), `{"k":2,"buckets":[8],"theta":[[[${theta}]]]}`);
    const { lo, hi } = thetaRange(12);
    for (const [t, want] of [['123456789012345678901', hi], ['-9007199254740993', lo], ['1e30', hi], ['-1.5e400', lo], ['2047', 2047], ['-2049', -2049], ['5000', hi]] as const) {
      put(t);
      expect(read(t).theta, t).toEqual([[[want]]]);
    }
    put('1.5');
    expect(() => read('x')).toThrow('x: theta[0][0][0] = 1.5 is not an integer');
    put('9007199254740993.5');
    expect(() => readJsonFile(path.join(dir, 'w.json'), { exactIntegers: true })).toThrow(`field 'theta.0.0.0': 9007199254740993.5 is not an integer`);
  });

  it('the selector loads what calibrate --sigma 1e308 / 1e10 / -1 wrote', async () => {
    await writeNpyFile(path.join(dir, 's.npy'), { dtype: 'int32', shape: [2, 8], data: new Int32Array(rows.flatMap((r) => r.scores)) });
    writeFileSync(path.join(dir, 'm.json'), JSON.stringify({ lengths: [8, 8], heads: [0, 0], layers: [0, 0] }));
    writeFileSync(path.join(dir, 'c.json'), JSON.stringify(cfg));
    for (const sigma of ['1e308', '1e10', '-1']) {
      const th = path.join(dir, `th${sigma}.json`);
      const c = await kvhdl(['calibrate', '--scores', path.join(dir, 's.npy'), '--meta', path.join(dir, 'm.json'), '--k', '2', '--sigma', sigma, '--out', th]);
      expect(c.exitCode, c.stderr).toBe(0);
      const theta = JSON.parse(readFileSync(th, 'utf8')).theta[0][0][0];
      expect(Number.isSafeInteger(theta), String(theta)).toBe(true);
      const g = await kvhdl(['golden', 'selector', '--config', path.join(dir, 'c.json'), '--in', path.join(dir, 's.npy'), '--meta', path.join(dir, 'm.json'), '--thresholds', th, '--out-dir', path.join(dir, `g${sigma}`)]);
      expect(g.exitCode, g.stderr).toBe(0);
    }
  });
});
