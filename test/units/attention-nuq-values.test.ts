/**
 * attention with `valueQuant: "nuq"` (gen/attention/README.md §1 "NUQ values", §6 NUQ token records):
 * the image parsed back against README-level facts computed here from v (each token's trimmed
 * statistics with the float library, outliers exactly the values outside them, every other channel
 * fl(fl(cent[code]·half) + mid)); the golden model on the parsed image equals the one on the cache;
 * the RTL in Verilator with random stalls and memory latency (threshold, n = 40, 19, 12; topk, n = 40);
 * `kvhdl golden` and `kvhdl cosim` (through the bin script; cosim's image values from the nuq per-token
 * quantize RTL) write byte-identical files; preCosim's image check catches a changed nuq output; the CLI's one-line errors for a missing or mismatching
 * --value-codebook (exit 2).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { writeNpyFile } from '../../data/npy.ts';
import { FORMATS } from '../../hdl/lib/float/format.ts';
import { fpAdd, fpFromNumber, fpMul, fpSub, fpToNumber } from '../../hdl/lib/float/golden/index.ts';
import { attentionConfig, attentionDims, type AttentionConfig } from '../../gen/attention/config.ts';
import { buildCache } from '../../gen/attention/cache.ts';
import { attentionGolden } from '../../gen/attention/golden.ts';
import { buildImage, parseImage, regionMap } from '../../gen/attention/layout.ts';
import { attentionRandomStimulus, attentionStreamGolden, calibrateValueCodebook, CACHE_MEMORY, imageTable, queryTable } from '../../gen/attention/stimulus.ts';
import { syntheticAttention } from '../../gen/attention/synthetic.ts';
import { attentionUnit } from '../../gen/attention/index.ts';
import { valueCodebook } from '../../gen/attention/cache-nuq.ts';
import { runUnit } from '../../flow/unit-run.ts';
import type { StreamData, SubUnitRun } from '../../gen/unit.ts';
import { writeDesign } from '../../hdl/index.ts';
import { attentionRtl } from '../../gen/attention/rtl.ts';
import { verilatorLint } from '../../toolchain/lint.ts';

const small: Partial<AttentionConfig> = {
  dims: 32, dimsPerCycle: 32, keyBits: 4, valueBits: 4, groupSize: 8, residual: 16, maxKeys: 64, keyLanes: 4, sink: 1, k: 8, rowBuckets: [64], valueQuant: 'nuq', valueTrimMax: 2,
};
const f = FORMATS.fp16;
const half = fpFromNumber(f, 0.5);

describe('NUQ values: image and golden (README §1, §6)', () => {
  for (const raw of [{}, { dims: 64, dimsPerCycle: 64, valueBits: 2, valueTrimMax: 3, groupSize: 16 }] as Partial<AttentionConfig>[]) {
    it(`the image parses back to README-level values ${JSON.stringify(raw)}`, () => {
      const cfg = attentionConfig({ ...small, ...raw });
      const d = attentionDims(cfg);
      const n = 50;
      const data = syntheticAttention({ rows: 2, n, D: d.D, seed: 11, window: 8 });
      const trim = cfg.valueTrimMax;
      const cb = calibrateValueCodebook(cfg, data.v, trim);
      expect(cb.trim).toBe(trim);
      const cache = buildCache(cfg, data.k, data.v, cb);
      const words = buildImage(cfg, cache);
      const m = regionMap(cfg, n);
      const Tv = n - d.R;
      expect(m.size.valueScaleMin).toBe(Tv * Math.ceil((32 * (1 + 2 * trim)) / d.W));
      expect(m.size.valueCodebook).toBe(Math.ceil((16 * 2 ** d.bv) / d.W));
      expect(m.base.valueCodebook).toBe(m.base.valueResidual + (n - Tv) * d.H16);
      expect(words.length).toBe(m.total);
      const p = parseImage(cfg, words, n);
      const nv = p.nuq!;
      expect(nv.cent.map((c) => fpToNumber(f, c))).toEqual(cb.centroids[0]);
      let outliers = 0;
      for (let t = 0; t < Tv; t++) {
        const x = Array.from(data.v.subarray(t * d.D, (t + 1) * d.D));
        const s = x.map((v) => fpToNumber(f, v)).sort((a, b) => a - b);
        const lo = fpFromNumber(f, s[trim]), hi = fpFromNumber(f, s[d.D - 1 - trim]);
        expect(nv.mid[t]).toBe(fpMul(f, fpAdd(f, hi, lo), half));
        expect(nv.half[t]).toBe(fpMul(f, fpSub(f, hi, lo), half));
        const want = x.map((v, c) => [c, v] as [number, number]).filter(([, v]) => fpToNumber(f, v) < s[trim] || fpToNumber(f, v) > s[d.D - 1 - trim]);
        expect(nv.outliers[t]).toEqual(want);
        expect(want.length).toBeLessThanOrEqual(2 * trim);
        outliers += want.length;
        for (let c = 0; c < d.D; c++) {
          const o = want.find(([ch]) => ch === c);
          const code = p.valueCodes[t * d.D + c];
          const xhat = o ? o[1] : fpAdd(f, fpMul(f, nv.cent[code], nv.half[t]), nv.mid[t]);
          expect(cache.values.dequant[t * d.D + c], `t ${t} c ${c}`).toBe(xhat);
        }
      }
      expect(outliers).toBeGreaterThan(Tv); // the records' slots are exercised
      // the golden model over the parsed image (the stream golden) equals the one over the cache
      const g = attentionGolden(attentionConfig({ ...cfg, selection: 'none' }), { q: data.q, k: data.k, v: data.v, valueCodebook: cb });
      const dense = attentionConfig({ ...cfg, selection: 'none' });
      const stim = { query: queryTable(dense, [0, 1].map((r) => ({ q: data.q.subarray(r * d.D, (r + 1) * d.D), theta: null, n }))), [CACHE_MEMORY]: imageTable(dense, words) };
      const sg = attentionStreamGolden(dense, stim);
      for (let r = 0; r < 2; r++) {
        for (let c = 0; c < d.D; c++) expect(Number(sg.out.get(r * d.D + c, 'value'))).toBe(g.results[r].out[c]);
        expect(Number(sg.row.get(r, 'words'))).toBe(g.results[r].words.total);
        expect(g.results[r].words.valueCodebook).toBe(m.size.valueCodebook);
        expect(g.results[r].words.valueScaleMin).toBe(Tv * d.MV);
      }
    });
  }

  it('a config error for 8-bit NUQ values, and a missing codebook is an error', () => {
    expect(() => attentionConfig({ ...small, valueBits: 8 })).toThrow(/valueBits[\s\S]*must be 2 or 4/);
    const cfg = attentionConfig(small);
    const data = syntheticAttention({ rows: 1, n: 20, D: 32, seed: 1, window: 4 });
    expect(() => buildCache(cfg, data.k, data.v)).toThrow(/value-codebook/);
  });
});

describe('NUQ values: RTL vs golden', () => {
  it('threshold, Verilator, random stalls and memory latency 1..20', async () => {
    const cfg = attentionConfig(small);
    const work = mkdtempSync(path.join(os.tmpdir(), 'kvhdl-attn-nuq-'));
    for (const [seed, n, stall] of [[4, 40, 0.3], [7, 19, 0.2], [9, 12, 0.3]] as const) {
      const stim = attentionRandomStimulus(cfg, seed, 2, n);
      const r = await runUnit(attentionUnit, cfg, stim, { workDir: path.join(work, `s${seed}`), seed, stall, memLatency: [1, 20] });
      expect(r.ok, r.problem).toBe(true);
      const words = Array.from({ length: r.outputs.row.count }, (_, i) => Number(r.outputs.row.get(i, 'words'))).reduce((a, b) => a + b, 0);
      expect(r.memoryRequests).toEqual({ cache: words });
    }
  }, 240_000);

  it('topk (k = 8 of 23 candidates, early exit), Verilator, random stalls and memory latency 1..20', async () => {
    const cfg = attentionConfig({ ...small, selection: 'topk' });
    const work = mkdtempSync(path.join(os.tmpdir(), 'kvhdl-attn-nuq-topk-'));
    const stim = attentionRandomStimulus(cfg, 6, 2, 40);
    const r = await runUnit(attentionUnit, cfg, stim, { workDir: work, seed: 6, stall: 0.3, memLatency: [1, 20] });
    expect(r.ok, r.problem).toBe(true);
    const words = Array.from({ length: r.outputs.row.count }, (_, i) => Number(r.outputs.row.get(i, 'words'))).reduce((a, b) => a + b, 0);
    expect(r.memoryRequests).toEqual({ cache: words });
    // the rows keep k candidates besides the sink and the recent window, and their values include NUQ tokens
    for (let i = 0; i < r.outputs.row.count; i++) expect(Number(r.outputs.row.get(i, 'kept'))).toBe(1 + 16 + 8);
  }, 240_000);
});

describe('NUQ values: the cosim image from the sub-units\' outputs (preCosim)', () => {
  // the sub-units' golden streams stand in for their RTL (the same contract; the CLI test below runs the RTL)
  it('equals the golden image; a changed outlier value or mid in the nuq outputs is reported at its word', async () => {
    const cfg = attentionConfig(small);
    const n = 40;
    const data = syntheticAttention({ rows: 1, n, D: 32, seed: 8, window: 8 });
    const cb = calibrateValueCodebook(cfg, data.v, 2);
    const arrays = { q: { dtype: 'uint16', shape: [1, 32], data: data.q }, k: { dtype: 'uint16', shape: [n, 32], data: data.k }, v: { dtype: 'uint16', shape: [n, 32], data: data.v } } as const;
    // preCosim reads the k/v that fromNpy was given for the same config object
    const dense = attentionConfig({ ...cfg, selection: 'none' });
    const stim = attentionUnit.fromNpy(dense, arrays as never, { 'value-codebook': cb });
    const edit = (fn?: (o: StreamData) => void): SubUnitRun => async (unit, c, s) => {
      const outputs = unit.golden(c as never, s);
      if (unit.name === 'nuq') fn?.(outputs);
      return { ok: true, outputs, problem: '', top: unit.name, cycles: 0 };
    };
    const ok = await attentionUnit.preCosim!(dense, stim, edit());
    expect(ok.ok, ok.problem).toBe(true);
    expect(ok.report.cacheImage).toMatchObject({ source: 'quantizer RTL (keys), nuq per-token quantize RTL (values)', nuqValues: { tokens: n - 16 } });
    const sp = (o: StreamData) => o.sp;
    const firstOutlier = (o: StreamData) => Array.from({ length: sp(o).count }, (_, i) => i).find((i) => !sp(o).lane(i, 'last', 1, 0, false))!;
    const badOutlier = await attentionUnit.preCosim!(dense, stim, edit((o) => o.sp.setLane(firstOutlier(o), 'value', 16, 0, o.sp.lane(firstOutlier(o), 'value', 16, 0, false) ^ 1)));
    expect(badOutlier.ok).toBe(false);
    expect(badOutlier.problem).toMatch(/^the cache image built from the quantizer and nuq RTL differs from the golden model's \(first difference at word \d+: /);
    const badMid = await attentionUnit.preCosim!(dense, stim, edit((o) => o.tk.setLane(3, 'mid', 16, 0, o.tk.lane(3, 'mid', 16, 0, false) ^ 1)));
    expect(badMid.ok).toBe(false);
    const m = regionMap(dense, n);
    const word = Number(/at word (\d+)/.exec(badMid.problem)![1]);
    expect(word).toBe(m.base.valueScaleMin + 3 * attentionDims(dense).MV);
  });
});

const bin = path.resolve('bin/kvhdl.js');
const kvhdl = (args: string[]) => execa('node', [bin, ...args], { reject: false, timeout: 300_000 });

describe('NUQ values: kvhdl golden / cosim', () => {
  // the configuration of the Verilator test above (one cached engine build for both)
  it('threshold: identical files, the codebook region in report.json, one-line errors', async () => {
    const cfg = attentionConfig(small);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kvhdl-attn-nuq-cli-'));
    const p = (x: string) => path.join(dir, x);
    const rows = 2, n = 45;
    const data = syntheticAttention({ rows, n, D: 32, seed: 5, window: 8 });
    await writeNpyFile(p('q.npy'), { dtype: 'float16', shape: [rows, 32], data: data.q });
    await writeNpyFile(p('k.npy'), { dtype: 'float16', shape: [n, 32], data: data.k });
    await writeNpyFile(p('v.npy'), { dtype: 'float16', shape: [n, 32], data: data.v });
    writeFileSync(p('cfg.json'), JSON.stringify(cfg));
    const cal = await kvhdl(['calibrate-nuq', '--in', p('v.npy'), '--bits', '4', '--mode', 'per-token', '--outlier-fraction', '0.1', '--out', p('cb.json')]);
    expect(cal.exitCode, cal.stderr).toBe(0);
    expect(JSON.parse(readFileSync(p('cb.json'), 'utf8')).trim).toBe(1);
    // θ of head r: a score of row r's dense run (the row's 12th best)
    const cb = JSON.parse(readFileSync(p('cb.json'), 'utf8'));
    const dense = attentionGolden(attentionConfig({ ...cfg, selection: 'none' }), { q: data.q, k: data.k, v: data.v, valueCodebook: valueCodebook(cfg, cb) });
    const th = dense.results.map((r) => [...r.scores].sort((a, b) => b - a)[11]);
    writeFileSync(p('thr.json'), JSON.stringify({ k: cfg.k, buckets: cfg.rowBuckets, theta: [Array.from({ length: cfg.heads }, (_, h) => [th[h % rows]])] }));
    const args = ['--config', p('cfg.json'), '--q', p('q.npy'), '--k', p('k.npy'), '--v', p('v.npy'), '--thresholds', p('thr.json')];
    const g = await kvhdl(['golden', 'attention', ...args, '--value-codebook', p('cb.json'), '--out-dir', p('g')]);
    expect(g.exitCode, g.stderr).toBe(0);
    const c = await kvhdl(['cosim', 'attention', ...args, '--value-codebook', p('cb.json'), '--out-dir', p('c'), '--stall', '0.2', '--seed', '3']);
    expect(c.exitCode, c.stderr + c.stdout).toBe(0);
    for (const x of ['out.npy', 'kept.npy', 'scores.npy']) expect(readFileSync(p(`c/${x}`)).equals(readFileSync(p(`g/${x}`))), x).toBe(true);
    const gr = JSON.parse(readFileSync(p('g/report.json'), 'utf8'));
    const cr = JSON.parse(readFileSync(p('c/report.json'), 'utf8'));
    expect(gr.words.valueCodebook).toBe(rows * 8);
    expect(cr.words).toEqual(gr.words);
    // the values of the image come from the nuq per-token quantize RTL (4 lanes, trimMax = valueTrimMax), checked against the golden image
    expect(cr.cacheImage.source).toBe('quantizer RTL (keys), nuq per-token quantize RTL (values)');
    expect(cr.cacheImage.nuqValues).toMatchObject({ ok: true, tokens: n - 16, config: { mode: 'per-token', bits: 4, channels: 32, lanes: 4, trimMax: 2 } });
    expect(cr.cacheImage.nuqValues.top).toMatch(/^kv_nuq_fp16_tok_b4_d32_p4_.*_t2$/);
    expect(gr.accuracy.mean.cosineB).toBeGreaterThan(0.999);
    // one-line errors: through the CLI (exit 2, no stack trace) for a missing codebook and a wrong bits,
    // in process (the same fromNpy the CLI calls) for the others
    const bad = (o: Record<string, unknown>, name: string) => {
      writeFileSync(p(name), JSON.stringify({ ...cb, ...o }));
      return p(name);
    };
    for (const [a, re] of [[args, /needs --value-codebook/], [[...args, '--value-codebook', bad({ bits: 2 }, 'b2.json')], /codebook: bits is 2, the config has 4/]] as [string[], RegExp][]) {
      const r = await kvhdl(['golden', 'attention', ...a, '--out-dir', p('e')]);
      expect(r.exitCode, r.stderr).toBe(2);
      expect(r.stderr).toMatch(re);
      expect(r.stderr.trim().split('\n').length, r.stderr).toBeLessThanOrEqual(2);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    const arrays = { q: { dtype: 'float16', shape: [rows, 32], data: data.q }, k: { dtype: 'float16', shape: [n, 32], data: data.k }, v: { dtype: 'float16', shape: [n, 32], data: data.v } } as const;
    const thr = JSON.parse(readFileSync(p('thr.json'), 'utf8'));
    const from = (c: AttentionConfig, j: unknown) => () => attentionUnit.fromNpy(c, arrays as never, { thresholds: thr, 'value-codebook': j });
    expect(from(cfg, { ...cb, mode: 'per-channel' })).toThrow(/^codebook: mode is "per-channel", the config has "per-token"$/);
    expect(from(cfg, { ...cb, channels: 64 })).toThrow(/^codebook: channels is 64, the config has 32$/);
    expect(from(attentionConfig({ ...cfg, valueTrimMax: 0 }), cb)).toThrow(/^codebook: trim is 1, the config's valueTrimMax is 0/);
    expect(from(attentionConfig({ ...cfg, valueQuant: 'kivi' }), cb)).toThrow(/^--value-codebook is only for valueQuant "nuq"/);
    expect(from(cfg, cb)).not.toThrow();
  }, 300_000);
});

describe('NUQ values: lint', () => {
  // verilator -Wall only (iverilog and yosys see the same constructs in attention-synth.test.ts)
  it('verilator -Wall, deterministic bytes (b_v = 2: 16 lanes, 2 codebook words; trim 3)', async () => {
    const cfg = attentionConfig({ ...small, valueBits: 2, valueTrimMax: 3, maxKeys: 32, rowBuckets: [32], keyLanes: 2 });
    const a = writeDesign(attentionRtl(cfg), mkdtempSync(path.join(os.tmpdir(), 'kvhdl-attn-nuq-lint-')));
    const b = writeDesign(attentionRtl(cfg), mkdtempSync(path.join(os.tmpdir(), 'kvhdl-attn-nuq-lint-')));
    expect(b.map((w) => readFileSync(w.path, 'utf8'))).toEqual(a.map((w) => readFileSync(w.path, 'utf8')));
    const top = a.find((w) => w.module.name.startsWith('kv_attention_fp16_'))!;
    expect(top.module.name).toMatch(/_nuq3$/);
    const lint = await verilatorLint(a.map((w) => w.path), top.module.name);
    expect(lint.warnings).toEqual([]);
    expect(lint.ok).toBe(true);
    expect(a.map((w) => readFileSync(w.path, 'utf8')).join('\n')).not.toMatch(/lint_off/);
  }, 300_000);
});
