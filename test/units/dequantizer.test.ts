/**
 * dequantizer (gen/dequantizer/): the RTL against the golden model in Verilator with random stalls
 * and backpressure (several seeds) and in Icarus (a prefix), II = 1 and latency = stages + 2
 * without stalls, for fp16 and bf16, bits 1/2/4/8, several lane counts and pipeline depths; all
 * pairs of special scale/min values (test/float/values.ts) × every 4-bit code in Verilator; the
 * golden model against an independent NumPy float16 computation of (float16(q) * scale) + min
 * (NumPy is required: without it the test fails, it never skips); Verilator/Icarus lint (and one
 * Yosys synthesis); configuration validation; .npy conversion.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { dequantizerUnit as unit, type DequantizerConfig } from '../../gen/dequantizer/index.ts';
import { dequantizeElement, inFields } from '../../gen/dequantizer/golden.ts';
import { parseConfig, ConfigError } from '../../gen/config.ts';
import { TxnTable } from '../../data/transactions.ts';
import { readNpyFile } from '../../data/npy.ts';
import { Rng } from '../../data/rng.ts';
import { BF16, FP16, canonicalNaN, type FloatFormat } from '../../hdl/lib/float/format.ts';
import { fpFromNumber, fpIsNaN } from '../../hdl/lib/float/golden/index.ts';
import { simulateBoth } from '../helpers/simulate.ts';
import { verilogProblems, writeDesign } from '../helpers/verilog-checks.ts';
import { specialValues } from '../float/values.ts';
import { needTools } from '../helpers/tools.ts';

needTools('numpy');

const cfgOf = (raw: Record<string, unknown>) => parseConfig<DequantizerConfig>(unit, raw);
const H = (x: number) => `0x${x.toString(16).padStart(4, '0')}`;

let numpyChecked: Promise<void> | undefined;
/** NumPy is the oracle: without it the NumPy tests fail with this one line, they never skip. */
function requireNumpy(): Promise<void> {
  numpyChecked ??= execa('python3', ['-c', 'import numpy'], { reject: false, timeout: 60_000 }).then((r) => {
    if (r.failed || r.exitCode !== 0) throw new Error('the dequantizer NumPy tests need python3 with NumPy: install python3-numpy (apt-get install python3-numpy)');
  });
  return numpyChecked;
}

// Verilator builds: the default, then bits 1/2/4/8 in both formats over lane counts and depths;
// 2^bits < lanes uses the shared 2^bits-entry table (default, bf16 b2 P5, bf16 b4 P17), the rest one
// multiplier and adder per lane.
const configs: Record<string, unknown>[] = [
  {},
  { format: 'fp16', bits: 4, lanes: 8, stages: 3 },
  { format: 'fp16', bits: 8, lanes: 3, stages: 6 },
  { format: 'fp16', bits: 1, lanes: 1, stages: 0 },
  { format: 'bf16', bits: 2, lanes: 5, stages: 1 },
  { format: 'bf16', bits: 4, lanes: 17, stages: 4 },
  { format: 'bf16', bits: 8, lanes: 2, stages: 5 },
  { format: 'fp16', bits: 4, lanes: 3, stages: 8 },
  { format: 'bf16', bits: 2, lanes: 2, stages: 10 },
];

