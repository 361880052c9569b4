/**
 * The two back ends that run Yosys and nextpnr-ice40 for fpga/: the pinned YoWASP WebAssembly
 * builds from npm (`@yowasp/yosys`, `@yowasp/nextpnr-ice40`, the reference: same numbers on every
 * machine) or the system binaries (`yosys`, `nextpnr-ice40` on PATH, faster, but their versions vary
 * with the distribution). YoWASP tools run in a child Node process (fpga/yowasp-child.mjs) started
 * through runTool, so they get an argument array, a timeout, and their memory back on exit.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { packageFile } from '../toolchain/package-root.ts';
import { runTool, type RunToolResult } from '../toolchain/run-tool.ts';

export type EdaBackend = 'yowasp' | 'native';
export type EdaTool = 'yosys' | 'nextpnr-ice40';

const CHILD = packageFile('fpga/yowasp-child.mjs');
const NPM_PACKAGE: Record<EdaTool, string> = { yosys: '@yowasp/yosys', 'nextpnr-ice40': '@yowasp/nextpnr-ice40' };

/** `$KVHDL_EDA_BACKEND` (`yowasp` or `native`), default `yowasp`. */
export function defaultBackend(): EdaBackend {
  const v = process.env.KVHDL_EDA_BACKEND;
  if (v === undefined || v === '' || v === 'yowasp') return 'yowasp';
  if (v === 'native') return 'native';
  throw new Error(`KVHDL_EDA_BACKEND must be 'yowasp' or 'native', got '${v}'`);
}

/**
 * Runs `tool args` with `dir` as its working directory. YoWASP: every file in `dir` is visible to
 * the tool and every file it writes lands in `dir` (flat directory only).
 */
export function runEda(tool: EdaTool, args: readonly string[], dir: string, opts: { backend: EdaBackend; timeoutMs?: number }): Promise<RunToolResult> {
  const timeoutMs = opts.timeoutMs ?? 15 * 60 * 1000;
  if (opts.backend === 'native') return runTool(tool, args, { cwd: dir, timeoutMs });
  return runTool(process.execPath, [CHILD, tool, dir, '--', ...args], { cwd: dir, timeoutMs });
}

const versionMemo = new Map<string, Promise<string>>();

/**
 * The version that identifies a tool's results: `@yowasp/yosys 0.55.944` (the npm package, which
 * pins the upstream version and build) or the native tool's own first version line.
 */
export function edaVersion(tool: EdaTool, backend: EdaBackend): Promise<string> {
  const key = `${backend}:${tool}`;
  let p = versionMemo.get(key);
  if (!p) {
    p = (async () => {
      if (backend === 'yowasp') {
        const require = createRequire(import.meta.url);
        // The packages export only their bundle (gen/bundle.js); package.json sits one level up.
        const pkgFile = path.join(path.dirname(require.resolve(NPM_PACKAGE[tool])), '..', 'package.json');
        const pkg = JSON.parse(readFileSync(pkgFile, 'utf8')) as { version: string };
        return `${NPM_PACKAGE[tool]} ${pkg.version}`;
      }
      const r = await runTool(tool, [tool === 'yosys' ? '-V' : '--version'], { timeoutMs: 60_000 });
      const line = `${r.stdout}\n${r.stderr}`.split('\n').map((l) => l.trim()).find((l) => l.length > 0);
      if (r.exitCode !== 0 || !line) throw new Error(`${tool} is not available (${r.command} exited ${r.exitCode}${r.spawnError ? `: ${r.spawnError}` : ''})`);
      return line;
    })();
    p.catch(() => versionMemo.delete(key));
    versionMemo.set(key, p);
  }
  return p;
}
