/**
 * The kvhdl command line. Thin: it parses arguments, validates configs and calls the library.
 * Exit codes: 0 success, 1 failure (elaboration, simulation mismatch, tool error), 2 usage or config error.
 */
import { ElaborationError } from '../hdl/index.ts';
import { ConfigError } from '../gen/config.ts';
import { UsageError, type Command } from './args.ts';
import { listCommand } from './commands/list.ts';
import { genCommand } from './commands/gen.ts';
import { verilatorCommand } from './commands/verilator.ts';
import { cosimCommand } from './commands/cosim.ts';
import { goldenCommand } from './commands/golden.ts';
import { handoffCommand } from './commands/handoff.ts';
import { synthCommand } from './commands/synth.ts';
import { reportCommand } from './commands/report.ts';
import { calibrateCommand } from './commands/calibrate.ts';
import { calibrateNuqCommand } from './commands/calibrate-nuq.ts';
import { proveCommand } from './commands/prove.ts';
import { InputError } from './commands/unit-io.ts';
import { NpyError } from '../data/npy.ts';
import { OutputError } from '../output/index.ts';

export const commands: Command[] = [listCommand, genCommand, cosimCommand, goldenCommand, synthCommand, reportCommand, handoffCommand, verilatorCommand, calibrateCommand, calibrateNuqCommand, proveCommand];

const usage = () => `usage: kvhdl <command> [options]   (kvhdl <command> --help for details)

commands:
${commands.map((c) => `  ${c.name.padEnd(10)} ${c.summary}`).join('\n')}`;

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return name ? 0 : 2;
  }
  const cmd = commands.find((c) => c.name === name);
  if (!cmd) {
    console.error(`kvhdl: unknown command '${name}'\n${usage()}`);
    return 2;
  }
  try {
    return await cmd.run(rest);
  } catch (e) {
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
    else console.error(`kvhdl ${name}: ${(e as Error).message ?? String(e)}`);
    return 1;
  }
}

const isEntry = process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isEntry) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
