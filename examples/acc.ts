// The README's example: `npx tsx examples/acc.ts` prints the Verilog.
import { Bool, ModuleBuilder, SInt, emitDesign, moduleName } from '../hdl/index.ts';

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

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const f of emitDesign(accumulator(8))) process.stdout.write(f.text);
}
