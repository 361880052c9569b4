// The one way kvhdl starts an external program (verilator, iverilog, yosys, make, the simulator...).
// Always an argument array (never a shell string), always a timeout, never throws for a non-zero
// exit: callers look at `exitCode`, or use runToolOrThrow for a readable ToolError.
import { constants as osConstants } from 'node:os';
import { execa } from 'execa';

export interface RunToolOptions {
  /** Working directory (default: the current directory). */
  cwd?: string;
  /** Kill the tool after this many milliseconds (default 10 minutes; 0 = never). */
  timeoutMs?: number;
  /** Bytes or text written to the tool's stdin (stdin is closed/empty otherwise). */
  input?: string | Uint8Array;
  /** Extra environment variables, merged over process.env. */
  env?: Record<string, string | undefined>;
  /** Connect the tool's stdin/stdout/stderr to ours (stdout/stderr in the result are then empty). */
  inherit?: boolean;
}

export interface RunToolResult<Out = string> {
  /**
   * The tool's exit code. When it could not be started it is 127 (as a shell would say), when it
   * ran out of time 124 (as timeout(1) says), when a signal killed it 128 + the signal number.
   */
  exitCode: number;
  stdout: Out;
  stderr: string;
  /** The command line, quoted for a POSIX shell, for messages and for re-running by hand. */
  command: string;
  timedOut: boolean;
  /** Signal that terminated the tool, if any. */
  signal?: string;
  /** Set when the tool could not be started at all (e.g. ENOENT: not installed). */
  spawnError?: string;
}

export const DEFAULT_TIMEOUT_MS = 10 * 60 * 1000;

/** Quote one argument for display in a POSIX shell (only when needed). */
export function shellQuote(arg: string): string {
  if (arg !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** `cmd arg1 'arg 2'`: a copy-pasteable rendering of a command line. */
export function formatCommand(cmd: string, args: readonly string[]): string {
  return [cmd, ...args].map(shellQuote).join(' ');
}

async function run<Out>(
  cmd: string,
  args: readonly string[],
  opts: RunToolOptions,
  binary: boolean,
): Promise<RunToolResult<Out>> {
  const command = formatCommand(cmd, args);
  const r = await execa(cmd, [...args], {
    cwd: opts.cwd,
    timeout: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    reject: false,
    env: opts.env,
    extendEnv: true,
    stripFinalNewline: false,
    ...(opts.inherit
      ? { stdio: 'inherit' as const }
      : opts.input !== undefined
        ? { input: opts.input }
        : { stdin: 'ignore' as const }),
    encoding: binary ? ('buffer' as const) : ('utf8' as const),
    maxBuffer: 1024 * 1024 * 1024,
  });

  const spawnFailed = r.exitCode === undefined && !r.signal && !r.timedOut;
  let exitCode: number;
  if (r.timedOut) exitCode = 124;
  else if (r.exitCode !== undefined) exitCode = r.exitCode;
  else if (r.signal) exitCode = 128 + (osConstants.signals[r.signal] ?? 0);
  else exitCode = 127;

  const toText = (v: unknown): string =>
    v === undefined || v === null ? '' : typeof v === 'string' ? v : Buffer.from(v as Uint8Array).toString('utf8');
  let stderr = toText(r.stderr);
  let spawnError: string | undefined;
  if (spawnFailed) {
    const code = (r as { code?: string }).code;
    spawnError =
      code === 'ENOENT' ? `${cmd}: command not found` : `${cmd}: could not start (${code ?? r.shortMessage})`;
    stderr = stderr ? `${stderr}\n${spawnError}` : spawnError;
  }
  const stdout = (binary
    ? r.stdout instanceof Uint8Array
      ? r.stdout
      : new Uint8Array(0)
    : toText(r.stdout)) as unknown as Out;

  return {
    exitCode,
    stdout,
    stderr,
    command,
    timedOut: r.timedOut,
    ...(r.signal ? { signal: r.signal } : {}),
    ...(spawnError ? { spawnError } : {}),
  };
}

/** Run a tool and collect its output as text. Never throws for a failing tool. */
export function runTool(cmd: string, args: readonly string[], opts: RunToolOptions = {}): Promise<RunToolResult> {
  return run<string>(cmd, args, opts, false);
}

/** Like runTool, but stdout is returned as raw bytes (e.g. a simulator's binary transaction log). */
export function runToolBinary(
  cmd: string,
  args: readonly string[],
  opts: RunToolOptions = {},
): Promise<RunToolResult<Uint8Array>> {
  return run<Uint8Array>(cmd, args, opts, true);
}

/** The last `n` non-empty-trailing lines of `text`. */
export function lastLines(text: string, n: number): string {
  const lines = text.replace(/\s+$/, '').split('\n');
  return lines.slice(Math.max(0, lines.length - n)).join('\n');
}

/** A tool exited non-zero (or could not start, or timed out). The message is meant for people. */
export class ToolError extends Error {
  override name = 'ToolError';
  readonly command: string;
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;

  constructor(result: RunToolResult<string | Uint8Array>, tailLines = 40) {
    const stdoutText = typeof result.stdout === 'string' ? result.stdout : '';
    const why = result.spawnError
      ? result.spawnError
      : result.timedOut
        ? 'timed out'
        : result.signal
          ? `killed by ${result.signal}`
          : `exit code ${result.exitCode}`;
    const out = result.stderr.trim() ? result.stderr : stdoutText;
    const tail = out.trim() && !(result.spawnError && out.trim() === result.spawnError) ? lastLines(out, tailLines) : '';
    super(`command failed (${why}): ${result.command}${tail ? `\n${tail}` : ''}`);
    this.command = result.command;
    this.exitCode = result.exitCode;
    this.stdout = stdoutText;
    this.stderr = result.stderr;
    this.timedOut = result.timedOut;
  }
}

/** runTool, but a non-zero exit throws a ToolError with the command line and the end of its output. */
export async function runToolOrThrow(
  cmd: string,
  args: readonly string[],
  opts: RunToolOptions = {},
): Promise<RunToolResult> {
  const r = await runTool(cmd, args, opts);
  if (r.exitCode !== 0) throw new ToolError(r);
  return r;
}
