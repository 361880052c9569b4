/**
 * `kvhdl calibrate-nuq` through the bin script: writes the codebook calibrateNuq computes (weighted
 * and shared variants), and every user error is one line with exit code 2.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execa } from 'execa';
import { writeNpyFile } from '../../data/npy.ts';
import { FP16 } from '../../hdl/lib/float/format.ts';
import { calibrateNuq, calibrateNuqPerToken } from '../../gen/nuq/calibrate.ts';
import { nuqTensorPerToken } from '../../gen/nuq/per-token.ts';
import { syntheticKeys } from '../../gen/quantizer/synthetic.ts';
import { nuqTensor } from '../../gen/nuq/golden.ts';
import { nuqOutputs } from '../../gen/nuq/npy.ts';
import { parseCodebook } from '../../gen/nuq/codebook.ts';
import { nuqConfig } from '../../gen/nuq/config.ts';
import { writeNpy, type NpyArray } from '../../data/npy.ts';
import { nuqUnit } from '../../gen/nuq/index.ts';

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
      [['calibrate-nuq', '--in', path.join(dir, 'k.npy'), '--bits', '2', '--mode', 'per-row', '--out', path.join(dir, 'cb3.json')], /--mode must be per-channel or per-token/],
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

  it('kvhdl golden nuq and kvhdl cosim nuq (stalls; dequant.npy from the dequantize RTL) write identical files, equal to the whole-tensor golden; op dequantize from codes.npy + outliers.npy', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kvhdl-nuqcli2-'));
    const cfg = nuqConfig({ format: 'fp16', bits: 3, channels: 8, lanes: 4 });
    const T = 30, D = 8;
    const all = syntheticKeys(FP16, 2 * T, D, 9);
    const x = all.slice(T * D);
    x[5] = 0xfd01; // NaN with a payload: an outlier restored bit for bit
    x[17] = 0x7c00;
    await writeNpyFile(path.join(dir, 'k.npy'), { dtype: 'float16', shape: [T, D], data: all.slice(0, T * D) });
    await writeNpyFile(path.join(dir, 'x.npy'), { dtype: 'float16', shape: [T, D], data: x });
    writeFileSync(path.join(dir, 'cfg.json'), JSON.stringify(cfg));
    const cbf = path.join(dir, 'cb.json');
    expect((await kvhdl(['calibrate-nuq', '--in', path.join(dir, 'k.npy'), '--bits', '3', '--mode', 'per-channel', '--outlier-fraction', '0.1', '--out', cbf])).exitCode).toBe(0);
    const common = ['--config', path.join(dir, 'cfg.json'), '--in', path.join(dir, 'x.npy'), '--codebook', cbf];
    const g = await kvhdl(['golden', 'nuq', ...common, '--out-dir', path.join(dir, 'g')]);
    expect(g.exitCode, g.stderr).toBe(0);
    const c = await kvhdl(['cosim', 'nuq', ...common, '--out-dir', path.join(dir, 'c'), '--stall', '0.2', '--seed', '3']);
    expect(c.exitCode, c.stderr + c.stdout).toBe(0);
    const want = nuqOutputs(cfg, nuqTensor(FP16, parseCodebook(JSON.parse(readFileSync(cbf, 'utf8')), cfg), x));
    for (const name of ['codes', 'packed', 'outliers', 'dequant', 'flags'] as const) {
      const gf = readFileSync(path.join(dir, 'g', `${name}.npy`));
      expect(readFileSync(path.join(dir, 'c', `${name}.npy`)).equals(gf), `${name}.npy golden vs cosim`).toBe(true);
      expect(Buffer.from(writeNpy(want[name])).equals(gf), `${name}.npy vs nuqTensor`).toBe(true);
    }
    const rep = JSON.parse(readFileSync(path.join(dir, 'g', 'report.json'), 'utf8'));
    expect(JSON.stringify(rep)).toMatch(/"outliers":\d+/);
    // cosim's dequant.npy came from the dequantize RTL run on the quantize RTL's codes and sp stream
    const crep = JSON.parse(readFileSync(path.join(dir, 'c', 'report.json'), 'utf8'));
    expect(crep.dequantize).toMatchObject({ ok: true, top: 'kv_nuqdeq_fp16_b3_d8_p4_o3', codeBeats: (T * D) / 4, sparseRecords: want.outliers.shape[0] + 1 });
    // op "dequantize" driven directly by golden's codes.npy and outliers.npy: the same dequant.npy
    writeFileSync(path.join(dir, 'dcfg.json'), JSON.stringify({ ...cfg, op: 'dequantize' }));
    const dcommon = ['--config', path.join(dir, 'dcfg.json'), '--codes', path.join(dir, 'g', 'codes.npy'), '--outliers', path.join(dir, 'g', 'outliers.npy'), '--codebook', cbf];
    const dg = await kvhdl(['golden', 'nuq', ...dcommon, '--out-dir', path.join(dir, 'dg')]);
    expect(dg.exitCode, dg.stderr).toBe(0);
    const dc = await kvhdl(['cosim', 'nuq', ...dcommon, '--out-dir', path.join(dir, 'dc'), '--stall', '0.3', '--seed', '5']);
    expect(dc.exitCode, dc.stderr + dc.stdout).toBe(0);
    for (const d of ['dg', 'dc']) expect(readFileSync(path.join(dir, d, 'dequant.npy')).equals(readFileSync(path.join(dir, 'g', 'dequant.npy'))), `${d}/dequant.npy`).toBe(true);
    const outl = want.outliers.data as Int32Array;
    const swapped = Int32Array.from(outl);
    swapped.set(outl.subarray(0, 3), 3);
    swapped.set(outl.subarray(3, 6), 0);
    const bigCode = Uint8Array.from(want.codes.data as Uint8Array);
    bigCode[9] = 8;
    await writeNpyFile(path.join(dir, 'swapped.npy'), { dtype: 'int32', shape: [outl.length / 3, 3], data: swapped });
    // input errors: the rules in-process, and one of them through the CLI (one line, exit 2)
    const dcfg = nuqConfig({ ...cfg, op: 'dequantize' });
    const cbj = { codebook: JSON.parse(readFileSync(cbf, 'utf8')) };
    const codesA = { dtype: 'uint8' as const, shape: [T, D], data: want.codes.data };
    const xA = { dtype: 'float16' as const, shape: [T, D], data: x };
    const derr: [Record<string, NpyArray>, RegExp][] = [
      [{ codes: codesA }, /op "dequantize" needs --codes and --outliers \(missing --outliers\)/],
      [{ codes: codesA, outliers: want.outliers, in: xA }, /op "dequantize" takes --codes and --outliers, not --in/],
      [{ codes: codesA, outliers: { dtype: 'int32', shape: [outl.length / 3, 3], data: swapped } }, /outliers\[1\] = .*sorted by \(token, channel\)/],
      [{ codes: { ...codesA, data: bigCode }, outliers: want.outliers }, /codes\[1, 1\] = 8 is not a 3-bit code/],
      [{ codes: { ...codesA, dtype: 'float32', data: new Float32Array(T * D) }, outliers: want.outliers }, /codes must be an integer array/],
    ];
    for (const [arrays, re] of derr) expect(() => nuqUnit.fromNpy(dcfg, arrays, cbj)).toThrow(re);
    expect(() => nuqUnit.fromNpy(cfg, { codes: codesA }, cbj)).toThrow(/op "quantize" takes --in, not --codes/);
    const e = await kvhdl(['golden', 'nuq', '--config', path.join(dir, 'dcfg.json'), '--codes', path.join(dir, 'g', 'codes.npy'), '--outliers', path.join(dir, 'swapped.npy'), '--codebook', cbf, '--out-dir', path.join(dir, 'e')]);
    expect(e.exitCode).toBe(2);
    expect(e.stderr.trim().split('\n')).toEqual([expect.stringMatching(/outliers\[1\] = .*sorted by \(token, channel\)/)]);
  }, 120_000);

  it('per-token mode: calibrate-nuq --mode per-token and kvhdl golden nuq write the per-token golden (scales.npy); cosim (trimMax 1) writes the same bytes; a trim beyond trimMax is refused in one line, exit 2', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kvhdl-nuqpt-'));
    const T = 24, D = 8;
    const all = syntheticKeys(FP16, 2 * T, D, 13);
    const x = all.slice(T * D);
    x[3] = 0x7e00;
    await writeNpyFile(path.join(dir, 'v.npy'), { dtype: 'float16', shape: [T, D], data: all.slice(0, T * D) });
    await writeNpyFile(path.join(dir, 'x.npy'), { dtype: 'float16', shape: [T, D], data: x });
    const cbf = path.join(dir, 'cb.json');
    const c = await kvhdl(['calibrate-nuq', '--in', path.join(dir, 'v.npy'), '--bits', '2', '--mode', 'per-token', '--outlier-fraction', '0.3', '--out', cbf]);
    expect(c.exitCode, c.stderr).toBe(0);
    const cb = JSON.parse(readFileSync(cbf, 'utf8'));
    expect(cb).toEqual(JSON.parse(JSON.stringify(calibrateNuqPerToken(FP16, all.slice(0, T * D), T, D, { bits: 2, outlierFraction: 0.3, shared: false }))));
    expect(cb).toMatchObject({ mode: 'per-token', shared: true, trim: 1 });
    const cfg = nuqConfig({ bits: 2, channels: D, lanes: 2, mode: 'per-token' });
    writeFileSync(path.join(dir, 'cfg.json'), JSON.stringify(cfg));
    const common = ['--config', path.join(dir, 'cfg.json'), '--in', path.join(dir, 'x.npy'), '--codebook', cbf];
    const g = await kvhdl(['golden', 'nuq', ...common, '--out-dir', path.join(dir, 'g')]);
    expect(g.exitCode, g.stderr).toBe(0);
    const want = nuqOutputs(cfg, nuqTensorPerToken(FP16, parseCodebook(cb, cfg), x));
    for (const name of ['codes', 'packed', 'outliers', 'dequant', 'flags', 'scales'] as const) {
      expect(readFileSync(path.join(dir, 'g', `${name}.npy`)).equals(Buffer.from(writeNpy(want[name]!))), name).toBe(true);
    }
    const e = await kvhdl(['cosim', 'nuq', ...common, '--out-dir', path.join(dir, 'c')]);
    expect(e.exitCode).toBe(2);
    expect(e.stderr.trim().split('\n').at(-1)).toMatch(/kvhdl cosim: the per-token RTL computes trims up to its config's trimMax \(0\); this codebook has trim 1 \(set "trimMax": 1/);
    // trimMax 1: the RTL's files are the golden's, byte for byte, under random stalls
    writeFileSync(path.join(dir, 'cfg1.json'), JSON.stringify({ ...cfg, trimMax: 1 }));
    const c1 = await kvhdl(['cosim', 'nuq', '--config', path.join(dir, 'cfg1.json'), '--in', path.join(dir, 'x.npy'), '--codebook', cbf, '--stall', '0.2', '--out-dir', path.join(dir, 'c1')]);
    expect(c1.exitCode, c1.stderr).toBe(0);
    for (const name of ['codes', 'packed', 'outliers', 'dequant', 'flags', 'scales'] as const) {
      expect(readFileSync(path.join(dir, 'c1', `${name}.npy`)).equals(readFileSync(path.join(dir, 'g', `${name}.npy`))), name).toBe(true);
    }
    const rep = JSON.parse(readFileSync(path.join(dir, 'c1', 'report.json'), 'utf8'));
    expect(rep).toMatchObject({ ok: true, top: 'kv_nuq_fp16_tok_b2_d8_p2_s4_o3_t1', transactions: { tk: T, q: (T * D) / 2 } });
    // dequant.npy came from the per-token dequantize RTL on the quantize RTL's q, sp and tk streams
    expect(rep.dequantize).toMatchObject({ ok: true, top: 'kv_nuqdeq_fp16_tok_b2_d8_p2_o3', codeBeats: (T * D) / 2, tkRecords: T });
    // a per-channel codebook for a per-token config (and the reverse) is one line
    writeFileSync(path.join(dir, 'pc.json'), JSON.stringify({ ...cfg, mode: 'per-channel' }));
    const bad = await kvhdl(['golden', 'nuq', '--config', path.join(dir, 'pc.json'), '--in', path.join(dir, 'x.npy'), '--codebook', cbf, '--out-dir', path.join(dir, 'b')]);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr.trim().split('\n')).toEqual([expect.stringMatching(/mode is "per-token", the config has "per-channel"/)]);
  }, 60_000);

  it('kvhdl handoff vivado|fusesoc|firesim nuq write their packages; firesim of op dequantize is one line, exit 2', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kvhdl-nuqho-'));
    const v = await kvhdl(['handoff', 'vivado', 'nuq', '--part', 'xc7a35tcpg236-1', '--clock-mhz', '100', '--out', path.join(dir, 'v')]);
    expect(v.exitCode, v.stderr).toBe(0);
    expect(readFileSync(path.join(dir, 'v', 'build.tcl'), 'utf8')).toMatch(/kv_nuq_fp16_b3_d16_p2_s4_o3/);
    const f = await kvhdl(['handoff', 'fusesoc', 'nuq', '--out', path.join(dir, 'f')]);
    expect(f.exitCode, f.stderr).toBe(0);
    expect(readFileSync(path.join(dir, 'f', 'kv_nuq_fp16_b3_d16_p2_s4_o3.core'), 'utf8')).toMatch(/kv_nuq_fp16_b3_d16_p2_s4_o3\.v/);
    const s = await kvhdl(['handoff', 'firesim', 'nuq', '--out', path.join(dir, 's')]);
    expect(s.exitCode, s.stderr).toBe(0);
    expect(readFileSync(path.join(dir, 's', 'README.md'), 'utf8')).toMatch(/kvhdl_nuq_check_input/);
    writeFileSync(path.join(dir, 'deq.json'), JSON.stringify({ op: 'dequantize' }));
    const d = await kvhdl(['handoff', 'firesim', 'nuq', '--config', path.join(dir, 'deq.json'), '--out', path.join(dir, 'd')]);
    expect(d.exitCode).toBe(2);
    expect(d.stderr.trim().split('\n')).toEqual([expect.stringMatching(/op "quantize" only/)]);
    // per-token quantize: the tk stream is sized (one record per token); per-token dequantize: refused in one line
    writeFileSync(path.join(dir, 'pt.json'), JSON.stringify({ mode: 'per-token', trimMax: 1 }));
    const p = await kvhdl(['handoff', 'firesim', 'nuq', '--config', path.join(dir, 'pt.json'), '--out', path.join(dir, 'p')]);
    expect(p.exitCode, p.stderr).toBe(0);
    expect(readFileSync(path.join(dir, 'p', 'README.md'), 'utf8')).toMatch(/len\[2\] = len\[0\] \/ 8u; \/\* tk: one record per token \*\//);
    writeFileSync(path.join(dir, 'ptdeq.json'), JSON.stringify({ mode: 'per-token', op: 'dequantize' }));
    const pd = await kvhdl(['handoff', 'firesim', 'nuq', '--config', path.join(dir, 'ptdeq.json'), '--out', path.join(dir, 'pd')]);
    expect(pd.exitCode).toBe(2);
    expect(pd.stderr.trim().split('\n')).toEqual([expect.stringMatching(/op "quantize" only .*per token three: in, sp, tk/)]);
  }, 120_000);
});
