import { verilatorPassthrough } from '../../toolchain/verilator-passthrough.ts';
import type { Command } from '../args.ts';

export const verilatorCommand: Command = {
  name: 'verilator',
  summary: 'run Verilator (installing it first if missing): kvhdl verilator -- <args>',
  usage: `usage: kvhdl verilator -- <verilator arguments>

Makes sure Verilator is installed (apt-get as root when missing), then runs it with the arguments
after '--' and exits with its exit code. Example: kvhdl verilator -- --lint-only -Wall rtl-out/minmax/*.v`,
  async run(argv) {
    const args = argv[0] === '--' ? argv.slice(1) : argv;
    if (argv[0] !== '--' && (args.includes('--help') || args.includes('-h'))) return console.log(this.usage), 0;
    return verilatorPassthrough(args);
  },
};
