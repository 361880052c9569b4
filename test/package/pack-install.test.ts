/**
 * What a user does with the package: `npm pack`, install the tarball into a fresh project, write a
 * module with `import { ModuleBuilder } from 'kvhdl/hdl'` and run it with plain node (no tsx),
 * type-check it with tsc against the shipped .d.ts, and run the installed `kvhdl` there.
 * Needs the npm registry (or npm's cache: --prefer-offline) for kvhdl's dependencies.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import * as path from 'node:path';
import { computeUnitListings } from '../../cli/unit-listing.ts';
import { readNpy, writeNpy } from '../../data/npy.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const TSC = path.join(ROOT, 'node_modules', '.bin', 'tsc');
// The installed package runs its build (dist/), never the sources through tsx.
const env = { KVHDL_FROM_SOURCE: '0', npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };

let tmp: string;
let proj: string;

const USER_MODULE = `import { Bool, ModuleBuilder, SInt, moduleName, emitModule } from 'kvhdl/hdl';
import { counter } from 'kvhdl/hdl/lib';
import { FP16 } from 'kvhdl/hdl/lib/float';
import { units, findUnit, parseConfig } from 'kvhdl/gen';
import { OutputSet } from 'kvhdl/output';
import { runUnit } from 'kvhdl/flow';

export function accumulator(width: number) {
  const m = new ModuleBuilder(moduleName('kv_acc', { w: width }));
  const x = m.input('x', SInt(width));
  const en = m.input('en', Bool);
  const sum = m.output('sum', SInt(width + 4));
  const acc = m.reg('acc', SInt(width + 4), { reset: 0 });
  m.when(en, () => acc.set(acc.addWrap(x.sext(width + 4))));
  sum.set(acc);
  return m.build();
}

const minmax = parseConfig<{ lanes: number }>(findUnit('minmax')!, {});
const lib = [typeof counter, typeof OutputSet, typeof runUnit, FP16.width].join(',');
console.log(JSON.stringify({ units: units.map((u) => u.name), lanes: minmax.lanes, lib }));
console.log(emitModule(accumulator(8)));
`;

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'kvhdl-pack-'));
  // npm pack runs prepare (the build) and packs the files package.json lists.
  await execa('npm', ['pack', '--pack-destination', tmp], { cwd: ROOT, env, timeout: 300_000 });
  const tgz = readdirSync(tmp).find((f) => f.endsWith('.tgz'));
  expect(tgz).toBeDefined();
  proj = path.join(tmp, 'proj');
  mkdirSync(proj);
  writeFileSync(path.join(proj, 'package.json'), JSON.stringify({ name: 'user-project', private: true, type: 'module' }));
  await execa('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', path.join(tmp, tgz!)], { cwd: proj, env, timeout: 300_000 });
}, 600_000);

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** Every file under `dir` (relative path -> bytes). */
function tree(dir: string, rel = ''): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const e of readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    const r = path.join(rel, e.name);
    if (e.isDirectory()) for (const [k, v] of tree(dir, r)) out.set(k, v);
    else out.set(r, readFileSync(path.join(dir, r)));
  }
  return out;
}

describe('the build (dist/, made by npm pack above)', () => {
  it('generates the same bytes as the sources: gen --all through bin/kvhdl.js both ways', async () => {
    const bin = path.join(ROOT, 'bin', 'kvhdl.js');
    const [a, b] = [path.join(tmp, 'gen-dist'), path.join(tmp, 'gen-src')];
    await execa('node', [bin, 'gen', '--all', '--out', a], { cwd: ROOT, env, timeout: 120_000 });
    await execa('node', [bin, 'gen', '--all', '--out', b], { cwd: ROOT, env: { KVHDL_FROM_SOURCE: '1' }, timeout: 120_000 });
    const [ta, tb] = [tree(a), tree(b)];
    expect([...ta.keys()].sort()).toEqual([...tb.keys()].sort());
    expect(ta.size).toBeGreaterThan(10);
    for (const [k, v] of ta) expect(v.equals(tb.get(k)!), k).toBe(true);
    // Locator comments name the TypeScript, relative to the working directory.
    expect(ta.get(path.join('minmax', 'kv_minmax_p8_w16_s1.v'))!.toString()).toMatch(/\/\/ gen\/minmax\/rtl\.ts:\d+\n/);
  });
});

