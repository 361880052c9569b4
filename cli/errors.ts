/**
 * How a command's failure reaches the user: one line (or one line per config field) and an exit
 * code. Loaded only when a command throws, so the error classes' modules (zod, the DSL) stay off
 * the start-up path of commands that succeed.
 */
import { ElaborationError } from '../hdl/index.ts';
import { ConfigError } from '../gen/config.ts';
import { NpyError } from '../data/npy.ts';
import { OutputError } from '../output/index.ts';
import { UsageError } from './args.ts';
import { InputError } from './commands/unit-io.ts';

/** Prints `e` for command `name` and returns the exit code: 2 usage, config or input, 1 otherwise. */
export function reportError(name: string, e: unknown): number {
  if (e instanceof UsageError) {
    console.error(`kvhdl ${name}: ${e.message}\n${e.usage}`);
    return 2;
  }
  if (e instanceof ConfigError) {
    console.error(e.lines.map((l) => `kvhdl ${name}: ${l}`).join('\n'));
    return 2;
  }
  if (e instanceof InputError || e instanceof NpyError || e instanceof OutputError) {
    console.error(`kvhdl ${name}: ${e.message}`);
    return 2;
  }
  if (e instanceof ElaborationError) {
    console.error(`kvhdl ${name}: ${e.message}`);
    return 1;
  }
  if (process.env.KVHDL_DEBUG) console.error(e);
  else console.error(`kvhdl ${name}: ${(e as Error)?.message ?? String(e)}`);
  return 1;
}
