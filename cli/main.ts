/**
 * The kvhdl command line. Thin: it parses arguments, validates configs and calls the library.
 * Exit codes: 0 success, 1 failure (elaboration, simulation mismatch, tool error), 2 usage or config error.
 *
 * Start-up: each command's module is imported only when that command runs (`kvhdl --help` loads
 * none; `kvhdl list` loads the unit registry, not the simulators or synthesis), so the table below
 * carries each command's name and summary itself. Adding a command is one line here; the test
 * test/cli/commands.test.ts checks that every line's name and summary match its module's.
 */
import type { Command } from './args.ts';

/** A command as `kvhdl --help` lists it; `load` imports its module. */
export interface CommandEntry {
  name: string;
  summary: string;
  load(): Promise<Command>;
}

export const commands: CommandEntry[] = [
  { name: 'list', summary: 'list the generator units, their config fields and defaults', load: async () => (await import('./commands/list.ts')).listCommand },
  { name: 'gen', summary: "generate Verilog for a unit (or every unit's defaults with --all)", load: async () => (await import('./commands/gen.ts')).genCommand },
  { name: 'cosim', summary: "run a unit's generated RTL in Verilator (or Icarus) on .npy inputs, checked against its golden model", load: async () => (await import('./commands/cosim.ts')).cosimCommand },
  { name: 'golden', summary: "run a unit's golden model (no simulator) on .npy inputs; same files as cosim", load: async () => (await import('./commands/golden.ts')).goldenCommand },
  { name: 'synth', summary: 'resource, logic-depth and Fmax estimates for a unit configuration (Yosys, nextpnr-ice40)', load: async () => (await import('./commands/synth.ts')).synthCommand },
  { name: 'sweep', summary: 'design-space sweep over a grid of configs: resources, Fmax, throughput, quality (CSV, JSON, SVG plots, HTML)', load: async () => (await import('./commands/sweep.ts')).sweepCommand },
  { name: 'report', summary: "resources, LUT levels, iCE40 Fmax, throughput and latency of every unit's reference configs (report.md/.json)", load: async () => (await import('./commands/report.ts')).reportCommand },
  { name: 'handoff', summary: 'write a hand-off package: Vivado (build + IP packaging), FuseSoC (CAPI2 core) or FireSim (Chipyard accelerator)', load: async () => (await import('./commands/handoff.ts')).handoffCommand },
  { name: 'verilator', summary: 'run Verilator (installing it first if missing): kvhdl verilator -- <args>', load: async () => (await import('./commands/verilator.ts')).verilatorCommand },
  { name: 'calibrate', summary: 'calibrate Top-theta thresholds (selector threshold mode) from sample score rows', load: async () => (await import('./commands/calibrate.ts')).calibrateCommand },
  { name: 'prove', summary: 'prove a unit\'s assertions by k-induction (Yosys), covers, counterexamples replayed in Verilator', load: async () => (await import('./commands/prove.ts')).proveCommand },
  { name: 'calibrate-nuq', summary: 'calibrate NUQ (KVQuant) outlier thresholds and k-means codebooks for the nuq unit', load: async () => (await import('./commands/calibrate-nuq.ts')).calibrateNuqCommand },
];

const usage = () => {
  const width = Math.max(...commands.map((c) => c.name.length));
  return `usage: kvhdl <command> [options]   (kvhdl <command> --help for details)

commands:
${commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}`;
};

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return name ? 0 : 2;
  }
  const entry = commands.find((c) => c.name === name);
  if (!entry) {
    console.error(`kvhdl: unknown command '${name}'\n${usage()}`);
    return 2;
  }
  try {
    const cmd = await entry.load();
    return await cmd.run(rest);
  } catch (e) {
    const { reportError } = await import('./errors.ts');
    return reportError(name, e);
  }
}

const isEntry = process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isEntry) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
