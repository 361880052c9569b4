/**
 * selector golden side without a simulator: the kept-set rule against a counting formulation
 * written here, the bucket rule, the stream protocol and its errors, config and input-file error
 * messages, calibration against NumPy's quantile(method='lower') (= torch's interpolation='lower'),
 * and the compensation reference.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execa } from 'execa';
import { Rng } from '../../data/rng.ts';
import { TxnTable } from '../../data/transactions.ts';
import { parseConfig, ConfigError } from '../../gen/config.ts';
import { selectorUnit } from '../../gen/selector/index.ts';
import { bucketOf, selectorConfig } from '../../gen/selector/config.ts';
import { selectRow, selectorGolden } from '../../gen/selector/golden.ts';
import { encodeInput, type InItem } from '../../gen/selector/stimulus.ts';
import { calibrate, rowThreshold } from '../../gen/selector/calibrate.ts';
import { fullAttention, keptProbabilities, sparseAttention } from '../../gen/selector/compensation.ts';
import { syntheticRows } from '../../gen/selector/synthetic.ts';
import { needTools } from '../helpers/tools.ts';

needTools('numpy');

/** Kept iff fewer than k scores beat it (greater, or equal with a lower index): no sorting. */
function topkByCounting(s: number[], k: number): number[] {
  return s.map((_, i) => i).filter((i) => s.filter((x, j) => x > s[i] || (x === s[i] && j < i)).length < k);
}

describe('selector kept-set rule', () => {
  const r = new Rng(42);
  const rows = Array.from({ length: 400 }, () => {
    const n = r.int(1, 60);
    const vals = r.chance(0.5) ? [r.int(-3, 3)] : [];
    return Array.from({ length: n }, () => (vals.length && r.chance(0.7) ? vals[0] : r.int(-8, 8)));
  });
  it('topk: the k largest, lower index wins ties, n <= k keeps all', () => {
    for (const k of [1, 3, 8, 60]) {
      const cfg = selectorConfig({ mode: 'topk', k, maxRow: 64 });
      for (const s of rows) expect(selectRow(cfg, s, null).kept).toEqual(topkByCounting(s, k));
    }
  });
  it('threshold: strict s > theta, n <= k keeps all, caps first/last with overflow', () => {
    for (const [capK, capPolicy] of [[0, 'last'], [4, 'first'], [4, 'last'], [1, 'last']] as const) {
      const cfg = selectorConfig({ k: 5, capK, capPolicy, maxRow: 64 });
      for (const s of rows) {
        const theta = r.int(-9, 9);
        const res = selectRow(cfg, s, theta);
        const surv = s.map((x, i) => (s.length <= 5 || x > theta ? i : -1)).filter((i) => i >= 0);
        const over = capK > 0 && surv.length > capK;
        expect(res.overflow).toBe(over);
        expect(res.kept).toEqual(!over ? surv : capPolicy === 'first' ? surv.slice(0, capK) : surv.slice(surv.length - capK));
        expect(res.max).toBe(Math.max(...s));
      }
    }
  });
  it('bucket: the nearest calibrated length, a tie to the smaller', () => {
    for (let t = 0; t < 200; t++) {
      const set = [...new Set(Array.from({ length: r.int(1, 6) }, () => r.int(1, 100)))].sort((a, b) => a - b);
      for (let n = 1; n <= 110; n++) {
        const d = set.map((b) => Math.abs(b - n));
        expect(bucketOf(set, n)).toBe(d.indexOf(Math.min(...d)));
      }
    }
  });
});

