/**
 * `kvhdl golden attention` and `kvhdl cosim attention --stall 0.2` (through the bin script) on the
 * same q/k/v (+ thresholds.json, rows.json) write byte-identical out.npy, kept.npy and scores.npy
 * with README §7's dtypes and shapes; in cosim the cache image comes from the quantizer RTL (keys
 * per channel, values per token) and the engine RTL reads it; report.json carries the golden
 * facts and, in cosim, the measured cycles per row (threshold, none without early exit, topk).
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execa } from 'execa';
import { writeNpyFile } from '../../data/npy.ts';
import { attentionConfig, type AttentionConfig } from '../../gen/attention/config.ts';
import { buildCache } from '../../gen/attention/cache.ts';
import { attentionRow } from '../../gen/attention/golden.ts';
import { syntheticAttention } from '../../gen/attention/synthetic.ts';

const bin = path.resolve('bin/kvhdl.js');
const kvhdl = (args: string[]) => execa('node', [bin, ...args], { reject: false, timeout: 300_000 });

const base: Partial<AttentionConfig> = { dims: 32, dimsPerCycle: 32, keyBits: 4, valueBits: 4, groupSize: 8, residual: 16, maxKeys: 64, keyLanes: 4, sink: 1, k: 8, rowBuckets: [32, 64], heads: 2 };

async function files(cfg: AttentionConfig, rows: number, n: number): Promise<{ dir: string; args: string[] }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kvhdl-attn-cli-'));
  const d = syntheticAttention({ rows, n, D: cfg.dims, seed: 5, window: 8 });
  const p = (f: string) => path.join(dir, f);
  await writeNpyFile(p('q.npy'), { dtype: 'float16', shape: [rows, cfg.dims], data: d.q });
  await writeNpyFile(p('k.npy'), { dtype: 'float16', shape: [n, cfg.dims], data: d.k });
  await writeNpyFile(p('v.npy'), { dtype: 'float16', shape: [n, cfg.dims], data: d.v });
  writeFileSync(p('cfg.json'), JSON.stringify(cfg));
  const args = ['--config', p('cfg.json'), '--q', p('q.npy'), '--k', p('k.npy'), '--v', p('v.npy')];
  if (cfg.selection === 'threshold') {
    // θ per (head, bucket): a score of the dense run of row 0 and row 1
    const dense = attentionConfig({ ...cfg, selection: 'none' });
    const cache = buildCache(dense, d.k, d.v);
    const th = [0, 1].map((r) => [...attentionRow(dense, cache, d.q.subarray(r * cfg.dims, (r + 1) * cfg.dims), null).scores].sort((a, b) => b - a)[10 + 5 * r]);
    writeFileSync(p('thr.json'), JSON.stringify({ k: cfg.k, buckets: cfg.rowBuckets, theta: [[[th[0], th[0]], [th[1], th[1]]]] }));
    writeFileSync(p('rows.json'), JSON.stringify({ layers: Array(rows).fill(0), heads: Array.from({ length: rows }, (_, r) => (r + 1) % 2) }));
    args.push('--thresholds', p('thr.json'), '--meta', p('rows.json'));
  }
  return { dir, args };
}

describe('kvhdl golden / cosim attention write identical files', () => {
  for (const raw of [{}, { selection: 'none', earlyExit: false }, { selection: 'topk' }] as Partial<AttentionConfig>[]) {
    it(JSON.stringify(raw), async () => {
      const cfg = attentionConfig({ ...base, ...raw });
      const rows = 3;
      const n = 45;
      const { dir, args } = await files(cfg, rows, n);
      const g = await kvhdl(['golden', 'attention', ...args, '--out-dir', path.join(dir, 'g')]);
      expect(g.exitCode, g.stderr).toBe(0);
      const c = await kvhdl(['cosim', 'attention', ...args, '--out-dir', path.join(dir, 'c'), '--stall', '0.2', '--seed', '3']);
      expect(c.exitCode, c.stderr + c.stdout).toBe(0);
      expect(c.stderr).toMatch(/quantizer-keys: \d+ input transactions/);
      expect(c.stderr).toMatch(/quantizer-values: \d+ input transactions/);
      for (const f of ['out.npy', 'kept.npy', 'scores.npy']) {
        const a = readFileSync(path.join(dir, 'g', f));
        expect(readFileSync(path.join(dir, 'c', f)).equals(a), f).toBe(true);
      }
      const head = (f: string) => readFileSync(path.join(dir, 'g', f)).subarray(0, 128).toString('latin1');
      expect(head('out.npy')).toMatch(/'descr': '<f2'.*'shape': \(3, 32\)/);
      expect(head('kept.npy')).toMatch(/'descr': '\|u1'.*'shape': \(3, 45\)/);
      expect(head('scores.npy')).toMatch(/'descr': '<i8'.*'shape': \(3, 45\)/);
      const gr = JSON.parse(readFileSync(path.join(dir, 'g', 'report.json'), 'utf8'));
      const cr = JSON.parse(readFileSync(path.join(dir, 'c', 'report.json'), 'utf8'));
      expect(gr.rows).toBe(rows);
      expect(cr.words).toEqual(gr.words);
      expect(cr.cacheImage.source).toBe('quantizer RTL');
      expect(cr.measured.cyclesPerRow).toBeGreaterThan(0);
      expect(cr.measured.wordsPerRow.reduce((a: number, b: number) => a + b, 0)).toBe(gr.words.total);
    }, 300_000);
  }
});
