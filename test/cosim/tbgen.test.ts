// The Verilator testbench: the generated design header (golden text) and the fixed runtime
// (compiles on its own with every warning an error).
import { describe, expect, it } from 'vitest';
import os from 'node:os';
import path from 'node:path';
import type { DesignUnderTest, FieldSpec, PortSpec, StreamSpec } from '../../hdl/ports/design.ts';
import { generateTestbench } from '../../cosim/verilator/tbgen.ts';
import { RUNTIME_DIR, runtimeFiles } from '../../cosim/verilator/runtime.ts';
import { runTool } from '../../toolchain/run-tool.ts';

const u = (name: string, width: number): FieldSpec => ({ name, width, signed: false });
const s = (name: string, width: number): FieldSpec => ({ name, width, signed: true });

/** A design with one port of every kind the header handles: narrow, 33-64 and wide fields, plain ports, a memory. */
function tinyDesign(): DesignUnderTest {
  const streams: StreamSpec[] = [
    { name: 'a', dir: 'in', fields: [u('x', 3), u('w', 70)] },
    { name: 'q', dir: 'out', fields: [s('y', 40)] },
    { name: 'mem_req', dir: 'out', fields: [u('addr', 10)] },
    { name: 'mem_resp', dir: 'in', fields: [u('data', 32)] },
  ];
  const ports: PortSpec[] = [
    { name: 'clock', dir: 'input', width: 1, signed: false },
    { name: 'reset', dir: 'input', width: 1, signed: false },
    { name: 'mode', dir: 'input', width: 2, signed: false },
    { name: 'status', dir: 'output', width: 8, signed: false },
  ];
  for (const st of streams) {
    const inward = st.dir === 'in';
    ports.push({ name: `${st.name}_valid`, dir: inward ? 'input' : 'output', width: 1, signed: false });
    ports.push({ name: `${st.name}_ready`, dir: inward ? 'output' : 'input', width: 1, signed: false });
    for (const f of st.fields) ports.push({ name: `${st.name}_${f.name}`, dir: inward ? 'input' : 'output', width: f.width, signed: f.signed });
  }
  const memories = [{ name: 'keys', request: 'mem_req', addressField: 'addr', response: 'mem_resp', dataField: 'data', wordWidth: 32 }];
  return { top: 'kv_tiny', files: ['/nonexistent/kv_tiny.v'], clock: 'clock', reset: 'reset', ports, streams, memories };
}

describe('Verilator testbench', () => {
  it('generates only a small design header (golden text: test/fixtures/verilator/tb_design.kv_tiny.golden.h)', async () => {
    await expect(generateTestbench(tinyDesign())).toMatchFileSnapshot('../fixtures/verilator/tb_design.kv_tiny.golden.h');
  });

  it('the fixed runtime compiles on its own with -Wall -Wextra -Werror', async () => {
    const sources = runtimeFiles()
      .map((f) => f.name)
      .filter((n) => n.endsWith('.cpp') && n !== 'tb.cpp'); // tb.cpp includes the model and the generated header
    expect(sources.length).toBeGreaterThan(0);
    for (const src of sources) {
      const r = await runTool(process.env.CXX ?? 'g++', ['-std=c++17', '-Wall', '-Wextra', '-Werror', '-fsyntax-only', path.join(RUNTIME_DIR, src)], {
        timeoutMs: 120_000,
        cwd: os.tmpdir(),
      });
      expect(r.stderr, src).toBe('');
      expect(r.exitCode, src).toBe(0);
    }
  });
});
