import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execa } from 'execa';
import { handoffCommand } from '../../cli/commands/handoff.ts';
import { UsageError } from '../../cli/args.ts';
import { ConfigError } from '../../gen/config.ts';
import { requireTclsh, runWithStubs } from '../fixtures/vivado-stubs/run-stubs.ts';
import { needTools } from '../helpers/tools.ts';

needTools('tclsh');

const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'kvhdl-handoff-cli-'));

/** Runs the command in-process; returns its exit code and what it printed (errors are rethrown). */
async function run(argv: string[]): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const spy = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void lines.push(a.join(' ')));
  try {
    const code = await handoffCommand.run(argv);
    return { code, out: lines.join('\n') };
  } finally {
    spy.mockRestore();
  }
}

async function usageError(argv: string[]): Promise<string> {
  const e = await run(argv).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e, argv.join(' ')).toBeInstanceOf(UsageError);
  return (e as UsageError).message;
}

afterEach(() => vi.restoreAllMocks());
beforeAll(requireTclsh);

describe('kvhdl handoff (command)', () => {
  it('prints help for the command and each flow', async () => {
    expect((await run(['--help'])).out).toMatch(/^usage: kvhdl handoff vivado <unit> --part .*\n\s+kvhdl handoff fusesoc <unit>/);
    const v = await run(['vivado', '--help']);
    expect(v.code).toBe(0);
    expect(v.out).toMatch(/^usage: kvhdl handoff vivado/);
    expect(v.out).toContain('vivado -mode batch -source build.tcl');
    expect((await run(['fusesoc', '-h'])).out).toMatch(/^usage: kvhdl handoff fusesoc/);
  });

  it('vivado: writes the package; its scripts pass the Vivado stubs', async () => {
    const dir = tmp();
    const cfg = path.join(dir, 'c.json');
    writeFileSync(cfg, JSON.stringify({ lanes: 2, width: 6 }));
    const out = path.join(dir, 'pkg');
    const r = await run(['vivado', 'minmax', '--config', cfg, '--part', 'xc7z020clg400-1', '--clock-mhz', '125', '--out', out]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^minmax: kv_minmax_p2_w6_s1 \(2 modules, xc7z020clg400-1, 125 MHz\) -> /);
    expect(r.out).toContain('vivado -mode batch -source build.tcl');
    expect(readFileSync(path.join(out, 'kv_minmax_p2_w6_s1.xdc'), 'utf8')).toContain('create_clock -period 8 -name clock [get_ports clock]');
    for (const s of ['build.tcl', 'package_ip.tcl']) {
      const stub = await runWithStubs(path.join(out, s));
      expect(stub.stderr, s).toBe('');
      expect(stub.exitCode, s).toBe(0);
    }
  });

  it('vivado --top-wrapper axis: the wrapper is the top', async () => {
    const out = tmp();
    const r = await run(['vivado', 'minmax', '--part', 'xcvu9p-flga2104-2L-e', '--clock-mhz', '400', '--out', out, '--top-wrapper', 'axis']);
    expect(r.out).toMatch(/^minmax: kv_minmax_p8_w16_s1_axis /);
    expect(readFileSync(path.join(out, 'build.tcl'), 'utf8')).toContain('set top kv_minmax_p8_w16_s1_axis');
  });

  it('fusesoc: writes the .core', async () => {
    const out = tmp();
    const r = await run(['fusesoc', 'minmax', '--out', out, '--part', 'xc7a35tcpg236-1', '--clock-mhz', '100']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^minmax: kvhdl:kv:kv_minmax_p8_w16_s1:0\.1\.0 \(2 modules\) -> /);
    expect(readFileSync(path.join(out, 'kv_minmax_p8_w16_s1.core'), 'utf8')).toMatch(/^CAPI=2:\n/);
    expect(existsSync(path.join(out, 'kv_minmax_p8_w16_s1.xdc'))).toBe(true);
  });

  it('usage errors (exit code 2 from kvhdl): unknown flow/unit/wrapper, bad part, bad clock, missing options', async () => {
    const out = tmp();
    const v = ['vivado', 'minmax', '--out', out];
    expect(await usageError([])).toBe('name a flow: vivado, fusesoc or firesim');
    expect(await usageError(['quartus', 'minmax'])).toBe(`unknown flow 'quartus' (flows: vivado, fusesoc, firesim)`);
    expect(await usageError(['vivado', 'nosuchunit', '--part', 'xc7a35tcpg236-1', '--clock-mhz', '100'])).toBe(`unknown unit 'nosuchunit' (units: minmax, dequantizer, quantizer, selector, earlyexit, attention, nuq)`);
    expect(await usageError(['vivado', '--part', 'xc7a35tcpg236-1'])).toBe('expected 1 argument(s), got 0');
    expect(await usageError([...v, '--clock-mhz', '100'])).toMatch(/^--part is required/);
    expect(await usageError([...v, '--part', 'xc7a35tcpg236-1'])).toMatch(/^--clock-mhz is required/);
    expect(await usageError([...v, '--part', 'xc7a35t', '--clock-mhz', '100'])).toMatch(/^--part: part 'xc7a35t' is not a Xilinx part name \(expected e\.g\. xc7a35tcpg236-1/);
    expect(await usageError([...v, '--part', 'xc7a35tcpg236-1', '--clock-mhz', '0'])).toBe('--clock-mhz: clock frequency must be a positive number of MHz, got 0');
    expect(await usageError([...v, '--part', 'xc7a35tcpg236-1', '--clock-mhz=-250'])).toBe('--clock-mhz: clock frequency must be a positive number of MHz, got -250');
    expect(await usageError([...v, '--part', 'xc7a35tcpg236-1', '--clock-mhz', '-250'])).toBe('--clock-mhz: clock frequency must be a positive number of MHz, got -250'); // #13 item 11: a negative value is the option's value
    expect(await usageError([...v, '--part', 'xc7a35tcpg236-1', '--clock-mhz', 'fast'])).toBe(`--clock-mhz: expected a number of MHz, got 'fast'`);
    expect(await usageError([...v, '--part', 'xc7a35tcpg236-1', '--clock-mhz', '100', '--top-wrapper', 'apb'])).toBe(
      `--top-wrapper: unknown top wrapper 'apb' (wrappers: none, axis)`,
    );
    expect(await usageError([...v, '--part', 'xc7a35tcpg236-1', '--clock-mhz', '100', '--bogus'])).toMatch(/Unknown option '--bogus'/);
    expect(await usageError(['fusesoc', 'minmax', '--out', out, '--clock-mhz', '100'])).toBe('--clock-mhz needs --part (it constrains the synth target)');
    expect(await usageError(['fusesoc', 'minmax', '--out', out, '--part', 'zu9eg'])).toMatch(/^--part: part 'zu9eg' is not a Xilinx part name/);
  });

  it('config errors are ConfigErrors (exit code 2), one line per field', async () => {
    const dir = tmp();
    const cfg = path.join(dir, 'bad.json');
    writeFileSync(cfg, JSON.stringify({ lanes: 300, colour: 'red' }));
    const e = await run(['fusesoc', 'minmax', '--config', cfg, '--out', dir]).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(ConfigError);
    expect((e as ConfigError).lines).toEqual([`${cfg}: field 'lanes': must be at most 256, got 300`, `${cfg}: unknown field 'colour' (allowed: lanes, width, pipeline, stages)`]);
  });

  // Through the bin script once cli/main.ts registers the command (the lead does that).
  it('end to end through bin/kvhdl.js: exit codes 0 and 2', async () => {
    const kvhdl = (args: string[]) => execa('node', [path.resolve('bin/kvhdl.js'), ...args], { reject: false, timeout: 300_000 });
    const out = tmp();
    const ok = await kvhdl(['handoff', 'vivado', 'minmax', '--part', 'xc7a35tcpg236-1', '--clock-mhz', '200', '--out', out]);
    expect(ok.stderr).toBe('');
    expect(ok.exitCode).toBe(0);
    const bad = await kvhdl(['handoff', 'vivado', 'minmax', '--part', 'nope', '--clock-mhz', '200', '--out', out]);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toMatch(/^kvhdl handoff: --part: part 'nope' is not a Xilinx part name/);
    const neg = await kvhdl(['handoff', 'vivado', 'minmax', '--part', 'xc7a35tcpg236-1', '--clock-mhz=-1', '--out', out]);
    expect(neg.exitCode).toBe(2);
    const unit = await kvhdl(['handoff', 'fusesoc', 'nosuchunit']);
    expect(unit.exitCode).toBe(2);
    expect(unit.stderr).toContain(`unknown unit 'nosuchunit'`);
  });
});