describe('dequantizer RTL against the golden model', () => {
  for (const raw of configs) {
    const cfg = cfgOf(raw);
    it(`random groups, stalls (Verilator seeds 1-3, Icarus prefix), II = 1: ${JSON.stringify(cfg)}`, async () => {
      const top = unit.build(cfg);
      const golden = (ins: Parameters<typeof unit.golden>[1]) => unit.golden(cfg, ins);
      for (const seed of [1, 2, 3]) {
        await simulateBoth(top, golden, unit.randomStimulus(cfg, seed, 3000), { seed, stall: 0.25, backpressure: 0.35, icarusTransactions: seed === 1 ? 150 : 0 });
      }
      const r = await simulateBoth(top, golden, unit.randomStimulus(cfg, 7, 3000), { seed: 7, icarusTransactions: 0 });
      expect(r.throughput.ii).toBe(1);
      expect(r.latency).toBe(cfg.stages + 2);
      expect(r.transactions.out).toBe(3000);
    });
  }

  /** Every (scale, min) pair of the special set, each with codes 0..15 over ceil(16/P) beats. */
  function specialStimulus(cfg: DequantizerConfig, f: FloatFormat): { stim: TxnTable; pairs: number } {
    const sp = specialValues(f);
    const beatsPerPair = Math.ceil(16 / cfg.lanes);
    const t = new TxnTable(inFields(cfg), sp.length * sp.length * beatsPerPair);
    let k = 0;
    for (const s of sp) {
      for (const mn of sp) {
        for (let b = 0; b < beatsPerPair; b++, k++) {
          for (let i = 0; i < cfg.lanes; i++) t.setLane(k, 'codes', 4, i, (b * cfg.lanes + i) % 16);
          t.setLane(k, 'scale', 16, 0, s);
          t.setLane(k, 'min', 16, 0, mn);
          t.setLane(k, 'last', 1, 0, b === beatsPerPair - 1 ? 1 : 0);
        }
      }
    }
    return { stim: t, pairs: sp.length * sp.length };
  }

  for (const [f, lanes, stages] of [[FP16, 8, 3], [BF16, 17, 4]] as const) {
    it(`${f.name}: all pairs of special scale/min values × every 4-bit code (${lanes} lanes), with stalls`, async () => {
      const cfg = cfgOf({ format: f.name, bits: 4, lanes, stages });
      const { stim, pairs } = specialStimulus(cfg, f);
      expect(pairs).toBeGreaterThan(3000);
      const golden = (ins: Parameters<typeof unit.golden>[1]) => unit.golden(cfg, ins);
      await simulateBoth(unit.build(cfg), golden, { in: stim }, { seed: 5, stall: 0.2, backpressure: 0.2, icarusTransactions: 0 });
      // the set reaches every kind of result
      const out = golden({ in: stim }).out;
      const kinds = new Set<string>();
      for (let k = 0; k < out.count; k++) {
        for (let i = 0; i < cfg.lanes; i++) {
          const v = out.lane(k, 'values', 16, i, false);
          const e = (v >> f.man) & ((1 << f.exp) - 1);
          kinds.add(fpIsNaN(f, v) ? 'nan' : e === (1 << f.exp) - 1 ? 'inf' : e === 0 ? ((v & 0x7fff) === 0 ? 'zero' : 'subnormal') : 'normal');
        }
      }
      expect([...kinds].sort()).toEqual(['inf', 'nan', 'normal', 'subnormal', 'zero']);
    });
  }
});

