/** npm run bench: every benchmark; results in bench/out/<name>.json. */
import { benchElaboration } from './elaboration.ts';
import { benchCosim } from './cosim.ts';
import { benchCosimIcarus } from './cosim-icarus.ts';
import { benchQuantizer } from './quantizer.ts';
import { benchSelector } from './selector.ts';
import { benchEarlyexit } from './earlyexit.ts';
import { benchFiresim } from './firesim.ts';
import { benchAttentionGolden } from './attention-golden.ts';
import { benchAttentionRtl } from './attention-rtl.ts';
import { benchAttentionAccuracy } from './attention-accuracy.ts';
import { benchAttentionValuesNuq } from './attention-values-nuq.ts';
import { benchNuq } from './nuq.ts';
import { benchCliStartup } from './cli-startup.ts';
import { benchFloatOpLevels, benchUnitLevels } from './levels.ts';

async function main(): Promise<void> {
  benchCliStartup(); // builds dist/, then ~1 min of process starts
  benchElaboration();
  await benchCosim();
  await benchCosimIcarus(); // Icarus build/run split: a cold and a cached run of two units, ~15 s
  await benchQuantizer();
  await benchSelector();
  await benchEarlyexit();
  benchAttentionGolden(); // golden model only, ~5 s
  benchAttentionAccuracy(); // golden model, bits x keep grid, ~20 s
  benchAttentionValuesNuq(); // golden model, KIVI vs NUQ values, ~15 s
  await benchAttentionRtl(); // Verilator, default config (cold build ~1–2 min)
  await benchNuq(); // golden reconstruction (~20 s) and one Verilator run
  await benchFiresim();
  await benchUnitLevels(); // xc7 synthesis of every unit's default config (cached; cold: minutes per unit)
  await benchFloatOpLevels();
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : e);
  process.exitCode = 1;
});