describe('selector stream protocol', () => {
  const cfg = selectorConfig({ lanes: 4, outLanes: 2, k: 2, maxRow: 16, heads: 2, layers: 1, rowBuckets: [4, 16] });
  const write = (h: number, b: number, theta: number): InItem => ({ kind: 'theta', layer: 0, head: h, bucket: b, theta });
  it('a table write affects later rows only; output beats and summary as README "Outputs"', () => {
    const s = [5, -1, 9, 9, 0, 3];
    const items: InItem[] = [write(0, 0, 2), write(0, 1, 2), { kind: 'row', layer: 0, head: 0, scores: s }, write(0, 0, 8), { kind: 'row', layer: 0, head: 0, scores: s }];
    const out = selectorGolden(cfg, encodeInput(cfg, items));
    expect(out.sum.rows()).toEqual([
      { kept: 4n, pruned: 2n, max: 9n, overflow: 0n },
      { kept: 2n, pruned: 4n, max: 9n, overflow: 0n },
    ]);
    expect(out.out.rows().map((b) => [b.count, b.last])).toEqual([[2n, 0n], [2n, 1n], [2n, 1n]]);
    const a = selectorUnit.toNpy(cfg, out);
    expect(Array.from(a.indices.data as Int32Array).slice(0, 32)).toEqual([0, 2, 3, 5, ...new Array(12).fill(-1), 2, 3, ...new Array(14).fill(-1)]);
  });
  it('a row that keeps nothing has one empty last beat', () => {
    const items: InItem[] = [write(1, 0, 100), write(1, 1, 100), { kind: 'row', layer: 0, head: 1, scores: [1, 2, 3, 4, 5] }];
    const out = selectorGolden(cfg, encodeInput(cfg, items));
    expect(out.out.rows()).toEqual([{ idx: 0n, score: 0n, count: 0n, last: 1n }]);
  });
  it('rejects a table write inside a row, an unwritten entry, a head out of range', () => {
    const t = encodeInput(cfg, [write(0, 0, 1), write(0, 1, 1), { kind: 'row', layer: 0, head: 0, scores: new Array(9).fill(1) }]).in;
    t.set(3, 'kind', 1n);
    expect(() => selectorGolden(cfg, { in: t })).toThrow(/in beat 3: table write inside a row/);
    expect(() => selectorGolden(cfg, encodeInput(cfg, [{ kind: 'row', layer: 0, head: 1, scores: new Array(9).fill(1) }]))).toThrow(/theta\[layer 0\]\[head 1\]\[bucket 0\], which was never written/);
    const cfg3 = selectorConfig({ ...cfg, heads: 3 });
    const h = encodeInput(cfg3, [{ kind: 'row', layer: 0, head: 1, scores: [1] }]).in;
    h.set(0, 'head', 3n);
    expect(() => selectorGolden(cfg3, { in: h })).toThrow(/in beat 0: head 3 >= heads \(3\)/);
  });
  it('an unfinished row: full beats of the pairs decided so far (streaming core only)', () => {
    const items: InItem[] = [write(0, 1, -100), { kind: 'row', layer: 0, head: 0, scores: new Array(16).fill(1) }];
    const t = encodeInput(cfg, items).in;
    const prefix = { in: new TxnTable(t.fields, 3, t.words.slice(0, 3 * t.stride)) };
    const out = selectorGolden(cfg, prefix); // 8 of 16 scores seen, all pass: floor(7/2) = 3 beats
    expect(out.sum.count).toBe(0);
    expect(out.out.rows().map((b) => [b.count, b.last])).toEqual([[2n, 0n], [2n, 0n], [2n, 0n]]);
    const topk = selectorConfig({ ...cfg, mode: 'topk' });
    expect(selectorGolden(topk, { in: prefix.in }).out.count).toBe(0);
  });
});

