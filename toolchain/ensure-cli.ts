// npm `pretest`: make sure verilator, iverilog, yosys and ccache are runnable (installing them with
// apt-get when running as root). On failure: one line on stderr, exit code 1, no stack trace.
import { ALL_TOOLS, ensureTools } from './tools.ts';

try {
  await ensureTools(ALL_TOOLS);
} catch (e) {
  const msg = (e as Error).message ?? String(e);
  process.stderr.write(`${msg.startsWith('kvhdl:') ? msg : `kvhdl: ${msg}`}\n`);
  process.exit(1);
}
