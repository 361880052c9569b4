/**
 * Issue #13 item 11: numeric option values. A negative number after a string option is its value
 * (`--sigma -1` works; `--seed -1` gets the seed's range message instead of parseArgs' "argument is
 * ambiguous"); '' and out-of-range values are one-line usage errors (exit 2).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../cli/main.ts';
import { parse } from '../../cli/args.ts';
import { writeNpyFile } from '../../data/npy.ts';

/** Runs the CLI in this process; returns the exit code and the first stderr line. */
async function run(argv: string[]): Promise<{ code: number; err: string }> {
  const errs: string[] = [];
  const e = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void errs.push(a.map(String).join(' ')));
  const o = vi.spyOn(console, 'log').mockImplementation(() => {});
  try {
    const code = await main(argv);
    return { code, err: errs.join('\n').split('\n')[0] };
  } finally {
    e.mockRestore();
    o.mockRestore();
  }
}

afterEach(() => vi.restoreAllMocks());

describe('numeric command-line options', () => {
  it('a negative number is the value of a string option; other dash tokens are still options', () => {
    const cmd = { usage: 'u' };
    const opts = { sigma: { type: 'string' }, trace: { type: 'boolean' } } as const;
    expect(parse(cmd, ['--sigma', '-1'], opts, { min: 0, max: 0 }).values.sigma).toBe('-1');
    expect(parse(cmd, ['--sigma', '-0.25e-3', '--trace'], opts, { min: 0, max: 0 }).values.sigma).toBe('-0.25e-3');
    expect(parse(cmd, ['--sigma', '-.5'], opts, { min: 0, max: 0 }).values.sigma).toBe('-.5');
    expect(() => parse(cmd, ['--sigma', '--trace'], opts, { min: 0, max: 0 })).toThrow(/argument is ambiguous/);
    expect(() => parse(cmd, ['--trace', '-1'], opts, { min: 0, max: 0 })).toThrow(/Unknown option '-1'/);
  });

  it('cosim --seed / --stall: range messages, no silent 0 for an empty value', async () => {
    const cases: [string[], string][] = [
      [['--seed', '-1'], `--seed must be an integer in 0..2^53-1, got '-1'`],
      [['--seed', ''], `--seed must be an integer in 0..2^53-1, got ''`],
      [['--seed', '9007199254740992'], `--seed must be an integer in 0..2^53-1, got '9007199254740992'`],
      [['--seed', '1.5'], `--seed must be an integer in 0..2^53-1, got '1.5'`],
      [['--seed', '1e3'], `--seed must be an integer in 0..2^53-1, got '1e3'`],
      [['--stall', '-0.1'], `--stall must be a probability in [0, 1), got '-0.1'`],
      [['--stall', ''], `--stall must be a probability in [0, 1), got ''`],
      [['--stall', 'NaN'], `--stall must be a probability in [0, 1), got 'NaN'`],
      [['--stall', '1'], `--stall must be a probability in [0, 1), got '1'`],
    ];
    for (const [opt, msg] of cases) {
      const r = await run(['cosim', 'minmax', ...opt, '--in', 'x.npy', '--out-dir', 'never-made']);
      expect([r.code, r.err], opt.join(' ')).toEqual([2, `kvhdl cosim: ${msg}`]);
    }
  });

  it('calibrate --sigma may be negative; --k and --sigma refuse empty, infinite and out-of-range values', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kvhdl-numopt-'));
    await writeNpyFile(path.join(dir, 's.npy'), { dtype: 'int32', shape: [2, 4], data: new Int32Array([1, 5, 3, 2, 4, 4, 0, 9]) });
    writeFileSync(path.join(dir, 'm.json'), JSON.stringify({ lengths: [4, 4], heads: [0, 0], layers: [0, 0] }));
    const cal = (k: string, sigma: string) => run(['calibrate', '--scores', path.join(dir, 's.npy'), '--meta', path.join(dir, 'm.json'), '--k', k, '--sigma', sigma, '--out', path.join(dir, 't.json')]);
    expect((await cal('1', '-1')).code).toBe(0);
    expect((await cal('1', '-0.5')).code).toBe(0);
    for (const [k, sigma, msg] of [
      ['1', '', `--sigma must be a finite number (negative allowed), got ''`],
      ['1', '1e400', `--sigma must be a finite number (negative allowed), got '1e400'`],
      ['1', '-Infinity', `--sigma must be a finite number (negative allowed), got '-Infinity'`],
      ['', '1', `--k must be an integer in 1..65536, got ''`],
      ['-2', '1', `--k must be an integer in 1..65536, got '-2'`],
      ['0x10', '1', `--k must be an integer in 1..65536, got '0x10'`],
    ]) {
      const r = await cal(k, sigma);
      expect([r.code, r.err], `${k} ${sigma}`).toEqual([2, `kvhdl calibrate: ${msg}`]);
    }
  });

  it('handoff --clock-mhz: a negative value gets the clock message', async () => {
    const r = await run(['handoff', 'vivado', 'minmax', '--part', 'xc7a35tcpg236-1', '--clock-mhz', '-5']);
    expect([r.code, r.err]).toEqual([2, 'kvhdl handoff: --clock-mhz: clock frequency must be a positive number of MHz, got -5']);
    const e = await run(['handoff', 'vivado', 'minmax', '--part', 'xc7a35tcpg236-1', '--clock-mhz', '']);
    expect([e.code, e.err]).toEqual([2, `kvhdl handoff: --clock-mhz: expected a number of MHz, got ''`]);
  });
});
