/**
 * `kvhdl golden earlyexit` and `kvhdl cosim earlyexit --stall 0.2` (through the bin script) on the
 * same q/k/theta.npy write byte-identical kept/scores/planes.npy (README.md, "Golden model and
 * files"); kept = {t : q·k_t > θ} computed here; report.json carries planes/words and the baseline's
 * (cosim: simulated, with cycles). Bad inputs fail with one line naming the element.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execa } from 'execa';
import { readNpyFile, writeNpyFile } from '../../data/npy.ts';
import { Rng } from '../../data/rng.ts';

const bin = path.resolve('bin/kvhdl.js');
const kvhdl = (args: string[]) => execa('node', [bin, ...args], { reject: false, timeout: 300_000 });

interface Case {
  cfg: { dims: number; queryBits: number; keyBits: number; keySigned: boolean; keyLanes: number; dimsPerCycle?: number; maxKeys: number };
  rows: number;
  n: number;
}
// The configurations of earlyexit.test.ts (and their baselines), so the Verilator builds are shared.
const cases: Case[] = [
  { cfg: { dims: 12, dimsPerCycle: 5, queryBits: 6, keyBits: 6, keySigned: true, keyLanes: 3, maxKeys: 64 }, rows: 6, n: 37 },
  { cfg: { dims: 7, queryBits: 5, keyBits: 4, keySigned: false, keyLanes: 1, maxKeys: 40 }, rows: 4, n: 32 },
];

async function inputs(dir: string, c: Case, seed: number): Promise<{ q: number[][]; k: number[][]; theta: bigint[] }> {
  const r = new Rng(seed);
  const { dims: D, queryBits: Wq, keyBits: B, keySigned } = c.cfg;
  const kLo = keySigned ? -(2 ** (B - 1)) : 0;
  const kHi = keySigned ? 2 ** (B - 1) - 1 : 2 ** B - 1;
  const q = Array.from({ length: c.rows }, (_, i) => Array.from({ length: D }, () => (i === 0 ? 0 : r.int(-(2 ** (Wq - 1)), 2 ** (Wq - 1) - 1))));
  const k = Array.from({ length: c.n }, (_, t) => Array.from({ length: D }, () => (t === 0 ? kLo : r.int(kLo, kHi))));
  const theta = q.map((qi, i) => {
    const s = k.map((kt) => kt.reduce((a, v, d) => a + v * qi[d], 0)).sort((a, b) => a - b);
    return BigInt(i === 1 ? s[s.length - 3] : i === 2 ? s[s.length - 3] - 1 : i === 3 ? -(2 ** 40) : s[Math.floor(s.length * 0.9)]);
  });
  await writeNpyFile(path.join(dir, 'q.npy'), { dtype: 'int32', shape: [c.rows, D], data: Int32Array.from(q.flat()) });
  await writeNpyFile(path.join(dir, 'k.npy'), { dtype: 'int32', shape: [c.n, D], data: Int32Array.from(k.flat()) });
  await writeNpyFile(path.join(dir, 'theta.npy'), { dtype: 'int64', shape: [c.rows], data: BigInt64Array.from(theta) });
  writeFileSync(path.join(dir, 'cfg.json'), JSON.stringify(c.cfg));
  return { q, k, theta };
}

const args = (dir: string, out: string) => ['--config', path.join(dir, 'cfg.json'), '--q', path.join(dir, 'q.npy'), '--k', path.join(dir, 'k.npy'), '--theta', path.join(dir, 'theta.npy'), '--out-dir', path.join(dir, out)];

describe('kvhdl golden / cosim earlyexit write identical files', () => {
  for (const c of cases) {
    it(JSON.stringify(c.cfg), async () => {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'kvhdl-eecli-'));
      const { q, k, theta } = await inputs(dir, c, 7);
      const g = await kvhdl(['golden', 'earlyexit', ...args(dir, 'g')]);
      expect(g.exitCode, g.stderr).toBe(0);
      const cs = await kvhdl(['cosim', 'earlyexit', ...args(dir, 'c'), '--stall', '0.2', '--seed', '3']);
      expect(cs.exitCode, cs.stderr + cs.stdout).toBe(0);
      expect(cs.stderr).toMatch(/baseline: \d+ input transactions/);
      const want: Record<string, string> = { kept: 'uint8', scores: 'int64', planes: 'uint8' };
      for (const [name, dtype] of Object.entries(want)) {
        const gf = path.join(dir, 'g', `${name}.npy`);
        const a = await readNpyFile(gf);
        expect([a.dtype, a.shape], name).toEqual([dtype, [c.rows, c.n]]);
        expect(readFileSync(path.join(dir, 'c', `${name}.npy`)).equals(readFileSync(gf)), `${name}.npy differs`).toBe(true);
      }
      const kept = (await readNpyFile(path.join(dir, 'g', 'kept.npy'))).data as Uint8Array;
      const scores = (await readNpyFile(path.join(dir, 'g', 'scores.npy'))).data as BigInt64Array;
      const planes = (await readNpyFile(path.join(dir, 'g', 'planes.npy'))).data as Uint8Array;
      let planeSum = 0;
      for (let i = 0; i < c.rows; i++) {
        for (let t = 0; t < c.n; t++) {
          const s = k[t].reduce((a, v, d) => a + v * q[i][d], 0);
          const pass = BigInt(s) > theta[i];
          expect(kept[i * c.n + t], `row ${i} key ${t}`).toBe(pass ? 1 : 0);
          expect(scores[i * c.n + t]).toBe(pass ? BigInt(s) : 0n);
          planeSum += planes[i * c.n + t];
        }
      }
      const B = c.cfg.keyBits;
      const C = Math.ceil(c.cfg.dims / (c.cfg.dimsPerCycle ?? c.cfg.dims));
      const gr = JSON.parse(readFileSync(path.join(dir, 'g', 'report.json'), 'utf8'));
      const cr = JSON.parse(readFileSync(path.join(dir, 'c', 'report.json'), 'utf8'));
      expect(gr).toMatchObject({ rows: c.rows, keys: c.rows * c.n, planes: planeSum, words: planeSum * C, baseline: { planes: c.rows * c.n * B, words: c.rows * c.n * B * C } });
      expect(cr).toMatchObject({ ok: true, planes: planeSum, words: planeSum * C, baseline: { ok: true, planes: c.rows * c.n * B, words: c.rows * c.n * B * C } });
      expect(cr.words).toBeLessThan(cr.baseline.words);
      expect(cr.cycles).toBeGreaterThan(0);
      expect(cr.baseline.cycles).toBeGreaterThan(0);
      expect(cr.baseline.top).toMatch(/_e0_/);
    });
  }

  it('bad inputs: one line naming the element; no outputs', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kvhdl-eecli-'));
    await inputs(dir, cases[1], 1);
    await writeNpyFile(path.join(dir, 'k.npy'), { dtype: 'int32', shape: [2, 7], data: Int32Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 16, 12, 13]) });
    const g = await kvhdl(['golden', 'earlyexit', ...args(dir, 'g')]);
    expect(g.exitCode).not.toBe(0);
    expect(g.stderr).toMatch(/--k\[1, 4\] = 16 does not fit 4-bit unsigned \(0\.\.15\)/);
    expect(g.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(path.join(dir, 'g', 'kept.npy'))).toBe(false);
  });

  it('handoff: the AXI4-Stream wrapper carries the memory ports as m_axis_mem_req / s_axis_mem_resp', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kvhdl-eecli-'));
    const r = await kvhdl(['handoff', 'vivado', 'earlyexit', '--part', 'xc7a35tcpg236-1', '--clock-mhz', '100', '--top-wrapper', 'axis', '--out', dir]);
    expect(r.exitCode, r.stderr).toBe(0);
    const top = readFileSync(path.join(dir, 'rtl', 'kv_earlyexit_d16_q8_b8_s1_k4_w16_e1_n256_axis.v'), 'utf8');
    expect(top).toMatch(/output wire m_axis_mem_req_tvalid/);
    expect(top).toMatch(/input {2}wire \[15:0\] s_axis_mem_resp_tdata/);
  });
});
