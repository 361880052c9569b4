/**
 * The selector through the bin script: `kvhdl calibrate` on synthetic attention rows, then
 * `kvhdl golden selector` and `kvhdl cosim selector --stall 0.2` on the same files write
 * byte-identical indices/counts/rowmax/flags with README "Files" dtypes and shapes, and the kept
 * indices equal a sort/compare written here. Threshold (calibrated table, "last" cap) and top-k
 * (insertion, radix). Plus the commands' error messages.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execa } from 'execa';
import { readNpyFile, writeNpyFile } from '../../data/npy.ts';
import { syntheticRows } from '../../gen/selector/synthetic.ts';

const bin = path.resolve('bin/kvhdl.js');
const kvhdl = (args: string[]) => execa('node', [bin, ...args], { reject: false, timeout: 300_000 });

const base = { scoreBits: 12, maxRow: 48, lanes: 4, outLanes: 4, k: 6, heads: 2, layers: 2, rowBuckets: [12, 24, 48] };
const configs: Record<string, unknown>[] = [
  { ...base, mode: 'threshold' },
  { ...base, mode: 'threshold', capK: 5, capPolicy: 'last', outLanes: 3 },
  { ...base, mode: 'topk', arch: 'insertion', outLanes: 2 },
  { ...base, mode: 'topk', arch: 'radix', radixBits: 4 },
];

const syn = syntheticRows({ rows: 60, scoreBits: 12, minLen: 1, maxLen: 48, heads: 2, layers: 2, seed: 7 });
const meta = { lengths: syn.lengths, heads: syn.heads, layers: syn.layers };

async function files(dir: string) {
  const scores = new Int32Array(60 * 48);
  syn.scores.forEach((s, r) => scores.set(s, r * 48));
  await writeNpyFile(path.join(dir, 'scores.npy'), { dtype: 'int32', shape: [60, 48], data: scores });
  writeFileSync(path.join(dir, 'rows.json'), JSON.stringify(meta));
}

/** Kept indices by the rule, written here: sort for top-k, filter/slice for threshold. */
function expected(cfg: Record<string, unknown>, theta: number[][][] | null): number[][] {
  const k = cfg.k as number;
  return syn.scores.map((s, r) => {
    const all = s.map((_, i) => i);
    if (cfg.mode === 'topk') return s.length <= k ? all : [...all].sort((a, b) => s[b] - s[a] || a - b).slice(0, k).sort((a, b) => a - b);
    const n = s.length;
    const B = cfg.rowBuckets as number[];
    const b = B.reduce((best, x, i) => (Math.abs(x - n) < Math.abs(B[best] - n) ? i : best), 0);
    const th = theta![syn.layers[r]][syn.heads[r]][b];
    const surv = n <= k ? all : all.filter((i) => s[i] > th);
    const cap = (cfg.capK as number | undefined) ?? 0;
    return cap && surv.length > cap ? surv.slice(-cap) : surv;
  });
}

