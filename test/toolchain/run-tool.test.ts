import { describe, expect, it } from 'vitest';
import { formatCommand, runTool, runToolBinary, runToolOrThrow, ToolError } from '../../toolchain/run-tool.ts';

const node = process.execPath;

describe('runTool', () => {
  it('returns exit code, stdout and stderr of a failing command without throwing', async () => {
    const r = await runTool(node, ['-e', "console.log('out'); console.error('boom'); process.exit(3)"]);
    expect(r.exitCode).toBe(3);
    expect(r.stdout).toBe('out\n');
    expect(r.stderr).toBe('boom\n');
    expect(r.timedOut).toBe(false);
  });

  it('passes arguments verbatim (no shell) and feeds input', async () => {
    const r = await runTool(node, ['-e', 'process.stdin.pipe(process.stdout); console.error(process.argv[1])', '$HOME; echo x'], {
      input: 'abc',
    });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe('abc');
    expect(r.stderr).toBe('$HOME; echo x\n');
  });

  it('returns binary stdout and honours env and cwd', async () => {
    const r = await runToolBinary(node, ['-e', 'process.stdout.write(Buffer.from([0, 255, 10, process.env.KV_X.length])); console.error(process.cwd())'], {
      env: { KV_X: 'abcd' },
      cwd: '/',
    });
    expect(Array.from(r.stdout)).toEqual([0, 255, 10, 4]);
    expect(r.stderr.trim()).toBe('/');
  });

  it('reports a missing program as exit 127', async () => {
    const r = await runTool('kvhdl-no-such-program-xyz', ['--version']);
    expect(r.exitCode).toBe(127);
    expect(r.spawnError).toMatch(/command not found/);
  });

  it('kills a program that runs past its timeout', async () => {
    const r = await runTool(node, ['-e', 'setTimeout(() => {}, 60000)'], { timeoutMs: 200 });
    expect(r.timedOut).toBe(true);
    expect(r.exitCode).toBe(124);
  });
});

describe('runToolOrThrow', () => {
  it('throws a ToolError with the command line and the tail of stderr', async () => {
    const script = "for (let i = 0; i < 100; i++) console.error('line ' + i); process.exit(3)";
    const err = await runToolOrThrow(node, ['-e', script]).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ToolError);
    const te = err as ToolError;
    expect(te.exitCode).toBe(3);
    expect(te.message).toContain(formatCommand(node, ['-e', script]));
    expect(te.message).toContain('exit code 3');
    expect(te.message).toContain('line 99');
    expect(te.message).toContain('line 60');
    expect(te.message).not.toContain('line 59\n');
    expect(te.stderr).toContain('line 0');
  });

  it('falls back to stdout when stderr is empty', async () => {
    await expect(runToolOrThrow(node, ['-e', "console.log('only-stdout'); process.exit(2)"])).rejects.toThrow(/only-stdout/);
  });

  it('returns the result on success', async () => {
    const r = await runToolOrThrow(node, ['-e', "console.log('fine')"]);
    expect(r.stdout).toBe('fine\n');
  });
});

describe('formatCommand', () => {
  it('quotes for a POSIX shell', () => {
    expect(formatCommand('verilator', ['--lint-only', 'a b.v', "it's"])).toBe(`verilator --lint-only 'a b.v' 'it'\\''s'`);
  });
});
