import { describe, expect, it } from 'vitest';
import { commands, main } from '../../cli/main.ts';

describe('the command table of cli/main.ts', () => {
  it("names and summaries match each command's module (the table is what --help prints without loading them)", async () => {
    for (const entry of commands) {
      const cmd = await entry.load();
      expect({ name: cmd.name, summary: cmd.summary }).toEqual({ name: entry.name, summary: entry.summary });
    }
    expect(new Set(commands.map((c) => c.name)).size).toBe(commands.length);
  });

  it('--help lists every command and every hand-off target', async () => {
    const lines: string[] = [];
    const log = console.log;
    console.log = (s: string) => void lines.push(s);
    try {
      expect(await main(['--help'])).toBe(0);
    } finally {
      console.log = log;
    }
    const text = lines.join('\n');
    for (const c of commands) expect(text).toMatch(new RegExp(`^  ${c.name} +${c.summary.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));
    const handoff = text.split('\n').find((l) => l.startsWith('  handoff '))!;
    for (const flow of ['Vivado', 'FuseSoC', 'FireSim']) expect(handoff).toContain(flow);
  });
});
