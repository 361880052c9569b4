import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import * as path from 'node:path';
import { minmaxUnit } from '../../gen/minmax/index.ts';
import { dequantizerUnit } from '../../gen/dequantizer/index.ts';
import { ConfigError } from '../../gen/config.ts';
import { expandGrid, loadGrid, parseGrid, rawPoints, shardPoints } from '../../fpga/sweep/grid.ts';
import { mergeSweeps } from '../../fpga/sweep/merge.ts';
import { paretoFront } from '../../fpga/plot/pareto.ts';
import { sweepCsv } from '../../fpga/sweep/table.ts';
import type { SweepResult } from '../../fpga/sweep/run.ts';
import type { PointResult } from '../../fpga/sweep/point.ts';
import { formatDuration, Progress } from '../../fpga/sweep/progress.ts';

const configError = (f: () => unknown): string[] => {
  try {
    f();
  } catch (e) {
    if (e instanceof ConfigError) return e.lines;
    throw e;
  }
  throw new Error('no ConfigError');
};

describe('grid.json', () => {
  it('expands the product (first field slowest) over base, then the explicit points', () => {
    const g = parseGrid({ base: { width: 8 }, fields: { lanes: [2, 4], stages: [0, 1] }, points: [{ lanes: 8, width: 16 }] }, 'g.json');
    expect(rawPoints(g)).toEqual([
      { width: 8, lanes: 2, stages: 0 }, { width: 8, lanes: 2, stages: 1 },
      { width: 8, lanes: 4, stages: 0 }, { width: 8, lanes: 4, stages: 1 },
      { width: 16, lanes: 8 }, // a point overrides base
    ]);
  });

  it('lists invalid points with their config errors, skips them and sweeps duplicates once', () => {
    const g = parseGrid({ fields: { lanes: [1, 2, 300], stages: [0, 1] }, points: [{ lanes: 2, stages: 0, width: 16 }] }, 'g.json');
    const e = expandGrid(minmaxUnit, g);
    expect(e.total).toBe(7);
    expect(e.points.map((p) => p.index)).toEqual([0, 2, 3]);
    expect(e.invalid.map((i) => i.index)).toEqual([1, 4, 5]);
    expect(e.invalid[0].errors).toEqual([`point 1 {"lanes":1,"stages":1}: field 'stages': must be at most 0 (ceil(log2 lanes)) for 1 lanes, got 1`]);
    expect(e.invalid[1].errors[0]).toMatch(/field 'lanes': must be at most 256, got 300/);
    expect(e.duplicates).toEqual([{ index: 6, of: 2 }]); // width 16 is the default
    expect(e.varied).toEqual(['lanes', 'stages']);
    expect(e.points[0].config).toEqual({ lanes: 1, width: 16, pipeline: 'balanced', stages: 0 });
    // unknown fields are config errors of the point too
    const d = expandGrid(dequantizerUnit, parseGrid({ points: [{ colour: 1 }] }, 'g.json'));
    expect(d.invalid[0].errors[0]).toMatch(/unknown field 'colour' \(allowed: format, bits, lanes, pipeline, stages\)/);
  });

  it('rejects a malformed grid with one line per problem', () => {
    expect(configError(() => parseGrid({}, 'g.json'))).toEqual([`g.json: needs 'fields' or 'points' (or both)`]);
    expect(configError(() => parseGrid({ fields: { lanes: [] }, colour: 1 }, 'g.json'))).toEqual([
      `g.json: 'fields.lanes': must list at least one value`,
      `g.json: unknown key 'colour' (allowed: base, fields, points)`,
    ]);
    expect(configError(() => parseGrid({ fields: { lanes: 4 } }, 'g.json'))[0]).toMatch(/^g\.json: 'fields\.lanes': .*array/);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kvhdl-grid-'));
    writeFileSync(path.join(dir, 'bad.json'), '{"fields": ');
    expect(configError(() => loadGrid(path.join(dir, 'bad.json')))[0]).toMatch(/bad\.json: /);
  });

  it('shards partition the points deterministically', () => {
    const pts = Array.from({ length: 10 }, (_, index) => ({ index }));
    const shards = [1, 2, 3].map((i) => shardPoints(pts, { index: i, count: 3 }).map((p) => p.index));
    expect(shards).toEqual([[0, 3, 6, 9], [1, 4, 7], [2, 5, 8]]);
    expect(shardPoints(pts, undefined)).toHaveLength(10);
  });
});

