/** npm run bench: every benchmark; results in bench/out/<name>.json. */
import { benchElaboration } from './elaboration.ts';
import { benchCosim } from './cosim.ts';
import { benchQuantizer } from './quantizer.ts';

async function main(): Promise<void> {
  benchElaboration();
  await benchCosim();
  await benchQuantizer();
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : e);
  process.exitCode = 1;
});
