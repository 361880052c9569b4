import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireLock, ensureTools, Toolchain, ToolMissingError, toolVersion, type ToolName } from '../../toolchain/tools.ts';

let dir: string;
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kvhdl-tools-test-'));
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

/** A fake tool: a shell script that prints a version line. */
async function fakeTool(binDir: string, name: string, version = `${name} 9.99`, exitCode = 0): Promise<void> {
  await fs.mkdir(binDir, { recursive: true });
  const p = path.join(binDir, name);
  await fs.writeFile(p, `#!/bin/sh\necho "${version}"\nexit ${exitCode}\n`);
  await fs.chmod(p, 0o755);
}

describe('ensureTools', () => {
  it('throws a one-line ToolMissingError when tools are missing and we are not root', async () => {
    const bin = path.join(dir, 'bin');
    await fakeTool(bin, 'iverilog');
    let installed = false;
    const err = await ensureTools(['verilator', 'iverilog', 'yosys'], {
      path: bin,
      isRoot: () => false,
      canUseApt: () => true,
      install: async () => {
        installed = true;
      },
      log: () => {},
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ToolMissingError);
    expect((err as Error).message).toBe(
      'kvhdl: missing verilator, yosys; install them with: apt-get install -y verilator yosys',
    );
    expect((err as Error).message).not.toContain('\n');
    expect((err as ToolMissingError).missing).toEqual(['verilator', 'yosys']);
    expect(installed).toBe(false);
  });

  it('treats a tool whose version command fails as missing', async () => {
    const bin = path.join(dir, 'bin');
    await fakeTool(bin, 'ccache', 'broken', 1);
    await expect(ensureTools(['ccache'], { path: bin, isRoot: () => false })).rejects.toThrow(
      'kvhdl: missing ccache; install them with: apt-get install -y ccache',
    );
  });

  it('does not install when root but apt-get is unavailable', async () => {
    let installed = false;
    await expect(
      ensureTools(['yosys'], {
        path: path.join(dir, 'empty'),
        isRoot: () => true,
        canUseApt: () => false,
        install: async () => {
          installed = true;
        },
      }),
    ).rejects.toBeInstanceOf(ToolMissingError);
    expect(installed).toBe(false);
  });

  it('as root: prints one progress line, installs only the missing packages, re-checks', async () => {
    const bin = path.join(dir, 'bin');
    await fakeTool(bin, 'ccache');
    const logs: string[] = [];
    const calls: string[][] = [];
    const tc = new Toolchain({
      path: bin,
      isRoot: () => true,
      canUseApt: () => true,
      lockDir: path.join(dir, 'lock'),
      log: (l) => logs.push(l),
      install: async (pkgs) => {
        calls.push(pkgs);
        for (const p of pkgs) await fakeTool(bin, p, `${p} 1.0 (fake)`);
      },
    });
    await tc.ensureTools(['verilator', 'iverilog', 'yosys', 'ccache']);
    expect(calls).toEqual([['verilator', 'iverilog', 'yosys']]);
    expect(logs).toEqual(['kvhdl: installing verilator iverilog yosys with apt-get (about 30 s)…']);
    expect(await tc.toolVersion('verilator')).toBe('verilator 1.0 (fake)');
    // Memoized: no second install, lock released.
    await tc.ensureTools(['verilator']);
    expect(calls.length).toBe(1);
    await expect(fs.stat(path.join(dir, 'lock'))).rejects.toThrow();
  });

  it('as root: still missing after the install → ToolMissingError', async () => {
    await expect(
      ensureTools(['yosys'], {
        path: path.join(dir, 'empty'),
        isRoot: () => true,
        canUseApt: () => true,
        lockDir: path.join(dir, 'lock'),
        log: () => {},
        install: async () => {
          throw new Error('apt-get install failed (exit 100)');
        },
      }),
    ).rejects.toThrow('kvhdl: missing yosys; install them with: apt-get install -y yosys');
  });

  it('installs once when several callers race (shared lock)', async () => {
    const bin = path.join(dir, 'bin');
    let installs = 0;
    const make = () =>
      new Toolchain({
        path: bin,
        isRoot: () => true,
        canUseApt: () => true,
        lockDir: path.join(dir, 'lock'),
        log: () => {},
        install: async (pkgs) => {
          installs++;
          await new Promise((r) => setTimeout(r, 300));
          for (const p of pkgs) await fakeTool(bin, p);
        },
      });
    await Promise.all([make(), make(), make(), make()].map((tc) => tc.ensureTools(['yosys', 'ccache'])));
    expect(installs).toBe(1);
  });

  it('finds the real tools on this machine and reports their versions', async () => {
    const all: ToolName[] = ['verilator', 'iverilog', 'yosys', 'ccache'];
    await ensureTools(all);
    expect(await toolVersion('verilator')).toMatch(/^Verilator \d+\.\d+/);
    expect(await toolVersion('iverilog')).toMatch(/^Icarus Verilog version/);
    expect(await toolVersion('yosys')).toMatch(/^Yosys \d/);
    expect(await toolVersion('ccache')).toMatch(/^ccache version/);
  });
});

describe('acquireLock', () => {
  it('breaks a stale lock left by a dead process', async () => {
    const lock = path.join(dir, 'lock');
    await fs.mkdir(lock);
    // PID 2^22 + 1 is above Linux's pid_max limit, so it cannot be alive.
    await fs.writeFile(path.join(lock, 'owner'), `4194305 ${Date.now()} ${os.hostname()} x`);
    const release = await acquireLock(lock, 5000);
    const owner = await fs.readFile(path.join(lock, 'owner'), 'utf8');
    expect(owner.startsWith(`${process.pid} `)).toBe(true);
    await release();
    await expect(fs.stat(lock)).rejects.toThrow();
  });

  it('waits for a live holder and times out', async () => {
    const lock = path.join(dir, 'lock');
    const release = await acquireLock(lock, 1000);
    await expect(acquireLock(lock, 600)).rejects.toThrow(/timed out waiting/);
    await release();
    const again = await acquireLock(lock, 1000);
    await again();
  });
});