describe('selector config and input errors', () => {
  const msg = (raw: unknown) => {
    try {
      parseConfig(selectorUnit, raw);
      return '';
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      return (e as ConfigError).lines.join('\n');
    }
  };
  it('names the field and the rule', () => {
    expect(msg({ k: 80 })).toBe("config: field 'k': must be at most maxRow (64), got 80");
    expect(msg({ mode: 'topk', capK: 3 })).toBe("config: field 'capK': applies to threshold mode only; must be 0 in topk mode, got 3");
    expect(msg({ rowBuckets: [8, 8] })).toBe("config: field 'rowBuckets': must be strictly increasing, got 8 then 8");
    expect(msg({ rowBuckets: [8, 100] })).toBe("config: field 'rowBuckets': entry 1 (100) exceeds maxRow (64)");
    expect(msg({ mode: 'topk', arch: 'radix', scoreBits: 3 })).toBe("config: field 'radixBits': must be at most scoreBits (3), got 4");
    expect(msg({ mode: 'topk', k: 300, maxRow: 1024 })).toBe('config: field \'k\': insertion arch holds k registers; must be at most 256, got 300 (use arch "radix")');
    expect(msg({ arch: 'bitonic' })).toBe('config: field \'arch\': must be one of "insertion", "radix", "systolic", got "bitonic"');
    expect(msg({ lanes: 4, width: 3 })).toMatch(/^config: unknown field 'width' \(allowed: mode, arch, scoreBits/);
  });
  const cfg = selectorConfig({ scoreBits: 8, maxRow: 8, k: 2, heads: 1, layers: 1, rowBuckets: [4, 8] });
  const scores = { dtype: 'int32' as const, shape: [2, 8], data: Int32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]) };
  const meta = { lengths: [8, 3], heads: [0, 0], layers: [0, 0] };
  const th = { k: 2, buckets: [4, 8], theta: [[[3, 4]]] };
  const from = (arrays: Record<string, unknown>, json: Record<string, unknown>) => () => selectorUnit.fromNpy(cfg, arrays as never, json);
  it('names the file and the element', () => {
    expect(from({ in: scores }, { meta, thresholds: th })).not.toThrow();
    expect(from({ in: scores }, { meta })).toThrow('threshold mode needs --thresholds thresholds.json (rows longer than k = 2 are thresholded)');
    expect(from({ in: scores }, { meta, thresholds: { ...th, k: 3 } })).toThrow('--thresholds: k = 3, but the config has k = 2');
    expect(from({ in: scores }, { meta, thresholds: { ...th, buckets: [4] } })).toThrow('--thresholds: buckets = [4], but the config has rowBuckets = [4,8]');
    expect(from({ in: scores }, { meta, thresholds: { ...th, theta: [[[3, 4.5]]] } })).toThrow('--thresholds: theta[0][0][1] = 4.5 is not an integer');
    expect(from({ in: scores }, { meta, thresholds: { ...th, theta: [[[3]]] } })).toThrow('--thresholds: theta[0][0] must be an array of 2 buckets');
    expect(from({ in: scores }, { meta, thresholds: { ...th, theta: [[3, 4]] } })).toThrow('--thresholds: theta[0] must be an array of 1 heads; theta is [1][1][2] (layers, heads, buckets)');
    expect(from({ in: scores }, { meta: { ...meta, heads: [0] }, thresholds: th })).toThrow('--meta: "heads" has 1 entries; the scores have 2 rows');
    expect(from({ in: scores }, { meta: { ...meta, lengths: [9, 1] }, thresholds: th })).toThrow('--meta: lengths[0] = 9; must be an integer in 1..8');
    expect(from({ in: { ...scores, data: Int32Array.from({ length: 16 }, (_, i) => (i === 5 ? 200 : 0)) } }, { meta, thresholds: th })).toThrow('--in[0, 5] = 200 does not fit 8-bit signed (-128..127)');
    expect(from({ in: { ...scores, dtype: 'float32' } }, { meta, thresholds: th })).toThrow('--in must hold integers (int32), got dtype float32');
  });
});

