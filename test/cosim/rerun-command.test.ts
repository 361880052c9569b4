// One re-run line for every back end (cosim/rerun-command.ts): built from the command the run came
// from, or from the back end's own command when there is none.
import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cliRerunCommand, rerunLine } from '../../cosim/rerun-command.ts';
import { BACKENDS } from '../../cosim/backends.ts';
import { runUnit } from '../../flow/unit-run.ts';
import { findUnit } from '../../gen/registry.ts';

describe('cliRerunCommand', () => {
  it('drops --seed, --trace and --simulator in both forms, quotes, and names the simulator last', () => {
    const argv = ['minmax', '--seed', '4', '--trace', '--in', 'in data.npy', '--simulator', 'icarus', '--seed=5', '--stall', '0.2', '--simulator=icarus'];
    expect(cliRerunCommand(['npx', 'kvhdl', 'cosim'], argv, 'icarus')).toBe("npx kvhdl cosim minmax --in 'in data.npy' --stall 0.2 --simulator icarus");
    expect(cliRerunCommand(['kvhdl', 'cosim'], ['minmax'], 'verilator')).toBe('kvhdl cosim minmax --simulator verilator');
  });

  it('rerunLine: the command with --seed and --trace, else the back end\'s own command', () => {
    expect(rerunLine({ seed: 7, command: 'kvhdl cosim minmax --simulator icarus', direct: 'cd /r && vvp -n tb.vvp +vcd' })).toBe('kvhdl cosim minmax --simulator icarus --seed 7 --trace');
    expect(rerunLine({ seed: 7, direct: 'cd /r && vvp -n tb.vvp +vcd' })).toBe('cd /r && vvp -n tb.vvp +vcd');
  });
});

const unit = findUnit('minmax')!;
const cfg = unit.schema.parse({ lanes: 2, width: 8 });

describe.each(Object.keys(BACKENDS) as (keyof typeof BACKENDS)[])('back end %s', (simulator) => {
  it('reports the same re-run line shape, naming the simulator', async () => {
    const workDir = mkdtempSync(path.join(os.tmpdir(), 'kvhdl-rerun-'));
    const command = cliRerunCommand(['kvhdl', 'cosim'], ['minmax', '--config', 'c.json', '--seed', '9'], simulator);
    const r = await runUnit(unit, cfg, unit.randomStimulus(cfg, 2, 20), { simulator, seed: 3, workDir, rerunCommand: command });
    expect(r.ok).toBe(true);
    expect(r.rerun).toBe(`kvhdl cosim minmax --config c.json --simulator ${simulator} --seed 3 --trace`);
    const direct = await runUnit(unit, cfg, unit.randomStimulus(cfg, 2, 20), { simulator, seed: 3, workDir: path.join(workDir, 'lib') });
    expect(direct.rerun).toContain(path.join(workDir, 'lib', 'run'));
    expect(direct.rerun).not.toContain('kvhdl cosim');
  }, 180_000);
});
