// The FireSim build recipe of a package, installed as its README says into a synthetic Chipyard
// checkout, and resolved the way FireSim's manager resolves it (test/helpers/firesim-manager.ts).
import { afterAll, describe, expect, it } from 'vitest';
import { copyFileSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { findUnit } from '../../gen/registry.ts';
import { firesimDesign } from '../../fpga/firesim/design.ts';
import { shellJob } from '../../fpga/firesim/golden.ts';
import { firesimFiles } from '../../fpga/firesim/package.ts';
import { scalaNames } from '../../fpga/firesim/scala.ts';
import { managerRecipe } from '../helpers/firesim-manager.ts';

const made: string[] = [];
afterAll(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

/** The files of a Chipyard checkout (e602d91, FireSim at sims/firesim) that the recipe's paths reach. */
function chipyardCheckout(): string {
  const cy = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'kvhdl-chipyard-')));
  made.push(cy);
  const files = [
    'sims/firesim/deploy/firesim',
    'sims/firesim/deploy/config_build_recipes.yaml',
    'sims/firesim/deploy/config_build.yaml',
    'sims/firesim/deploy/bit-builder-recipes/f2.yaml',
    'sims/firesim-staging/sample_config_build_recipes.yaml',
    ...['build.mk', 'config.mk', 'driver.mk', 'metasim.mk'].map((f) => `generators/firechip/chip/src/main/makefrag/firesim/${f}`),
  ];
  for (const f of files) {
    mkdirSync(path.dirname(path.join(cy, f)), { recursive: true });
    writeFileSync(path.join(cy, f), '');
  }
  return cy;
}

function packageOf(unit: string, config: Record<string, unknown>) {
  const u = findUnit(unit)!;
  const cfg = u.schema.parse(config);
  const d = firesimDesign(u, cfg);
  const { rows, cols } = d.profile.testShape?.(cfg) ?? { rows: 0, cols: 1 };
  const files = firesimFiles(d, shellJob(u, d, rows, cols, 1));
  const pkg = mkdtempSync(path.join(os.tmpdir(), 'kvhdl-firesim-pkg-'));
  made.push(pkg);
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(pkg, rel)), { recursive: true });
    writeFileSync(path.join(pkg, rel), text);
  }
  return { d, files, pkg };
}

/** The README's step: `cp $PKG/<file> <destination>` (destination relative to the checkout root). */
function copyStep(readme: string, file: string): string {
  const m = new RegExp(`^\\s*cp \\$PKG/${file.replace(/\./g, '\\.')} (\\S+)$`, 'm').exec(readme);
  if (!m) throw new Error(`the README has no 'cp $PKG/${file} ...'`);
  return m[1];
}

const CHECKOUT_MAKEFRAG = 'generators/firechip/chip/src/main/makefrag/firesim';

describe.each([
  { unit: 'minmax', config: { lanes: 2, width: 8 } },
  { unit: 'selector', config: {} },
])('FireSim recipe of $unit', ({ unit, config }) => {
  const { d, files, pkg } = packageOf(unit, config);
  const readme = files['README.md'];
  const name = scalaNames(d).recipe;

  it("resolves TARGET_PROJECT_MAKEFRAG to the checkout's firechip makefrag directory, installed and built as the README says", () => {
    const cy = chipyardCheckout();
    // step 5: the copy, then the -r argument of firesim buildbitstream with CY_DIR (set by env.sh) = the checkout root
    const dest = copyStep(readme, 'firesim/config_build_recipes.yaml');
    expect(path.isAbsolute(dest)).toBe(false);
    copyFileSync(path.join(pkg, 'firesim/config_build_recipes.yaml'), path.join(cy, dest));
    const r = /^\s*firesim buildbitstream -r (\S+)$/m.exec(readme)?.[1];
    expect(r).toBeDefined();
    const rArg = r!.replace('${CY_DIR}', cy);
    // builds_to_run in the manager's config_build.yaml names this recipe
    expect(readme).toMatch(new RegExp(`builds_to_run:\\n\\s+- ${name}\\n`));
    expect(readme).toContain('`sims/firesim/deploy/config_build.yaml`');

    const m = managerRecipe(path.join(cy, 'sims/firesim/deploy/firesim'), rArg, name);
    expect(m.makefrag).toBe(path.join(cy, CHECKOUT_MAKEFRAG));
    expect(m.bitBuilder).toBe(path.join(cy, 'sims/firesim/deploy/bit-builder-recipes/f2.yaml'));
    // every -r in the README is the same file
    const rs = [...readme.matchAll(/-r (\S+?)`?(?:\s|$)/g)].map((x) => x[1]);
    expect(rs.length).toBeGreaterThanOrEqual(2);
    expect(new Set(rs)).toEqual(new Set([r]));
  });

  it("the same entry in the manager's default recipe file (deploy/config_build_recipes.yaml) misses: the check can fail", () => {
    const cy = chipyardCheckout();
    copyFileSync(path.join(pkg, 'firesim/config_build_recipes.yaml'), path.join(cy, 'sims/firesim/deploy/config_build_recipes.yaml'));
    const m = managerRecipe(path.join(cy, 'sims/firesim/deploy/firesim'), 'config_build_recipes.yaml', name);
    expect(m.makefrag).toEqual({ error: expect.stringMatching(/^Unable to find TARGET_PROJECT_MAKEFRAG \(\.\.\/\.\.\/generators\/firechip/) });
    // and a relative -r is opened from the manager's directory, not from the caller's
    expect(() => managerRecipe(path.join(cy, 'sims/firesim/deploy/firesim'), `sims/firesim-staging/x.yaml`, name)).toThrow(/FileNotFoundError/);
  });

  it('the recipe file is valid YAML with one entry whose TARGET_CONFIG is the package\'s', () => {
    const text = files['firesim/config_build_recipes.yaml'];
    expect(text).toMatch(new RegExp(`^${name}:$`, 'm'));
    expect(text).toContain(`TARGET_CONFIG: ${scalaNames(d).targetConfig}`);
    expect(text).toContain(`TARGET_PROJECT_MAKEFRAG: ../../${CHECKOUT_MAKEFRAG}`);
    expect(readme).not.toMatch(/append .*to\s+`sims\/firesim\/deploy\/config_build_recipes\.yaml`/);
  });
});
