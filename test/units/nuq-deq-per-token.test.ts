/**
 * nuq per-token dequantize mode (gen/nuq/README.md "Per-token dequantize"): the golden model
 * against the per-token quantizer (chained streams give back q's x̂), the RTL against the golden
 * model in Verilator with random stalls on all four streams and in Icarus, II = 1 without outliers,
 * lint of the default size, the NumPy checker (nuq_ref.py), and the CLI: `op: "dequantize"` driven
 * by codes.npy + outliers.npy + scales.npy, and its input errors. (The per-token quantize config's
 * golden == cosim dequant.npy through the dequantize RTL: test/units/nuq-cli.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execa } from 'execa';
import { nuqConfig, nuqFormat } from '../../gen/nuq/config.ts';
import { nuqUnit } from '../../gen/nuq/index.ts';
import { deqConfigFor, deqStimulusFromQuant } from '../../gen/nuq/chain.ts';
import { deqTransactionsPerToken } from '../../gen/nuq/deq-per-token.ts';
import { calibrateNuqPerToken } from '../../gen/nuq/calibrate.ts';
import { heavyTailedKeys } from '../../gen/nuq/synthetic.ts';
import { nuqTensorPerToken } from '../../gen/nuq/per-token.ts';
import { parseCodebook } from '../../gen/nuq/codebook.ts';
import { nuqOutputs } from '../../gen/nuq/npy.ts';
import { syntheticValues } from '../../gen/quantizer/synthetic.ts';
import { FP16 } from '../../hdl/lib/float/format.ts';
import { writeNpy, writeNpyFile, type NpyArray } from '../../data/npy.ts';
import type { TxnTable } from '../../data/transactions.ts';
import { Rng } from '../../data/rng.ts';
import { simulateBoth } from '../helpers/simulate.ts';
import { verilogProblems, writeDesign } from '../helpers/verilog-checks.ts';

const bin = path.resolve('bin/kvhdl.js');
const kvhdl = (args: string[]) => execa('node', [bin, ...args], { reject: false, timeout: 120_000 });

describe('nuq per-token dequantize', () => {
  it("golden: the per-token quantizer's q codes, sp and tk streams, fed to the dequantizer, give back q's x̂ (fp16, bf16)", () => {
    for (const base of [{ format: 'fp16' as const, bits: 3 as const, channels: 8, lanes: 4, trimMax: 1 }, { format: 'bf16' as const, bits: 2 as const, channels: 8, lanes: 2 }]) {
      const cq = nuqConfig({ ...base, mode: 'per-token' });
      const stim = nuqUnit.randomStimulus(cq, 11, 400);
      const gq = nuqUnit.golden(cq, stim);
      const gd = nuqUnit.golden(deqConfigFor(cq), deqStimulusFromQuant(cq, stim, gq));
      expect(gd.out.count).toBe(gq.q.count);
      let outliers = 0;
      for (let k = 0; k < gq.sp.count; k++) outliers += gq.sp.lane(k, 'last', 1, 0, false) ? 0 : 1;
      expect(outliers).toBeGreaterThan(0);
      for (let k = 0; k < gq.q.count; k++) expect(gd.out.get(k, 'deq'), `beat ${k}`).toBe(gq.q.get(k, 'deq'));
    }
  });

  it('golden (kvhdl golden nuq path) equals the NumPy checker written from the README (nuq_ref.py), fp16 and bf16, random codes, scales with specials and outliers', async () => {
    const work = mkdtempSync(path.join(os.tmpdir(), 'kvhdl-nuqdpt-np-'));
    const dirs: string[] = [];
    const mine: Uint8Array[] = [];
    for (const [i, format] of (['fp16', 'bf16'] as const).entries()) {
      const cfg = nuqConfig({ op: 'dequantize', mode: 'per-token', format, bits: 3, channels: 8, lanes: 2 });
      const f = nuqFormat(cfg);
      const r = new Rng(40 + i);
      const T = 64, D = cfg.channels;
      const cb = calibrateNuqPerToken(f, heavyTailedKeys(f, 32, D, 7 + i), 32, D, { bits: 3, outlierFraction: 0.1, shared: true });
      const sp = format === 'fp16' ? [0x7e00, 0xfe01, 0x7c00, 0xfc00, 0x8000, 0, 0x0001, 0x03ff, 0x7bff, 0xfbff] : [0x7fc0, 0xffc1, 0x7f80, 0xff80, 0x8000, 0, 0x0001, 0x007f, 0x7f7f, 0xff7f];
      const codes = Uint8Array.from({ length: T * D }, () => r.int(0, 7));
      const scales = Uint16Array.from({ length: 2 * T }, () => (r.chance(0.3) ? sp[r.int(0, sp.length - 1)] : r.int(0, 0xffff)));
      const outl: number[] = [];
      for (let e = 0; e < T * D; e++) if (r.chance(0.08)) outl.push(Math.floor(e / D), e % D, r.int(0, 0xffff));
      const arrays: Record<string, NpyArray> = {
        codes: { dtype: 'uint8', shape: [T, D], data: codes },
        outliers: { dtype: 'int32', shape: [outl.length / 3, 3], data: Int32Array.from(outl) },
        scales: { dtype: 'uint16', shape: [T, 2], data: scales },
      };
      const cbj = JSON.parse(JSON.stringify(cb));
      mine.push(writeNpy(nuqUnit.toNpy(cfg, nuqUnit.golden(cfg, nuqUnit.fromNpy(cfg, arrays, { codebook: cbj }))).dequant));
      const d = path.join(work, format);
      mkdirSync(d);
      writeFileSync(path.join(d, 'case.json'), JSON.stringify({ op: 'dequantize', mode: 'per-token', format, bits: 3, channels: D }));
      writeFileSync(path.join(d, 'codebook.json'), JSON.stringify(cbj));
      for (const [k, a] of Object.entries(arrays)) writeFileSync(path.join(d, `${k}.npy`), writeNpy(a));
      dirs.push(d);
    }
    const py = await execa('python3', [path.resolve('test/units/numpy/nuq_ref.py'), ...dirs], { timeout: 60_000, reject: false });
    expect(py.exitCode, py.stderr).toBe(0);
    dirs.forEach((d, i) => expect(Buffer.from(mine[i]).equals(readFileSync(path.join(d, 'dequant.npy'))), `${d}: dequant.npy`).toBe(true));
    rmSync(work, { recursive: true, force: true });
  }, 60_000);

  const configs = [
    nuqConfig({ op: 'dequantize', mode: 'per-token', format: 'fp16', bits: 3, channels: 8, lanes: 4 }),
    nuqConfig({ op: 'dequantize', mode: 'per-token', format: 'bf16', bits: 2, channels: 8, lanes: 2, opStages: 1 }),
  ];
  for (const cfg of configs) {
    it(`RTL ${cfg.format} b${cfg.bits} D${cfg.channels} P${cfg.lanes}: random stalls on in, sp, tk and out, Icarus on a whole stimulus; II = 1 without outliers`, async () => {
      const top = nuqUnit.build(cfg);
      expect(top.name).toBe(`kv_nuqdeq_${cfg.format}_tok_b${cfg.bits}_d${cfg.channels}_p${cfg.lanes}_o${cfg.opStages}`);
      const golden = (ins: Record<string, TxnTable>) => nuqUnit.golden(cfg, ins);
      for (const [seed, n] of [[1, 40], [2, 500]]) {
        const stim = nuqUnit.randomStimulus(cfg, seed, n);
        expect(stim.sp.count).toBeGreaterThan(3 * cfg.channels); // the burst alone has 3 tokens of outliers
        // Icarus gets the whole small stimulus (a prefix of sp or tk would leave the merge waiting)
        await simulateBoth(top, golden, stim, { seed, stall: 0.25, backpressure: 0.35, icarusTransactions: seed === 1 ? 1_000_000 : 0 });
      }
      // no outliers: one code beat per cycle across tokens (each token's first beat takes its tk record)
      const f = nuqFormat(cfg);
      const r0 = new Rng(9);
      const cb = calibrateNuqPerToken(f, heavyTailedKeys(f, 32, cfg.channels, 5), 32, cfg.channels, { bits: cfg.bits, outlierFraction: 0, shared: true });
      const T = 300;
      const codes = Uint8Array.from({ length: T * cfg.channels }, () => r0.int(0, 2 ** cfg.bits - 1));
      const scales = Uint16Array.from({ length: 2 * T }, () => r0.int(0, 0xffff));
      const stim = deqTransactionsPerToken(cfg, [{ load: cb }, { codes, outliers: new Int32Array(0), scales }]);
      const r = await simulateBoth(top, golden, stim, { seed: 5, icarusTransactions: 0 });
      // the in stream's rate (throughput.ii is the slowest input stream: tk has one record per D/P beats)
      expect(r.throughput.cyclesPerTxn.in).toBeLessThan(1.05);
      expect(r.throughput.cyclesPerTxn.tk).toBeCloseTo(cfg.channels / cfg.lanes, 1);
    }, 180_000);
  }

  it('default size: verilator -Wall, iverilog -g2005', async () => {
    const top = nuqUnit.build(nuqConfig({ op: 'dequantize', mode: 'per-token' }));
    expect(await verilogProblems(writeDesign(top), top.name, { synth: false })).toEqual([]);
  }, 120_000);

  it('op dequantize driven by codes.npy + outliers.npy + scales.npy: kvhdl golden and cosim (stalls) write the per-token golden\'s dequant.npy; input errors one line, exit 2', async () => {
    // (kvhdl golden|cosim nuq of a per-token quantize config, whose dequant.npy now comes from this
    // dequantizer, golden vs cosim byte for byte: test/units/nuq-cli.test.ts "per-token mode")
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kvhdl-nuqdpt-'));
    const T = 20, D = 8;
    const all = syntheticValues(FP16, 2 * T, D, 17);
    const x = all.slice(T * D);
    x[3] = 0xfd01; // NaN with a payload: restored bit for bit
    x[12] = 0x7c00;
    const cfg = nuqConfig({ bits: 2, channels: D, lanes: 2, mode: 'per-token', op: 'dequantize' });
    const cb = JSON.parse(JSON.stringify(calibrateNuqPerToken(FP16, all.slice(0, T * D), T, D, { bits: 2, outlierFraction: 0.3, shared: true })));
    const cbf = path.join(dir, 'cb.json');
    writeFileSync(cbf, JSON.stringify(cb));
    const want = nuqOutputs(cfg, nuqTensorPerToken(FP16, parseCodebook(cb, cfg), x));
    expect(want.outliers.shape[0]).toBeGreaterThan(T); // trim 1: at least 2 per token
    for (const n of ['codes', 'outliers', 'scales'] as const) writeFileSync(path.join(dir, `${n}.npy`), writeNpy(want[n]!));
    writeFileSync(path.join(dir, 'dcfg.json'), JSON.stringify(cfg));
    const files = ['--codes', path.join(dir, 'codes.npy'), '--outliers', path.join(dir, 'outliers.npy')];
    const dcommon = ['--config', path.join(dir, 'dcfg.json'), ...files, '--scales', path.join(dir, 'scales.npy'), '--codebook', cbf];
    const dg = await kvhdl(['golden', 'nuq', ...dcommon, '--out-dir', path.join(dir, 'dg')]);
    expect(dg.exitCode, dg.stderr).toBe(0);
    const dc = await kvhdl(['cosim', 'nuq', ...dcommon, '--out-dir', path.join(dir, 'dc'), '--stall', '0.3', '--seed', '5']);
    expect(dc.exitCode, dc.stderr + dc.stdout).toBe(0);
    for (const d of ['dg', 'dc']) expect(readFileSync(path.join(dir, d, 'dequant.npy')).equals(Buffer.from(writeNpy(want.dequant))), `${d}/dequant.npy`).toBe(true);
    expect(JSON.parse(readFileSync(path.join(dir, 'dc', 'report.json'), 'utf8'))).toMatchObject({ ok: true, top: 'kv_nuqdeq_fp16_tok_b2_d8_p2_o3', transactions: { tk: T, out: (T * D) / 2 } });
    // input errors: in-process, and one through the CLI (one line, exit 2)
    const cbj = { codebook: cb };
    const codesA = want.codes;
    const scalesA = want.scales!;
    const derr: [Record<string, NpyArray>, RegExp][] = [
      [{ codes: codesA, outliers: want.outliers }, /op "dequantize", mode "per-token", needs --codes, --outliers and --scales \(missing --scales\)/],
      [{ codes: codesA, outliers: want.outliers, scales: scalesA, in: want.dequant }, /op "dequantize", mode "per-token", takes --codes, --outliers and --scales, not --in/],
      [{ codes: codesA, outliers: want.outliers, scales: { ...scalesA, shape: [T - 1, 2], data: (scalesA.data as Uint16Array).slice(2) } }, /scales must have shape \[20, 2\] \(each token's mid, half; codes has 20 tokens\), got \[19, 2\]/],
      [{ codes: codesA, outliers: want.outliers, scales: { ...scalesA, dtype: 'float32', data: new Float32Array(2 * T) } }, /scales must be float16 \(or uint16 binary16 patterns\) for format fp16, got float32/],
    ];
    for (const [arrays, re] of derr) expect(() => nuqUnit.fromNpy(cfg, arrays, cbj)).toThrow(re);
    expect(() => nuqUnit.fromNpy(nuqConfig({ ...cfg, mode: 'per-channel' }), { codes: codesA, outliers: want.outliers, scales: scalesA }, { codebook: {} })).toThrow(/op "dequantize" takes --codes and --outliers, not --scales/);
    await writeNpyFile(path.join(dir, 'short.npy'), { ...scalesA, shape: [T - 1, 2], data: (scalesA.data as Uint16Array).slice(2) });
    const e = await kvhdl(['golden', 'nuq', '--config', path.join(dir, 'dcfg.json'), ...files, '--scales', path.join(dir, 'short.npy'), '--codebook', cbf, '--out-dir', path.join(dir, 'e')]);
    expect(e.exitCode).toBe(2);
    expect(e.stderr.trim().split('\n')).toEqual([expect.stringMatching(/scales must have shape \[20, 2\]/)]);
    rmSync(dir, { recursive: true, force: true });
  }, 120_000);
});
