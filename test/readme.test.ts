import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { ElaborationError, ModuleBuilder, SInt, Bool, emitDesign } from '../hdl/index.ts';
import { accumulator } from '../examples/acc.ts';

const readme = readFileSync('README.md', 'utf8');

describe('README examples are what the code does', () => {
  it('the Verilog shown for examples/acc.ts', () => {
    const shown = /```verilog\n([\s\S]*?)```/.exec(readme)![1];
    expect(emitDesign(accumulator(8))[0].text).toBe(shown);
  });

  it('the width error shown for the 13-bit sum', () => {
    const m = new ModuleBuilder('kv_acc_bad');
    const x = m.input('x', SInt(8));
    const en = m.input('en', Bool);
    const acc = m.reg('acc', SInt(12), { reset: 0 });
    m.when(en, () => acc.set(acc.add(x.sext(12))));
    m.output('sum', SInt(12)).set(acc);
    let msg = '';
    try {
      m.build();
    } catch (e) {
      if (!(e instanceof ElaborationError)) throw e;
      msg = e.diagnostics[0].message;
    }
    expect(msg).toBe(`cannot assign 13-bit expression to 12-bit register 'acc' (use .trunc(12) or widen 'acc')`);
    expect(readme).toContain(`: ${msg}`);
  });
});
