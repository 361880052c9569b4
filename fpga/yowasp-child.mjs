// Runs one YoWASP tool (WebAssembly Yosys or nextpnr-ice40) in its own Node process, so that the
// parent can start it through runTool (argument array, timeout, ~0.5-1 GB of memory freed on exit).
//   node fpga/yowasp-child.mjs <yosys|nextpnr-ice40> <dir> -- <tool args...>
// Every regular file in <dir> (flat) is given to the tool as its working directory; files the tool
// writes there are written back to <dir>. The tool's stdout/stderr are passed through; the exit code
// is the tool's.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const [tool, dir, sep, ...args] = process.argv.slice(2);
if (!tool || !dir || sep !== '--') {
  process.stderr.write('usage: node yowasp-child.mjs <yosys|nextpnr-ice40> <dir> -- <args...>\n');
  process.exit(2);
}
const mod = tool === 'yosys' ? await import('@yowasp/yosys') : tool === 'nextpnr-ice40' ? await import('@yowasp/nextpnr-ice40') : null;
if (!mod) {
  process.stderr.write(`yowasp-child: unknown tool ${tool}\n`);
  process.exit(2);
}
const run = tool === 'yosys' ? mod.runYosys : mod.runNextpnrIce40;

/** @type {Record<string, Uint8Array>} */
const files = {};
for (const f of readdirSync(dir)) {
  const p = path.join(dir, f);
  if (statSync(p).isFile()) files[f] = readFileSync(p);
}
const write = (fd) => (bytes) => { if (bytes) writeFileSync(fd, bytes); };
/** @param {Record<string, unknown>} tree */
function writeBack(tree) {
  for (const [name, v] of Object.entries(tree ?? {})) {
    if (typeof v === 'string' || v instanceof Uint8Array) writeFileSync(path.join(dir, name), v);
  }
}
let code = 0;
try {
  writeBack(await run(args, files, { stdout: write(1), stderr: write(2), decodeASCII: false }));
} catch (e) {
  if (e && typeof e === 'object' && 'code' in e && 'files' in e) {
    writeBack(e.files);
    code = Number(e.code) || 1;
  } else {
    // A trap inside the WebAssembly build (e.g. "RuntimeError: unreachable") is a crash of the
    // tool itself: one line naming it; the wasm stack only with KVHDL_DEBUG=1.
    const what = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    process.stderr.write(`${tool} (YoWASP build) crashed: ${what.split('\n')[0]}\n`);
    if (process.env.KVHDL_DEBUG === '1' && e && e.stack) process.stderr.write(`${e.stack}\n`);
    code = 1;
  }
}
process.exit(code);
