/**
 * `kvhdl handoff firesim`: writes the FireSim / Chipyard package of a unit configuration.
 *
 *   <out>/vsrc/<top>.v                          -> generators/chipyard/src/main/resources/vsrc/
 *   <out>/scala/Kvhdl<Unit>.scala               -> generators/chipyard/src/main/scala/example/
 *   <out>/scala/Kvhdl<Unit>Configs.scala        -> generators/chipyard/src/main/scala/config/
 *   <out>/tests/kvhdl_<unit>{.c,.h,_regs.h,_data.h}  -> tests/
 *   <out>/firesim/config_build_recipes.yaml     -> sims/firesim-staging/kvhdl_<unit>_build_recipes.yaml (manager's -r)
 *   <out>/firesim/TARGET_CONFIG
 *   <out>/README.md, <out>/manifest.json, <out>/docs/<unit>.md (the unit's README)
 */
import { readFileSync } from 'node:fs';
import { OutputSet } from '../../output/index.ts';
import { packageFile } from '../../toolchain/package-root.ts';
import * as path from 'node:path';
import type { AnyUnit } from '../../gen/unit.ts';
import { portsOf } from '../../hdl/ports/from-module.ts';
import { firesimDesign, identOf, type FiresimDesign } from './design.ts';
import { shellJob, type ShellJob } from './golden.ts';
import { cDriverHeader, cRegsHeader } from './c-header.ts';
import { cTest, cTestData } from './c-test.ts';
import { scalaBlock, scalaConfig, scalaNames } from './scala.ts';
import { buildRecipe } from './recipe.ts';
import { firesimReadme } from './readme.ts';

export interface FiresimHandoffOptions {
  unit: AnyUnit;
  /** Validated configuration. */
  config: unknown;
  out: string;
  /** Seed of the test tensor (default 1). */
  seed?: number;
  /** The command's input files by option, never to be overwritten (e.g. {'--config': 'f.json'}). */
  inputs?: Record<string, string>;
}

export interface FiresimHandoff {
  design: FiresimDesign;
  job: ShellJob;
  files: Record<string, string>;
  verilogFile: string;
  testC: string;
  testDir: string;
}

/** Every file of the package, by path relative to the package root. */
export function firesimFiles(d: FiresimDesign, job: ShellJob): Record<string, string> {
  const n = scalaNames(d);
  const p = `kvhdl_${identOf(d.unit)}`;
  const files: Record<string, string> = {
    [`vsrc/${d.top}.v`]: d.verilog,
    [`scala/${n.cls}.scala`]: scalaBlock(d),
    [`scala/${n.cls}Configs.scala`]: scalaConfig(d),
    [`tests/${p}_regs.h`]: cRegsHeader(d),
    [`tests/${p}.h`]: cDriverHeader(d),
    [`tests/${p}_data.h`]: cTestData(d, job),
    [`tests/${p}.c`]: cTest(d, job),
    'firesim/config_build_recipes.yaml': buildRecipe(d),
    'firesim/TARGET_CONFIG': `${n.targetConfig}\n`,
  };
  files['README.md'] = firesimReadme(d, job);
  // The unit's normative README, so the package's field meanings need no kvhdl checkout.
  files[`docs/${d.unit}.md`] = readFileSync(packageFile(`gen/${d.unit}/README.md`), 'utf8');
  files['manifest.json'] = `${JSON.stringify(
    {
      generator: GENERATOR,
      unit: d.unit,
      config: d.config,
      top: d.top,
      tag: d.tag,
      unitTop: d.unitTop,
      modules: d.modules,
      ports: portsOf(d.shell),
      registers: d.regs,
      layout: d.layout,
      testShape: { rows: job.rows, cols: job.cols },
    },
    null,
    2,
  )}\n`;
  return files;
}

const GENERATOR = 'kvhdl handoff firesim';
export function writeFiresimHandoff(o: FiresimHandoffOptions): FiresimHandoff {
  const design = firesimDesign(o.unit, o.config);
  // data-framed profiles give the whole stimulus (testStimulus), which fixes rows and cols
  const { rows, cols } = design.profile.testShape?.(o.config) ?? { rows: 0, cols: 1 };
  const job = shellJob(o.unit, design, rows, cols, o.seed ?? 1);
  const files = firesimFiles(design, job);
  // Files of an earlier package that this one no longer has are removed if unedited; a user's own
  // files (say, a test added to tests/) are never touched (output/README.md).
  const out = new OutputSet(o.out, { command: 'kvhdl handoff firesim', kind: 'set', inputs: o.inputs });
  for (const [rel, text] of Object.entries(files)) out.put(rel, text);
  out.commit();
  const p = `kvhdl_${identOf(design.unit)}`;
  return {
    design,
    job,
    files,
    verilogFile: path.join(o.out, 'vsrc', `${design.top}.v`),
    testC: path.join(o.out, 'tests', `${p}.c`),
    testDir: path.join(o.out, 'tests'),
  };
}