describe('dequantizer golden model', () => {
  it('IEEE special cases (canonical NaN)', () => {
    for (const f of [FP16, BF16]) {
      const nan = canonicalNaN(f);
      const inf = ((1 << f.exp) - 1) << f.man;
      const one = f.bias << f.man;
      const x = (q: number, s: number, m: number) => dequantizeElement(f, q, s, m);
      expect(x(3, 0xffff & (inf | 5), one)).toBe(nan); // NaN scale with a payload
      expect(x(3, one, 0x8000 | inf | 1)).toBe(nan); // negative NaN min
      expect(x(0, inf, one)).toBe(nan); // 0 · Inf
      expect(x(2, inf, one)).toBe(inf);
      expect(x(2, 0x8000 | inf, inf)).toBe(nan); // −Inf + Inf
      expect(x(2, one, 0x8000 | inf)).toBe(0x8000 | inf);
      expect(x(0, 0x8000, 0x8000)).toBe(0x8000); // (+0 · −0) + −0 = −0
      expect(x(0, 0x8000, 0)).toBe(0); // −0 + +0 = +0
      expect(x(1, 1, 0)).toBe(1); // smallest subnormal kept
      expect(x(3, 1, 0)).toBe(3);
      expect(x(2, one, 0x8000 | (one + (1 << f.man)))).toBe(0); // 2 − 2 = +0
      expect(x(1, inf - 1, inf - 1)).toBe(inf); // max + max overflows
    }
    // fp16: q · scale rounds before the addition (two roundings, not a fused multiply-add)
    const s = fpFromNumber(FP16, 1 + 2 ** -10); // 1 + ulp
    expect(dequantizeElement(FP16, 3, s, fpFromNumber(FP16, -3))).toBe(fpFromNumber(FP16, 2 ** -9 * 2)); // 3·(1+u) = 3 + 3u → rounds to 3 + 4u; − 3 = 4u
  });

  it('matches NumPy float16 (float16(q) * scale) + min on random groups and special pairs (fp16)', async () => {
    const q: number[] = [];
    const s: number[] = [];
    const m: number[] = [];
    const want: number[] = [];
    for (const bits of [2, 4, 8] as const) {
      const cfg = cfgOf({ format: 'fp16', bits, lanes: 8 });
      const t = unit.randomStimulus(cfg, 11 + bits, 400).in;
      const out = unit.golden(cfg, { in: t }).out;
      for (let k = 0; k < t.count; k++) {
        for (let i = 0; i < cfg.lanes; i++) {
          q.push(t.lane(k, 'codes', bits, i, false));
          s.push(Number(t.get(k, 'scale')));
          m.push(Number(t.get(k, 'min')));
          want.push(out.lane(k, 'values', 16, i, false));
        }
      }
    }
    const sp = specialValues(FP16);
    const rng = new Rng(3);
    for (const a of sp) for (const b of sp) {
      const code = rng.int(0, 255);
      q.push(code); s.push(a); m.push(b); want.push(dequantizeElement(FP16, code, a, b));
    }
    expect(q.length).toBeGreaterThan(10000);

    await requireNumpy();
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kvhdl-dequant-np-'));
    const w = (name: string, a: ArrayBufferView) => writeFileSync(path.join(dir, name), new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
    w('q.bin', Uint8Array.from(q));
    w('s.bin', Uint16Array.from(s));
    w('m.bin', Uint16Array.from(m));
    const script = [
      'import sys, numpy as np',
      'd = sys.argv[1]',
      "q = np.fromfile(d + '/q.bin', dtype=np.uint8)",
      "s = np.fromfile(d + '/s.bin', dtype='<u2').view(np.float16)",
      "m = np.fromfile(d + '/m.bin', dtype='<u2').view(np.float16)",
      "with np.errstate(all='ignore'):",
      '    x = (q.astype(np.float16) * s) + m',
      "assert x.dtype == np.float16, x.dtype",
      "x.view('<u2').tofile(d + '/x.bin')",
    ].join('\n');
    await execa('python3', ['-c', script, dir], { timeout: 60_000 });
    const buf = readFileSync(path.join(dir, 'x.bin'));
    const got = new Uint16Array(buf.buffer, buf.byteOffset, buf.byteLength / 2);
    expect(got.length).toBe(q.length);
    const bad: string[] = [];
    for (let i = 0; i < q.length; i++) {
      const same = fpIsNaN(FP16, want[i]) ? fpIsNaN(FP16, got[i]) : want[i] === got[i];
      if (!same && bad.length < 5) bad.push(`q=${q[i]} scale=${H(s[i])} min=${H(m[i])}: golden ${H(want[i])}, numpy ${H(got[i])}`);
    }
    expect(bad).toEqual([]);
  });
  it('end to end through .npy files written by NumPy: codes/scale/min.npy in, values.npy as NumPy computes it (fp16)', async () => {
    await requireNumpy();
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kvhdl-dequant-npy-'));
    const script = [
      'import sys, numpy as np',
      'd = sys.argv[1]',
      'rng = np.random.default_rng(5)',
      'rows, G = 64, 32',
      "mn = (rng.standard_normal(rows) * 4).astype(np.float16)",
      "mx = (mn.astype(np.float32) + rng.uniform(0, 8, rows)).astype(np.float16)",
      "scale = ((mx - mn) / np.float16(15)).astype(np.float16)",
      "scale[3] = np.float16(2.0 ** -20); scale[4] = 0; scale[5] = np.inf; mn[6] = np.nan",
      "codes = rng.integers(0, 16, size=(rows, G), dtype=np.uint8)",
      "np.save(d + '/codes.npy', codes); np.save(d + '/scale.npy', scale); np.save(d + '/min.npy', mn)",
      "with np.errstate(all='ignore'):",
      '    x = codes.astype(np.float16) * scale[:, None] + mn[:, None]',
      "np.save(d + '/expected.npy', x)",
    ].join('\n');
    await execa('python3', ['-c', script, dir], { timeout: 60_000 });
    const cfg = cfgOf({ format: 'fp16', bits: 4, lanes: 8 });
    const arrays = Object.fromEntries(await Promise.all(['codes', 'scale', 'min'].map(async (k) => [k, await readNpyFile(path.join(dir, `${k}.npy`))] as const)));
    const values = unit.toNpy(cfg, unit.golden(cfg, unit.fromNpy(cfg, arrays))).values;
    const expected = await readNpyFile(path.join(dir, 'expected.npy'));
    expect(expected.dtype).toBe('float16');
    expect(values.shape).toEqual(expected.shape);
    const want = expected.data as Uint16Array;
    const got = values.data as Uint16Array;
    const bad: string[] = [];
    for (let i = 0; i < want.length; i++) {
      if (fpIsNaN(FP16, want[i]) ? !fpIsNaN(FP16, got[i]) : want[i] !== got[i]) bad.push(`[${Math.floor(i / 32)}, ${i % 32}]: ${H(got[i])}, numpy ${H(want[i])}`);
    }
    expect(bad.slice(0, 5)).toEqual([]);
  });
});

describe('dequantizer Verilog and configuration', () => {
  it('lint-clean (verilator -Wall, iverilog) for every tested configuration; Yosys synthesis of a small one', async () => {
    for (const raw of configs) {
      const top = unit.build(cfgOf(raw));
      expect(await verilogProblems(writeDesign(top), top.name, { synth: false }), top.name).toEqual([]);
    }
    const small = unit.build(cfgOf({ format: 'bf16', bits: 8, lanes: 2, stages: 5 }));
    expect(await verilogProblems(writeDesign(small), small.name)).toEqual([]);
  });

  it('validates its configuration', () => {
    expect(cfgOf({})).toEqual({ format: 'fp16', bits: 2, lanes: 8, pipeline: 'balanced', stages: 7 });
    const bad = (raw: Record<string, unknown>) => () => cfgOf(raw);
    expect(bad({ bits: 3 })).toThrow(ConfigError);
    expect(bad({ bits: 16 })).toThrow(/bits/);
    expect(bad({ lanes: 0 })).toThrow(/lanes/);
    expect(bad({ lanes: 65 })).toThrow(/at most 64/);
    expect(bad({ stages: 11 })).toThrow(/at most 10/);
    expect(bad({ format: 'fp32' })).toThrow(/format/);
    expect(bad({ width: 16 })).toThrow(/unknown field 'width'/);
    expect(unit.build(cfgOf({ format: 'bf16', bits: 4, lanes: 16, stages: 3 })).name).toBe('kv_dequant_bf16_b4_p16_s3');
  });

  it('reads codes/scale/min .npy arrays and writes values.npy [rows, G]', () => {
    const cfg = cfgOf({ format: 'fp16', bits: 4, lanes: 4 });
    const rows = 3;
    const G = 8;
    const codes = Uint8Array.from({ length: rows * G }, (_, i) => (i * 7) % 16);
    const scale = Uint16Array.from([0.25, 1.5, -0.125].map((v) => fpFromNumber(FP16, v)));
    const mn = Uint16Array.from([-2, 0.5, 1000].map((v) => fpFromNumber(FP16, v)));
    const stim = unit.fromNpy(cfg, {
      codes: { dtype: 'uint8', shape: [rows, G], data: codes },
      scale: { dtype: 'float16', shape: [rows], data: scale },
      min: { dtype: 'float16', shape: [rows], data: mn },
    });
    expect(stim.in.count).toBe(rows * (G / cfg.lanes));
    expect([0, 1, 2, 3, 4, 5].map((k) => Number(stim.in.get(k, 'last')))).toEqual([0, 1, 0, 1, 0, 1]);
    const out = unit.toNpy(cfg, unit.golden(cfg, stim));
    expect(out.values.dtype).toBe('float16');
    expect(out.values.shape).toEqual([rows, G]);
    for (let r = 0; r < rows; r++) for (let j = 0; j < G; j++) {
      expect(out.values.data[r * G + j]).toBe(dequantizeElement(FP16, codes[r * G + j], scale[r], mn[r]));
    }
    // bf16 takes uint16 patterns and writes uint16; random (uneven) groups come out as [beats, P]
    const cb = cfgOf({ format: 'bf16', bits: 2, lanes: 2 });
    const sb = unit.fromNpy(cb, {
      codes: { dtype: 'int32', shape: [1, 4], data: Int32Array.from([0, 1, 2, 3]) },
      scale: { dtype: 'uint16', shape: [1], data: Uint16Array.from([0x3f80]) },
      min: { dtype: 'uint16', shape: [1], data: Uint16Array.from([0x4000]) },
    });
    const ob = unit.toNpy(cb, unit.golden(cb, sb)).values;
    expect(ob.dtype).toBe('uint16');
    expect(ob.shape).toEqual([1, 4]);
    expect(Array.from(ob.data as Uint16Array)).toEqual([0x4000, 0x4040, 0x4080, 0x40a0]); // 2, 3, 4, 5
    const rnd = unit.randomStimulus(cb, 1, 50);
    expect(unit.toNpy(cb, unit.golden(cb, rnd)).values.shape).toEqual([50, 2]);
  });

  it('rejects bad .npy inputs with one-line messages', () => {
    const cfg = cfgOf({ format: 'bf16', bits: 2, lanes: 4 });
    const ok = {
      codes: { dtype: 'uint8' as const, shape: [2, 4], data: new Uint8Array(8) },
      scale: { dtype: 'uint16' as const, shape: [2], data: new Uint16Array(2) },
      min: { dtype: 'uint16' as const, shape: [2], data: new Uint16Array(2) },
    };
    expect(() => unit.fromNpy(cfg, ok)).not.toThrow();
    expect(() => unit.fromNpy(cfg, { ...ok, codes: { dtype: 'uint8', shape: [2, 3], data: new Uint8Array(6) } })).toThrow(/multiple of lanes \(4\)/);
    expect(() => unit.fromNpy(cfg, { ...ok, codes: { dtype: 'uint8', shape: [8], data: new Uint8Array(8) } })).toThrow(/shape \[rows, G\]/);
    expect(() => unit.fromNpy(cfg, { ...ok, codes: { dtype: 'uint8', shape: [2, 4], data: Uint8Array.from([0, 1, 2, 3, 4, 0, 0, 0]) } })).toThrow(/--codes\[1, 0\] = 4 is not a 2-bit code/);
    expect(() => unit.fromNpy(cfg, { ...ok, scale: { dtype: 'float16', shape: [2], data: new Uint16Array(2) } })).toThrow(/--scale must have dtype uint16/);
    expect(() => unit.fromNpy(cfg, { ...ok, min: { dtype: 'uint16', shape: [3], data: new Uint16Array(3) } })).toThrow(/--min must have shape \[2\]/);
    expect(() => unit.fromNpy(cfg, { codes: ok.codes, scale: ok.scale })).toThrow(/needs --min/);
  });
});
