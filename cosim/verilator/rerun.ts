// Re-runs a saved co-simulation run directory, usually with a waveform:
//   npx tsx cosim/verilator/rerun.ts <runDir> [--trace fst|vcd] [--window FROM:TO] [--seed N]
//                                             [--stall P] [--backpressure P]
// Prints the report; exit code 0 when the run passes, 1 when it fails, 2 on usage/harness errors.
import { formatReport, rerunFromDir, type CosimOptions } from '../cosim.ts';

function usage(msg: string): never {
  process.stderr.write(`rerun: ${msg}\nusage: npx tsx cosim/verilator/rerun.ts <runDir> [--trace fst|vcd] [--window FROM:TO] [--seed N] [--stall P] [--backpressure P]\n`);
  process.exit(2);
}

const argv = process.argv.slice(2);
let runDir: string | undefined;
const o: CosimOptions = {};
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  const next = (): string => {
    const v = argv[++i];
    if (v === undefined) usage(`missing value after ${a}`);
    return v;
  };
  const num = (v: string): number => {
    const n = Number(v);
    if (!Number.isFinite(n)) usage(`bad number '${v}' for ${a}`);
    return n;
  };
  if (a === '--trace') {
    const v = argv[i + 1];
    if (v === 'fst' || v === 'vcd') {
      o.trace = v;
      i++;
    } else o.trace = 'fst';
  } else if (a === '--window') {
    const m = /^(-?\d+):(-?\d+)$/.exec(next());
    if (!m) usage('--window wants FROM:TO (cycles)');
    o.traceWindow = [Number(m[1]), Number(m[2])];
  } else if (a === '--seed') o.seed = num(next());
  else if (a === '--stall') o.stall = num(next());
  else if (a === '--backpressure') o.backpressure = num(next());
  else if (a.startsWith('-')) usage(`unknown option ${a}`);
  else if (runDir === undefined) runDir = a;
  else usage(`unexpected argument ${a}`);
}
if (!runDir) usage('no run directory given');

try {
  const r = await rerunFromDir(runDir, { ...o, log: (l) => process.stderr.write(`${l}\n`) });
  process.stdout.write(`${formatReport(r)}\n`);
  process.exit(r.ok ? 0 : 1);
} catch (e) {
  process.stderr.write(`rerun: ${(e as Error).message}\n`);
  process.exit(2);
}