describe('kvhdl installed from its tarball into a fresh project', () => {
  it('ships the build and not the development set-up', () => {
    const pkg = path.join(proj, 'node_modules', 'kvhdl');
    expect(existsSync(path.join(pkg, 'dist', 'hdl', 'index.js'))).toBe(true);
    expect(existsSync(path.join(pkg, 'dist', 'hdl', 'index.d.ts'))).toBe(true);
    expect(existsSync(path.join(pkg, 'dist', 'cli', 'unit-listing.json'))).toBe(true);
    expect(existsSync(path.join(pkg, 'test'))).toBe(false);
    expect(existsSync(path.join(proj, 'node_modules', 'tsx'))).toBe(false);
  });

  it('a module importing kvhdl/hdl runs under plain node', async () => {
    writeFileSync(path.join(proj, 'acc.mjs'), USER_MODULE.replace(/<\{ lanes: number \}>|!(?=,)|\(width: number\)/g, (m) => (m === '(width: number)' ? '(width)' : '')));
    const r = await execa('node', ['acc.mjs'], { cwd: proj, env, timeout: 60_000 });
    const [info, ...verilog] = r.stdout.split('\n');
    expect(JSON.parse(info)).toEqual({ units: expect.arrayContaining(['minmax', 'quantizer', 'selector']), lanes: 8, lib: 'function,function,function,16' });
    const v = verilog.join('\n');
    expect(v).toContain('module kv_acc_w8 (');
    expect(v).toContain('acc <= acc + {{4{x[7]}}, x}; // acc.mjs:14');
  });

  it("the README's library example runs as shown", async () => {
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const example = /```js\n(\/\/ my-module\.mjs[\s\S]*?)```/.exec(readme);
    expect(example).not.toBeNull();
    writeFileSync(path.join(proj, 'my-module.mjs'), example![1]);
    const r = await execa('node', ['my-module.mjs'], { cwd: proj, env, timeout: 60_000 });
    expect(r.stdout).toContain('module kv_acc_w8 (');
    expect(r.stdout).toContain('assign sum = acc; // my-module.mjs:9');
  });

  it('the same module type-checks with tsc against the shipped .d.ts, and a type error is caught', async () => {
    writeFileSync(path.join(proj, 'acc.ts'), USER_MODULE);
    writeFileSync(path.join(proj, 'bad.ts'), `import { SInt } from 'kvhdl/hdl';\nexport const t = SInt('8');\n`);
    const tsconfig = (files: string[]) =>
      JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: false, types: [] }, files });
    writeFileSync(path.join(proj, 'tsconfig.json'), tsconfig(['acc.ts']));
    const ok = await execa(TSC, ['-p', '.'], { cwd: proj, env, reject: false, timeout: 120_000 });
    expect(ok.stdout + ok.stderr).toBe('');
    expect(ok.exitCode).toBe(0);
    writeFileSync(path.join(proj, 'tsconfig.json'), tsconfig(['bad.ts']));
    const bad = await execa(TSC, ['-p', '.'], { cwd: proj, env, reject: false, timeout: 120_000 });
    expect(bad.exitCode).not.toBe(0);
    expect(bad.stdout).toContain("bad.ts(2,23): error TS2345: Argument of type 'string' is not assignable to parameter of type 'number'.");
  });

  it('npx kvhdl gen writes through the output layer; list, --help and the runtime files work from the build', async () => {
    const kvhdl = (args: string[]) => execa('npx', ['kvhdl', ...args], { cwd: proj, env, reject: false, timeout: 120_000 });
    const gen = await kvhdl(['gen', 'minmax']);
    expect(gen.exitCode).toBe(0);
    expect(gen.stdout).toBe('minmax: kv_minmax_p8_w16_s1 (2 modules) -> rtl-out/minmax');
    const dir = path.join(proj, 'rtl-out', 'minmax');
    expect(readdirSync(dir).sort()).toEqual(['.kvhdl-written.json', 'kv_minmax_p8_w16_s1.v', 'kv_skid_w129.v', 'manifest.json']);
    // Locator comments name kvhdl's TypeScript (source maps), also from node_modules.
    expect(readFileSync(path.join(dir, 'kv_minmax_p8_w16_s1.v'), 'utf8')).toMatch(/\/\/ node_modules\/kvhdl\/gen\/minmax\/rtl\.ts:\d+\n/);
    // A file kvhdl did not write is never overwritten.
    const mine = path.join(proj, 'mine', 'kv_skid_w129.v');
    mkdirSync(path.dirname(mine));
    writeFileSync(mine, 'user file\n');
    const refused = await kvhdl(['gen', 'minmax', '--out', 'mine']);
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toBe(`kvhdl gen: refusing to overwrite ${mine}: kvhdl did not write it, or it was edited since; move it away or choose another output directory`);
    expect(readFileSync(mine, 'utf8')).toBe('user file\n');
    expect(readdirSync(path.dirname(mine))).toEqual(['kv_skid_w129.v']);

    const list = await kvhdl(['list', '--json']);
    expect(list.exitCode).toBe(0);
    expect(JSON.parse(list.stdout)).toEqual(await computeUnitListings());
    const help = await execa(path.join(proj, 'node_modules', '.bin', 'kvhdl'), ['--help'], { cwd: proj, env, timeout: 60_000 });
    expect(help.stdout).toMatch(/^ {2}handoff .*Vivado.*FuseSoC.*FireSim/m);

    // The non-TypeScript files the runtime reads are found from the installed build.
    const probe = `
      const pkg = ${JSON.stringify(path.join(proj, 'node_modules', 'kvhdl', 'dist'))};
      const { runtimeFiles, runtimeSources } = await import(pkg + '/cosim/verilator/runtime.js');
      const { HARNESS_DIR } = await import(pkg + '/fpga/firesim/harness.js');
      const { cacheRoot } = await import(pkg + '/cosim/cache-root.js');
      const fs = await import('node:fs');
      console.log(JSON.stringify({ runtime: runtimeFiles().length, tb: runtimeSources().at(-1), harness: fs.readdirSync(HARNESS_DIR).sort(), cache: cacheRoot() }));`;
    const p = await execa('node', ['--input-type=module', '-e', probe], { cwd: proj, env: { ...env, KVHDL_CACHE_DIR: '' }, timeout: 60_000 });
    const found = JSON.parse(p.stdout) as { runtime: number; tb: string; harness: string[]; cache: string };
    expect(found.runtime).toBe(readdirSync(path.join(ROOT, 'cosim', 'verilator', 'runtime')).filter((n) => /\.(h|cpp)$/.test(n)).length);
    expect(found.tb).toBe('tb.cpp');
    expect(found.harness).toEqual(readdirSync(path.join(ROOT, 'fpga', 'firesim', 'harness')).sort());
    expect(existsSync(path.join(proj, 'node_modules', 'kvhdl', 'fpga', 'yowasp-child.mjs'))).toBe(true);
  });

  it('npx kvhdl cosim builds the Verilator testbench from the installed runtime C++ and checks the golden model', async () => {
    const groups = [[-40, 3, 7, -2], [5, 5, 100, -100]];
    writeFileSync(path.join(proj, 'x.npy'), writeNpy({ dtype: 'int64', shape: [2, 4], data: BigInt64Array.from(groups.flat().map(BigInt)) }));
    writeFileSync(path.join(proj, 'mm.json'), JSON.stringify({ lanes: 2, width: 8 }));
    const r = await execa('npx', ['kvhdl', 'cosim', 'minmax', '--config', 'mm.json', '--in', 'x.npy', '--out-dir', 'co'], { cwd: proj, env, reject: false, timeout: 600_000 });
    expect(r.stderr.split('\n').filter((l) => !/^kvhdl( cosim)?: (building |minmax: )/.test(l))).toEqual([]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^cosim minmax: ok \(verilator, /);
    const min = readNpy(readFileSync(path.join(proj, 'co', 'min.npy')));
    expect(Array.from(min.data as BigInt64Array, Number)).toEqual([-40, -100]);
  }, 600_000);
});