describe('selector calibration', () => {
  it('row threshold = torch/numpy quantile(1 - K/n, lower); cell = floor(mean + c*std) (NumPy)', async () => {
    const syn = syntheticRows({ rows: 120, scoreBits: 12, minLen: 3, maxLen: 90, heads: 2, layers: 2, seed: 5 });
    const K = 8;
    const sigma = 0.7;
    const buckets = [16, 40, 90];
    const table = calibrate(syn.scores.map((s, i) => ({ layer: syn.layers[i], head: syn.heads[i], scores: s })), { k: K, sigma, buckets, heads: 2, layers: 2 });
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kvhdl-selcal-'));
    writeFileSync(path.join(dir, 'in.json'), JSON.stringify({ ...syn, K, sigma, buckets }));
    const script = `
import json, sys, numpy as np
d = json.load(open(sys.argv[1] + '/in.json'))
K, c, B = d['K'], d['sigma'], d['buckets']
cells = {}
rowth = []
for s, l, h in zip(d['scores'], d['layers'], d['heads']):
    n = len(s)
    if n <= K:
        rowth.append(None); continue
    t = float(np.quantile(np.array(s, dtype=np.float64), 1 - K / n, method='lower'))
    rowth.append(t)
    b = min(range(len(B)), key=lambda i: (abs(B[i] - n), B[i]))
    cells.setdefault((l, h, b), []).append(t)
theta = {f'{l},{h},{b}': int(np.floor(np.mean(v) + c * np.std(v))) for (l, h, b), v in cells.items()}
rows = {f'{l},{h},{b}': len(v) for (l, h, b), v in cells.items()}
json.dump({'theta': theta, 'rows': rows, 'rowth': rowth}, open(sys.argv[1] + '/out.json', 'w'))
`;
    const py = await execa('python3', ['-c', script, dir], { reject: false, timeout: 60_000 });
    expect(py.exitCode, `python3 with NumPy is required: ${py.stderr}`).toBe(0);
    const ref = JSON.parse(readFileSync(path.join(dir, 'out.json'), 'utf8')) as { theta: Record<string, number>; rows: Record<string, number>; rowth: (number | null)[] };
    syn.scores.forEach((s, i) => expect(rowThreshold(s, K)).toBe(ref.rowth[i]));
    let checked = 0;
    for (let l = 0; l < 2; l++) {
      for (let h = 0; h < 2; h++) {
        for (let b = 0; b < 3; b++) {
          const key = `${l},${h},${b}`;
          expect(table.rows![l][h][b]).toBe(ref.rows[key] ?? 0);
          if (ref.theta[key] !== undefined) {
            expect(table.theta[l][h][b], key).toBe(ref.theta[key]);
            checked++;
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(8);
  });
  it('an empty cell takes the nearest calibrated bucket of its (layer, head), else keeps everything', () => {
    const rows = [{ layer: 0, head: 0, scores: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] }];
    const t = calibrate(rows, { k: 2, sigma: 0, buckets: [4, 10, 16], heads: 2, layers: 1 });
    expect(t.theta).toEqual([[[8, 8, 8], [-2147483648, -2147483648, -2147483648]]]);
    expect(t.rows).toEqual([[[0, 1, 0], [0, 0, 0]]]);
  });
});

describe('selector compensation reference', () => {
  const r = new Rng(3);
  const n = 40;
  const s = Array.from({ length: n }, () => r.int(-50, 50) / 10);
  const v = Array.from({ length: n }, () => Array.from({ length: 4 }, () => r.float() * 2 - 1));
  const kept = s.map((_, i) => i).filter((i) => s[i] > 1);
  const close = (a: number[], b: number[]) => a.forEach((x, i) => expect(x).toBeCloseTo(b[i], 12));
  it('keeping everything is full attention, with or without compensation', () => {
    const all = s.map((_, i) => i);
    close(sparseAttention(s, v, all, { sdc: 'exact', vmc: true }), fullAttention(s, v));
  });
  it('exact compensation gives the kept scores their full-softmax probabilities', () => {
    const full = s.map((x) => Math.exp(x)).map((e, _, a) => e / a.reduce((p, q) => p + q, 0));
    close(keptProbabilities(s, kept, { sdc: 'exact' }), kept.map((i) => full[i]));
    // without it the kept probabilities sum to 1 (they are over-weighted)
    expect(keptProbabilities(s, kept).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  });
  it('exp-threshold equals exact when every pruned score sits at theta', () => {
    const s2 = s.map((x) => (x > 1 ? x : 0.5));
    close(keptProbabilities(s2, kept, { sdc: 'exp-threshold', theta: 0.5 }), keptProbabilities(s2, kept, { sdc: 'exact' }));
  });
  it('V-mean compensation is exact when every value row is the same', () => {
    const vc = Array.from({ length: n }, () => [0.25, -1, 2, 0]);
    close(sparseAttention(s, vc, kept, { sdc: 'exact', vmc: true }), fullAttention(s, vc));
    expect(sparseAttention(s, vc, kept, { sdc: 'exact' })[1]).toBeGreaterThan(-1); // without it the output shrinks
  });
});

