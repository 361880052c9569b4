#!/usr/bin/env node
// kvhdl command-line entry. Runs the build in dist/ (made by `npm run build`, which `npm install`,
// `npm ci` and `npm pack` run through `prepare`). KVHDL_FROM_SOURCE=1 runs the TypeScript sources
// through tsx instead (a development dependency; the tests set it, so they always run the sources).
if (process.env.KVHDL_FROM_SOURCE === '1') {
  const { register } = await import('tsx/esm/api');
  register();
  const { main } = await import('../cli/main.ts');
  process.exitCode = await main(process.argv.slice(2));
} else {
  // Source maps make the Verilog's locator comments name the TypeScript (gen/minmax/rtl.ts:12),
  // as they do when run from the sources; enabled before any kvhdl module loads.
  process.setSourceMapsEnabled(true);
  let mod;
  try {
    mod = await import('../dist/cli/main.js');
  } catch (e) {
    if (e?.code !== 'ERR_MODULE_NOT_FOUND' || !String(e.message).includes('dist/cli/main.js')) throw e;
    process.stderr.write('kvhdl: dist/ is not built; run `npm run build` in the kvhdl package (or set KVHDL_FROM_SOURCE=1)\n');
    process.exit(2);
  }
  process.exitCode = await mod.main(process.argv.slice(2));
}
