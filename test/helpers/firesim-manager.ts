/**
 * How FireSim's manager finds the files of a build recipe, mirrored from FireSim's sources
 * (firesim/firesim be558e3, files unchanged since 2026-01):
 *
 * - `deploy/firesim` (`__main__`): `os.chdir(os.path.dirname(os.path.abspath(__file__)))`, so every
 *   relative path is taken from the directory of the `firesim` script (`sims/firesim/deploy` in a
 *   Chipyard checkout); `-r` defaults to `config_build_recipes.yaml`, `-b` to `config_build.yaml`.
 * - `deploy/buildtools/buildconfigfile.py`: `open(args.buildrecipesconfigfile)`, and each recipe of
 *   `builds_to_run` becomes a `BuildConfig` with `build_config_recipes_file_path = args.buildrecipesconfigfile`.
 * - `deploy/buildtools/buildconfig.py`: `resolve_path(TARGET_PROJECT_MAKEFRAG, build_config_recipes_file_path)`,
 *   raising "Unable to find TARGET_PROJECT_MAKEFRAG (...)" on None; `open(bit_builder_recipe)`.
 * - `deploy/util/targetprojectutils.py` `resolve_path(path, base_file)`: `Path(path)` if it exists
 *   (relative to the working directory), else `Path(base_file).absolute().parent / path` if that
 *   exists, else None.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';

/** `resolve_path(p, baseFile)` run in `cwd`. */
export function resolvePath(cwd: string, p: string, baseFile: string): string | undefined {
  const direct = path.resolve(cwd, p);
  if (existsSync(direct)) return direct;
  const viaBase = path.resolve(path.dirname(path.resolve(cwd, baseFile)), p);
  return existsSync(viaBase) ? viaBase : undefined;
}

export interface ManagerRecipe {
  /** the directory the manager runs in */
  cwd: string;
  /** the absolute makefrag path, or the manager's error */
  makefrag: string | { error: string };
  /** `bit_builder_recipe` as the manager opens it */
  bitBuilder: string;
}

/**
 * What `firesim buildbitstream -r <recipesArg>` does with recipe `name`, the manager being the
 * script `managerScript`. Throws where the manager would fail to open a file or find the recipe.
 */
export function managerRecipe(managerScript: string, recipesArg: string, name: string): ManagerRecipe {
  const cwd = path.dirname(path.resolve(managerScript));
  const recipesFile = path.resolve(cwd, recipesArg);
  if (!existsSync(recipesFile)) throw new Error(`FileNotFoundError: ${recipesArg} (from ${cwd})`);
  const recipes = parse(readFileSync(recipesFile, 'utf8')) as Record<string, Record<string, unknown>>;
  const recipe = recipes[name];
  if (!recipe) throw new Error(`KeyError: '${name}' is not a recipe of ${recipesArg}`);
  const frag = recipe.TARGET_PROJECT_MAKEFRAG as string;
  const resolved = resolvePath(cwd, frag, recipesArg);
  return {
    cwd,
    makefrag: resolved ?? { error: `Unable to find TARGET_PROJECT_MAKEFRAG (${frag}) either as an absolute path or relative to ${recipesArg}` },
    bitBuilder: path.resolve(cwd, recipe.bit_builder_recipe as string),
  };
}
