// Replays a counterexample written by `kvhdl prove` in Verilator:
//   npx tsx formal/replay-cli.ts <dir>
// Exit 1 when an assertion fails (the counterexample reproduces), 0 when none does, 2 on errors.
import { runReplay } from './replay.ts';
import { compareWithGolden } from './replay-golden.ts';
import { findUnit } from '../gen/registry.ts';
import { parseConfig } from '../gen/config.ts';

const dir = process.argv[2];
if (!dir || process.argv.length > 3) {
  process.stderr.write('usage: npx tsx formal/replay-cli.ts <counterexample dir>\n');
  process.exit(2);
}
try {
  const r = await runReplay(dir);
  // the unit's golden model on the replay's inputs, when the counterexample records its unit
  const unit = r.unit ? findUnit(r.unit.name) : undefined;
  if (r.unit && unit) {
    const config = parseConfig<Record<string, unknown>>(unit, r.unit.config, 'replay.json unit config');
    const g = compareWithGolden(unit, config, unit.build(config), r.txns);
    process.stdout.write(`golden model: ${g.status === 'mismatch' ? 'MISMATCH: ' : ''}${g.detail}\n`);
  }
  if (r.failure) {
    const f = r.failure;
    process.stdout.write(`assertion failed at cycle ${f.cycle} of ${r.steps}: ${f.message} (${f.loc}; ${f.file}:${f.line} in ${f.instance})\n`);
    process.exit(1);
  }
  process.stdout.write(`replayed ${r.steps} cycles: no assertion failed\n`);
  process.exit(0);
} catch (e) {
  process.stderr.write(`replay: ${(e as Error).message}\n`);
  process.exit(2);
}
