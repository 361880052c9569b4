/**
 * Issue #13: the CLI under random argument vectors and random file contents. For every run:
 * exit code 0, 1 or 2; no stack trace on stderr (KVHDL_DEBUG unset); no file outside the named
 * output directory appears, disappears or changes (files placed in the output directory beforehand
 * stay byte-identical too: kvhdl may only add files there); the run ends within its time bound.
 *
 * Bounded: 36 runs with a fixed seed in `npm test`, 200 with a random seed under `npm run regress`.
 * synth and report always get a --target(s) that is not a target, so they refuse before Yosys (a
 * valid report synthesises every unit for minutes); everything else may be valid.
 */
import { describe, expect, it } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { execa } from 'execa';
import { writeNpyFile } from '../../data/npy.ts';

const bin = path.resolve('bin/kvhdl.js');
const TIME_BOUND_MS = 240_000;
const REGRESS = !!process.env.KVHDL_REGRESS;

/** sha256 of every file under `dir` (relative path -> hash), directories excluded. */
function snapshot(dir: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile()) continue;
    const p = path.join(e.parentPath, e.name);
    m.set(path.relative(dir, p), createHash('sha256').update(readFileSync(p)).digest('hex'));
  }
  return m;
}

/** The sandbox every run gets: inputs (valid and garbage), user files, an output dir with user files in it. */
async function sandbox(garbage: Uint8Array[]): Promise<{ root: string; files: Record<string, string> }> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'kvhdl-fuzz-'));
  for (const d of ['in', 'user', 'out']) mkdirSync(path.join(root, d));
  const f = (rel: string) => path.join(root, rel);
  await writeNpyFile(f('in/x.npy'), { dtype: 'int16', shape: [3, 8], data: new Int16Array(24).map((_, i) => (i * 37) % 200 - 100) });
  await writeNpyFile(f('in/h.npy'), { dtype: 'float16', shape: [32, 8], data: new Uint16Array(256).map((_, i) => 0x3c00 + i) });
  await writeNpyFile(f('in/s.npy'), { dtype: 'int32', shape: [4, 16], data: new Int32Array(64).map((_, i) => (i * 7919) % 101) });
  writeFileSync(f('in/meta.json'), JSON.stringify({ lengths: [16, 12, 9, 16], heads: [0, 0, 0, 0], layers: [0, 0, 0, 0] }));
  writeFileSync(f('in/c.json'), JSON.stringify({ lanes: 4 }));
  writeFileSync(f('in/empty.json'), '{}');
  garbage.forEach((g, i) => writeFileSync(f(`in/g${i}.bin`), g));
  writeFileSync(f('in/g.npy'), Buffer.concat([Buffer.from('\x93NUMPY\x01\x00'), Buffer.from(garbage[0] ?? [])]));
  for (const n of ['user/notes.txt', 'user/my_cpu.v', 'out/README.md', 'out/report.json', 'out/mine.v']) writeFileSync(f(n), randomBytes(64));
  const files: Record<string, string> = {};
  for (const n of readdirSync(f('in'))) files[n] = f(`in/${n}`);
  return { root, files };
}

const COMMANDS = ['list', 'gen', 'golden', 'cosim', 'calibrate', 'calibrate-nuq', 'synth', 'report', 'handoff', 'verilator', 'help', '--help', 'nosuch'] as const;
const UNITS = ['minmax', 'dequantizer', 'quantizer', 'selector', 'earlyexit', 'attention', 'nuq', 'nosuchunit', ''];
const OPTIONS = ['--config', '--in', '--codes', '--scale', '--min', '--meta', '--thresholds', '--q', '--k', '--theta', '--scores', '--sigma',
  '--seed', '--stall', '--simulator', '--trace', '--all', '--codebook', '--bits', '--mode', '--outlier-fraction', '--weights', '--shared', '--format', '--part', '--clock-mhz', '--top-wrapper', '--buckets', '--device', '--units', '--json', '--help', '--bogus'];

/** A value for an option: an input file (valid or garbage), a device, or a number / string edge case. */
const value = (files: string[]) =>
  fc.oneof(
    fc.constantFrom(...files),
    fc.constantFrom('/dev/null', '/dev/zero', '/nonexistent/x.npy', '', '-', '--', '.', '/'),
    fc.constantFrom('0', '-1', '1', '-0.1', '0.5', '0.9999', '1e400', '-1e308', 'NaN', 'Infinity', '9007199254740993', '1.5', 'x', 'xc7a35tcpg236-1', 'verilator', 'icarus', 'axis', 'none'),
    fc.string({ maxLength: 12 }),
  );

const argv = (files: string[], out: string) =>
  fc.tuple(
    fc.constantFrom(...COMMANDS),
    fc.constantFrom(...UNITS),
    fc.constantFrom('vivado', 'fusesoc', 'firesim', 'nosuchflow'),
    fc.array(fc.tuple(fc.constantFrom(...OPTIONS), value(files)), { maxLength: 6 }),
    fc.constantFrom('--out', '--out-dir', '--json', 'none'),
    fc.constantFrom('', 'sub', 'sub/deeper', 'report.json', 'README.md'),
  ).map(([cmd, unit, flow, opts, outOpt, outSub]) => {
    const a: string[] = [cmd];
    if (cmd === 'handoff') a.push(flow);
    if (unit && cmd !== 'list' && cmd !== 'report') a.push(unit);
    for (const [o, v] of opts) a.push(...(o === '--trace' || o === '--all' || o === '--help' || o === '--shared' ? [o] : [o, v]));
    if (outOpt !== 'none') a.push(outOpt, outSub ? path.join(out, outSub) : out);
    if (cmd === 'synth') a.push('--target', 'not-a-target');
    if (cmd === 'report') a.push('--targets', 'not-a-target');
    return a;
  });

describe('kvhdl command line under random arguments and files', () => {
  it('exit 0/1/2, no stack trace, nothing outside the output directory changes, bounded time', async () => {
    const garbage = [randomBytes(40), Buffer.from('{"lanes": 1e400}'), Buffer.from('[[[[[[[['.repeat(20))];
    const { root, files } = await sandbox(garbage);
    const fileList = Object.values(files);
    const out = path.join(root, 'out');
    await fc.assert(
      fc.asyncProperty(argv(fileList, out), async (args) => {
        const before = snapshot(root);
        const env = { ...process.env };
        delete env.KVHDL_DEBUG;
        const r = await execa('node', [bin, ...args], { reject: false, timeout: TIME_BOUND_MS, cwd: out, env, stdin: 'ignore' });
        const what = `kvhdl ${args.join(' ')}\n${r.stderr.slice(0, 2000)}`;
        expect(r.timedOut, what).toBe(false);
        expect([0, 1, 2], what).toContain(r.exitCode);
        expect(r.stderr, what).not.toMatch(/^\s+at .+(:\d+:\d+\)?|\(node:)/m);
        const after = snapshot(root);
        for (const [rel, h] of before) {
          expect(after.get(rel), `${what}\n${rel} changed or vanished`).toBe(h);
        }
        for (const rel of after.keys()) {
          if (!before.has(rel)) expect(rel.startsWith(`out${path.sep}`), `${what}\n${rel} appeared outside out/`).toBe(true);
        }
      }),
      { numRuns: REGRESS ? 200 : 36, ...(REGRESS ? {} : { seed: 20261204 }), endOnFailure: true },
    );
  }, REGRESS ? 4 * 3600_000 : 1800_000);
});
