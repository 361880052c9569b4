// `kvhdl prove`: usage errors exit 2 with one line; a real run on the minmax unit proves the
// stream contracts and the skid buffer's invariants and writes the JSON it names.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { execa } from 'execa';

const bin = path.resolve('bin/kvhdl.js');
const kvhdl = (args: string[], cwd?: string) => execa('node', [bin, ...args], { reject: false, timeout: 300_000, cwd });

describe('kvhdl prove', () => {
  it('refuses a bad depth and an unknown unit (exit 2, one line)', async () => {
    const a = await kvhdl(['prove', 'minmax', '--depth', '0']);
    expect(a.exitCode).toBe(2);
    expect(a.stderr.split('\n')[0]).toBe("kvhdl prove: --depth must be an integer in 1..1000, got '0'");
    const b = await kvhdl(['prove', 'nosuch']);
    expect(b.exitCode).toBe(2);
    expect(b.stderr).toMatch(/^kvhdl prove: unknown unit 'nosuch'/);
  });

  it('proves the minmax unit (stream contracts, skid buffer) and writes --json', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kvhdl-prove-cli-'));
    const json = path.join(dir, 'prove.json');
    const r = await kvhdl(['prove', 'minmax', '--config', writeConfig(dir), '--depth', '6', '--json', json, '--out-dir', path.join(dir, 'work')]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/kv_minmax_p2_w4_s1: \d+ proved, 0 bounded, 0 failed/);
    expect(r.stdout).toMatch(/proved \(k=\d+\) {2}assert gen\/minmax\/rtl\.ts:\d+ \(kv_minmax_p2_w4_s1 ports\): stream 'out': valid stays high until ready/);
    const j = JSON.parse(readFileSync(json, 'utf8'));
    expect(j.unit).toBe('minmax');
    expect(j.properties.length).toBeGreaterThanOrEqual(6);
    expect(j.properties.every((p: { status: string }) => p.status === 'proved')).toBe(true);
  });
});

function writeConfig(dir: string): string {
  const f = path.join(dir, 'minmax.json');
  writeFileSync(f, JSON.stringify({ lanes: 2, width: 4 }));
  return f;
}