describe('kvhdl calibrate / golden / cosim selector', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kvhdl-selcli-'));
  const thFile = path.join(dir, 'thresholds.json');

  it('calibrate writes thresholds.json in the issue format and reports rows per cell', async () => {
    await files(dir);
    writeFileSync(path.join(dir, 'cfg0.json'), JSON.stringify(configs[0]));
    const c = await kvhdl(['calibrate', '--scores', path.join(dir, 'scores.npy'), '--meta', path.join(dir, 'rows.json'), '--k', '6', '--sigma', '0.5', '--config', path.join(dir, 'cfg0.json'), '--out', thFile]);
    expect(c.exitCode, c.stderr).toBe(0);
    expect(c.stdout).toMatch(/layer 1 head 0: \d+ \d+ \d+/);
    const t = JSON.parse(readFileSync(thFile, 'utf8'));
    expect(t.k).toBe(6);
    expect(t.buckets).toEqual([12, 24, 48]);
    expect(t.theta.length).toBe(2);
    for (const l of t.theta) for (const h of l) for (const v of h) expect(Number.isInteger(v)).toBe(true);
    const rows = (t.rows as number[][][]).flat(2).reduce((a, b) => a + b, 0);
    expect(rows).toBe(syn.lengths.filter((n) => n > 6).length);
  });

  configs.forEach((cfg, ci) => {
    it(`${cfg.mode} ${cfg.arch ?? ''} cap${cfg.capK ?? 0}: golden and cosim files identical, kept sets as sorted here`, async () => {
      const cf = path.join(dir, `cfg${ci}.json`);
      writeFileSync(cf, JSON.stringify(cfg));
      const ins = ['--config', cf, '--in', path.join(dir, 'scores.npy'), '--meta', path.join(dir, 'rows.json'), ...(cfg.mode === 'threshold' ? ['--thresholds', thFile] : [])];
      const g = await kvhdl(['golden', 'selector', ...ins, '--out-dir', path.join(dir, `g${ci}`)]);
      expect(g.exitCode, g.stderr).toBe(0);
      const c = await kvhdl(['cosim', 'selector', ...ins, '--out-dir', path.join(dir, `c${ci}`), '--stall', '0.2', '--seed', '5']);
      expect(c.exitCode, c.stderr + c.stdout).toBe(0);
      const maxKept = cfg.mode === 'topk' ? 6 : (cfg.capK as number | undefined) || 48;
      const want: Record<string, [string, number[]]> = { indices: ['int32', [60, maxKept]], counts: ['int32', [60, 2]], rowmax: ['int32', [60]], flags: ['uint8', [60]] };
      for (const [name, [dtype, shape]] of Object.entries(want)) {
        const gf = path.join(dir, `g${ci}`, `${name}.npy`);
        const a = await readNpyFile(gf);
        expect([a.dtype, a.shape], name).toEqual([dtype, shape]);
        expect(readFileSync(path.join(dir, `c${ci}`, `${name}.npy`)).equals(readFileSync(gf)), `${name}.npy differs`).toBe(true);
      }
      const theta = cfg.mode === 'threshold' ? (JSON.parse(readFileSync(thFile, 'utf8')).theta as number[][][]) : null;
      const exp = expected(cfg, theta);
      expect(exp.some((k, r) => k.length < syn.lengths[r] && k.length > 0)).toBe(true); // neither all nor nothing
      const idx = (await readNpyFile(path.join(dir, `c${ci}`, 'indices.npy'))).data as Int32Array;
      const got = exp.map((_, r) => Array.from(idx.subarray(r * maxKept, (r + 1) * maxKept)).filter((x) => x >= 0));
      expect(got).toEqual(exp);
      const counts = (await readNpyFile(path.join(dir, `c${ci}`, 'counts.npy'))).data as Int32Array;
      const rowmax = (await readNpyFile(path.join(dir, `c${ci}`, 'rowmax.npy'))).data as Int32Array;
      exp.forEach((k, r) => {
        expect([counts[2 * r], counts[2 * r + 1]]).toEqual([k.length, syn.lengths[r] - k.length]);
        expect(rowmax[r]).toBe(Math.max(...syn.scores[r]));
      });
      const cr = JSON.parse(readFileSync(path.join(dir, `c${ci}`, 'report.json'), 'utf8'));
      expect(cr.ok).toBe(true);
      expect(cr.unit).toBe('selector');
    }, 600_000);
  });

  it('errors name the option and the problem', async () => {
    const cf = path.join(dir, 'cfg0.json');
    const g = await kvhdl(['golden', 'selector', '--config', cf, '--in', path.join(dir, 'scores.npy'), '--meta', path.join(dir, 'rows.json'), '--out-dir', path.join(dir, 'e')]);
    expect(g.exitCode).toBe(2);
    expect(g.stderr).toContain('threshold mode needs --thresholds thresholds.json');
    const m = await kvhdl(['golden', 'selector', '--config', cf, '--in', path.join(dir, 'scores.npy'), '--out-dir', path.join(dir, 'e')]);
    expect(m.exitCode).toBe(2);
    expect(m.stderr).toContain('selector needs --meta f.json');
    const k = await kvhdl(['calibrate', '--scores', path.join(dir, 'scores.npy'), '--meta', path.join(dir, 'rows.json'), '--sigma', '1', '--out', path.join(dir, 'x.json')]);
    expect(k.exitCode).toBe(2);
    expect(k.stderr).toContain('kvhdl calibrate: --k is required');
    const d = await kvhdl(['calibrate', '--scores', path.join(dir, 'scores.npy'), '--meta', path.join(dir, 'rows.json'), '--k', '7', '--sigma', '1', '--config', cf, '--out', path.join(dir, 'x.json')]);
    expect(d.exitCode).toBe(2);
    expect(d.stderr).toContain("--k 7 differs from the config's k (6)");
  }, 120_000);
});