function point(index: number, lut: number, epc: number): PointResult {
  return {
    index, id: `id${index}`, config: { lanes: index + 1 }, top: `t${index}`, cacheKey: 'k', seconds: 1, cached: false,
    xc7: { lut, ff: 1, carry4: 0, muxf7: 0, muxf8: 0, dsp48e1: 0, ramb18e1: 0, ramb36e1: 0, lutLevels: 2 }, ice40: null,
    elementsPerCycle: epc, ii: 1, latency: 3, ice40MElementsPerSecond: null, quality: index === 1 ? { relMse: 0.5 } : {}, problems: [],
  };
}

function result(shard: SweepResult['shard'], points: PointResult[]): SweepResult {
  return {
    format: 'kvhdl-sweep/1', generator: 'kvhdl', unit: 'minmax', gridHash: 'h', grid: { fields: { lanes: [1, 2, 3] } }, targets: ['xc7'],
    simTransactions: 16, backend: 'native', shard, totalPoints: 3, varied: ['lanes'], points, failed: [], invalid: [], duplicates: [],
  };
}

describe('merge, CSV, Pareto, progress', () => {
  it('merges shards in grid order and refuses incomplete or mixed sets', () => {
    const a = result({ index: 1, count: 2 }, [point(0, 10, 1), point(2, 30, 3)]);
    const b = result({ index: 2, count: 2 }, [point(1, 20, 2)]);
    const m = mergeSweeps([{ dir: 'a', result: a }, { dir: 'b', result: b }]);
    expect(m.points.map((p) => p.index)).toEqual([0, 1, 2]);
    expect(m.shard).toBeNull();
    expect(sweepCsv(m)).toBe(sweepCsv(result(null, [point(0, 10, 1), point(1, 20, 2), point(2, 30, 3)])));
    expect(sweepCsv(m).split('\n')[0]).toBe('index,lanes,top,xc7_lut,xc7_ff,xc7_carry4,xc7_dsp48e1,xc7_ramb18e1,xc7_ramb36e1,xc7_lut_levels,elements_per_cycle,ii,latency_cycles,quality_relMse');
    expect(configError(() => mergeSweeps([{ dir: 'a', result: a }]))).toEqual(['shard(s) 2/2 missing']);
    expect(configError(() => mergeSweeps([{ dir: 'a', result: a }, { dir: 'a2', result: a }]))[0]).toMatch(/shard 1\/2 given twice/);
    expect(configError(() => mergeSweeps([{ dir: 'a', result: a }, { dir: 'b', result: { ...b, gridHash: 'other' } }]))[0]).toMatch(/^b: gridHash "other" differs/);
  });

  it('finds the Pareto front (least area for the throughput)', () => {
    const pts = [{ a: 10, t: 1 }, { a: 20, t: 1 }, { a: 20, t: 2 }, { a: 15, t: 2 }, { a: 40, t: 4 }];
    expect([...paretoFront(pts, (p) => p.a, (p) => p.t)]).toEqual([pts[0], pts[3], pts[4]]);
  });

  it('off a terminal prints one line per finished point with done/total and ETA', () => {
    const out: string[] = [];
    const p = new Progress(3, { tty: false, write: (t) => out.push(t), prefix: 'kvhdl sweep: ', jobs: 2 });
    p.start('#0 lanes=1');
    p.start('#1 lanes=2');
    expect(p.line()).toMatch(/^kvhdl sweep: 0\/3 done, elapsed 0s, ETA \?; running 2: #0 lanes=1, #1 lanes=2$/);
    p.finish('#0 lanes=1', 'cached');
    p.finish('#1 lanes=2', '35 LUT', 10);
    p.end();
    expect(out).toHaveLength(2);
    expect(out[0]).toMatch(/^kvhdl sweep: \[1\/3\] #0 lanes=1: cached \(elapsed 0s, ETA \?\)\n$/);
    expect(out[1]).toMatch(/^kvhdl sweep: \[2\/3\] #1 lanes=2: 35 LUT \(elapsed 0s, ETA 10s\)\n$/);
    expect(formatDuration(3725)).toBe('1h02m');
  });

  it('on a terminal rewrites one live line', () => {
    const out: string[] = [];
    const p = new Progress(2, { tty: true, write: (t) => out.push(t), prefix: '', jobs: 1 });
    p.start('#0');
    p.finish('#0', 'done', 4);
    p.end();
    expect(out.every((t) => t.startsWith('\r\x1b[2K'))).toBe(true);
    expect(out.at(-1)).toMatch(/1\/2 done, elapsed 0s, ETA 4s\n$/);
  });
});

describe('quality figures', () => {
  it('the quantizer reports its reconstruction error, smaller with more bits; the sweep flattens it', async () => {
    const { quantizerUnit } = await import('../../gen/quantizer/index.ts');
    const { parseConfig } = await import('../../gen/config.ts');
    const { numericFacts } = await import('../../fpga/sweep/point.ts');
    const err = (bits: number) => {
      const cfg = parseConfig<import('../../gen/quantizer/config.ts').QuantizerConfig>(quantizerUnit, { ...quantizerUnit.referenceConfigs[0], bits });
      const s = quantizerUnit.randomStimulus(cfg, 1, 256);
      return numericFacts(quantizerUnit.goldenReport!(cfg, s, quantizerUnit.golden(cfg, s)));
    };
    const [e2, e4, e8] = [err(2), err(4), err(8)];
    expect(Object.keys(e2).sort()).toEqual(['reconstruction.elements', 'reconstruction.maxAbsErr', 'reconstruction.relMse']);
    expect(e2['reconstruction.elements']).toBeGreaterThan(0);
    expect(e2['reconstruction.relMse']).toBeGreaterThan(e4['reconstruction.relMse']);
    expect(e4['reconstruction.relMse']).toBeGreaterThan(e8['reconstruction.relMse']);
    expect(e8['reconstruction.maxAbsErr']).toBeGreaterThan(0);
    expect(numericFacts({ a: 1, b: { c: 2, d: 'x', e: [3] }, f: null, g: NaN })).toEqual({ a: 1, 'b.c': 2 });
  });
});

describe('kvhdl sweep usage errors', () => {
  it('bad grid, shard, unit or no valid point: one line, exit 2, nothing written', async () => {
    const { vi } = await import('vitest');
    const { main } = await import('../../cli/main.ts');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kvhdl-sweep-usage-'));
    const put = (name: string, v: unknown) => (writeFileSync(path.join(dir, name), JSON.stringify(v)), path.join(dir, name));
    const ok = put('ok.json', { fields: { lanes: [2] } });
    mkdirSync(path.join(dir, 'out', 'plots'), { recursive: true });
    writeFileSync(path.join(dir, 'out', 'plots', 'effect-lanes.svg'), 'mine'); // a user's file where an output would go
    const cases: [string[], RegExp][] = [
      [['sweep', 'minmax', '--grid', put('empty.json', {})], /^kvhdl sweep: .*empty\.json: needs 'fields' or 'points' \(or both\)$/],
      [['sweep', 'minmax', '--grid', put('none.json', { points: [{ lanes: 0 }] })], /^kvhdl sweep: skipped point 0 \{"lanes":0\}: field 'lanes': must be at least 1, got 0\nkvhdl sweep: .*none\.json: no valid point \(1 invalid\)$/],
      [['sweep', 'minmax', '--grid', ok, '--shard', '4/3'], /^kvhdl sweep: --shard must be i\/n with 1 <= i <= n \(e\.g\. 2\/3\), got '4\/3'\n/],
      [['sweep', 'minmax', '--grid', ok, '--jobs', '0'], /^kvhdl sweep: --jobs must be an integer in 1\.\.1024, got '0'\n/],
      [['sweep', 'nosuch', '--grid', ok], /^kvhdl sweep: unknown unit 'nosuch'/],
      [['sweep', 'minmax'], /^kvhdl sweep: --grid is required\n/],
      [['sweep', 'minmax', '--grid', put('two.json', { fields: { lanes: [2, 4] } })], /^kvhdl sweep: refusing to overwrite .*out\/plots\/effect-lanes\.svg: kvhdl did not write it, or it was edited since; move it away or choose another output directory$/],
      [['sweep', 'merge', dir, '--out', path.join(dir, 'm')], /^kvhdl sweep: .*sweep\.json: not found \(is .* the --out of a kvhdl sweep\?\)$/],
    ];
    for (const [args, re] of cases) {
      const lines: string[] = [];
      const err = vi.spyOn(console, 'error').mockImplementation((s: unknown) => void lines.push(String(s)));
      const se = vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => (lines.push(String(s).replace(/\n$/, '')), true));
      let code: number;
      try {
        code = await main([...args, '--out', path.join(dir, 'out')].slice(0, args[1] === 'merge' ? args.length : undefined));
      } finally {
        err.mockRestore();
        se.mockRestore();
      }
      expect(code, lines.join('\n')).toBe(2);
      expect(lines.join('\n'), args.join(' ')).toMatch(re);
    }
    expect(readdirSync(dir).sort()).toEqual(['empty.json', 'none.json', 'ok.json', 'out', 'two.json']);
    expect(readdirSync(path.join(dir, 'out'))).toEqual(['plots']);
    expect(readFileSync(path.join(dir, 'out', 'plots', 'effect-lanes.svg'), 'utf8')).toBe('mine');
  });
});
