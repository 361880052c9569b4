/**
 * `kvhdl calibrate-nuq` through the bin script: writes the codebook calibrateNuq computes (weighted
 * and shared variants), and every user error is one line with exit code 2.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execa } from 'execa';
import { writeNpyFile } from '../../cosim/npy.ts';
import { FP16 } from '../../hdl/lib/float/format.ts';
import { calibrateNuq } from '../../gen/nuq/calibrate.ts';
import { syntheticKeys } from '../../gen/quantizer/synthetic.ts';

const bin = path.resolve('bin/kvhdl.js');
const kvhdl = (args: string[]) => execa('node', [bin, ...args], { reject: false, timeout: 120_000 });

describe('kvhdl calibrate-nuq', () => {
  it('writes the codebook of README "Calibration"; user errors are one line, exit 2', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kvhdl-nuqcli-'));
    const T = 64, D = 8;
    const k = syntheticKeys(FP16, T, D, 7);
    const w = Float64Array.from({ length: T * D }, (_, i) => 1 + (i % 5));
    await writeNpyFile(path.join(dir, 'k.npy'), { dtype: 'float16', shape: [T, D], data: k });
    await writeNpyFile(path.join(dir, 'w.npy'), { dtype: 'float64', shape: [T, D], data: w });
    await writeNpyFile(path.join(dir, 'bad.npy'), { dtype: 'float32', shape: [T, D], data: new Float32Array(T * D) });
    await writeNpyFile(path.join(dir, 'w-shape.npy'), { dtype: 'float64', shape: [T - 1, D], data: new Float64Array((T - 1) * D) });
    const out = path.join(dir, 'cb.json');
    const r = await kvhdl(['calibrate-nuq', '--in', path.join(dir, 'k.npy'), '--bits', '3', '--mode', 'per-channel', '--outlier-fraction', '0.05', '--weights', path.join(dir, 'w.npy'), '--shared', '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    const want = calibrateNuq(FP16, k, T, D, { bits: 3, outlierFraction: 0.05, weights: w, shared: true });
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual(JSON.parse(JSON.stringify(want)));
    const base = ['calibrate-nuq', '--in', path.join(dir, 'k.npy'), '--mode', 'per-channel', '--out', path.join(dir, 'cb2.json')];
    const errors: [string[], RegExp][] = [
      [[...base, '--bits', '5'], /--bits must be 1, 2, 3 or 4/],
      [[...base, '--bits', '3', '--outlier-fraction', '0.7'], /--outlier-fraction must be a fraction in \[0, 0.5\)/],
      [['calibrate-nuq', '--in', path.join(dir, 'k.npy'), '--bits', '2', '--mode', 'per-token', '--out', path.join(dir, 'cb3.json')], /per-token is not implemented/],
      [['calibrate-nuq', '--in', path.join(dir, 'bad.npy'), '--bits', '2', '--mode', 'per-channel', '--out', path.join(dir, 'cb4.json')], /--in .*bad.npy: k must be float16/],
      [[...base, '--bits', '2', '--weights', path.join(dir, 'w-shape.npy')], /--weights .*w-shape.npy: shape must be \[64, 8\]/],
      [['calibrate-nuq', '--in', path.join(dir, 'k.npy'), '--bits', '2', '--mode', 'per-channel', '--out', path.join(dir, 'k.npy')], /./], // the input itself: refused
    ];
    for (const [args, re] of errors) {
      const e = await kvhdl(args);
      expect(e.exitCode, args.join(' ')).toBe(2);
      expect(e.stderr.split('\n')[0]).toMatch(re);
      expect(e.stderr).not.toMatch(/\n\s+at /);
    }
  }, 60_000);
});
