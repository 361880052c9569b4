/**
 * The FireSim build recipe of a package and where it goes in a Chipyard checkout.
 *
 * FireSim's manager (`sims/firesim/deploy/firesim`) changes into its own directory, opens the `-r`
 * recipe file from there, and resolves a relative TARGET_PROJECT_MAKEFRAG first against that
 * directory and then against the directory of the recipe file (`resolve_path` in
 * `deploy/util/targetprojectutils.py`, called from `deploy/buildtools/buildconfig.py`). Chipyard's
 * own recipes live in `sims/firesim-staging/` with the makefrag path relative to that directory, and
 * FireSim's docs pass them with `-r ${CY_DIR}/sims/firesim-staging/...`. The package's recipe goes
 * beside them, as its own file, so the same relative path is right; the README tells the user to pass
 * it with `-r` (the manager's default, `deploy/config_build_recipes.yaml`, is one directory deeper and
 * would make the path miss).
 */
import type { FiresimDesign } from './design.ts';
import { identOf } from './design.ts';
import { scalaNames } from './scala.ts';

/** Where the recipe goes, relative to the root of a Chipyard checkout (the directory of Chipyard's sample recipes). */
export const RECIPE_DIR = 'sims/firesim-staging';

/** The directory FireSim's manager runs in (it changes into the directory of its `firesim` script). */
export const MANAGER_DIR = 'sims/firesim/deploy';

/** TARGET_PROJECT_MAKEFRAG, relative to RECIPE_DIR: Chipyard's `generators/firechip/chip/src/main/makefrag/firesim`. */
export const MAKEFRAG = '../../generators/firechip/chip/src/main/makefrag/firesim';

/** The recipe's file name in RECIPE_DIR (its own file: Chipyard's sample file stays untouched). */
export function recipeFileName(d: FiresimDesign): string {
  return `kvhdl_${identOf(d.unit)}_build_recipes.yaml`;
}

/** `${CY_DIR}/sims/firesim-staging/kvhdl_<unit>_build_recipes.yaml`: the `-r` argument of every manager command. */
export function recipeArg(d: FiresimDesign): string {
  return `\${CY_DIR}/${RECIPE_DIR}/${recipeFileName(d)}`;
}

/** The recipe file (package path firesim/config_build_recipes.yaml). */
export function buildRecipe(d: FiresimDesign): string {
  const n = scalaNames(d);
  return `# kvhdl ${d.unit} accelerator (${d.top}).
# Copy to ${RECIPE_DIR}/${recipeFileName(d)} of your Chipyard checkout (beside Chipyard's
# sample_config_build_recipes.yaml): TARGET_PROJECT_MAKEFRAG is relative to this file's directory
# there. Pass it to every manager command with
#   -r ${recipeArg(d)}
# and list ${n.recipe} under builds_to_run in ${MANAGER_DIR}/config_build.yaml.
${n.recipe}:
    PLATFORM: f2
    TARGET_PROJECT: firesim
    TARGET_PROJECT_MAKEFRAG: ${MAKEFRAG}
    DESIGN: FireSim
    TARGET_CONFIG: ${n.targetConfig}
    PLATFORM_CONFIG: BaseF2Config
    deploy_quintuplet: null
    platform_config_args:
        fpga_frequency: 60
        build_strategy: TIMING
    post_build_hook: null
    metasim_customruntimeconfig: null
    bit_builder_recipe: bit-builder-recipes/f2.yaml
`;
}
