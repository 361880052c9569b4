// `kvhdl verilator -- <args>`: run the project's Verilator with the user's arguments, terminal attached.
import { runTool } from './run-tool.ts';
import { ensureTools } from './tools.ts';

/** Runs `verilator <args>` with inherited stdio (no timeout) and returns its exit code. */
export async function verilatorPassthrough(args: string[]): Promise<number> {
  await ensureTools(['verilator']);
  const r = await runTool('verilator', args, { inherit: true, timeoutMs: 0 });
  if (r.spawnError) process.stderr.write(`kvhdl: ${r.spawnError}\n`);
  return r.exitCode;
}
