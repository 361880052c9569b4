/**
 * Tests ask for the external tools they run themselves (there is no global setup, so the pure DSL
 * tests run without Verilator): `needTools('numpy')` at the top of a test file makes sure the tools
 * are runnable before its tests (installing them with apt-get when running as root, like
 * `npm pretest`). Library calls (cosim, lint, Icarus, Yosys, the FireSim harness) ensure their
 * own tools.
 */
import { beforeAll } from 'vitest';
import { ensureTools, type ToolName } from '../../toolchain/tools.ts';

export function needTools(...tools: ToolName[]): void {
  beforeAll(() => ensureTools(tools), 300_000);
}
