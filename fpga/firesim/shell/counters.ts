/** Performance counters: `cycles` (while busy), `words_read`, `words_written` (cleared at launch by their sections). */
import { UInt, type Var } from '../../../hdl/index.ts';
import type { ShellContext } from './context.ts';

export interface Counters {
  cycles: Var;
  wordsRead: Var;
  wordsWritten: Var;
}

export function counters(c: ShellContext, busy: Var): Counters {
  const { m, reg } = c;
  const cycles = m.reg('cycles', UInt(32), { reset: 0 });
  const wordsRead = m.reg('words_read', UInt(32), { reset: 0 });
  const wordsWritten = m.reg('words_written', UInt(32), { reset: 0 });
  reg('cycles').set(cycles);
  reg('words_read').set(wordsRead);
  reg('words_written').set(wordsWritten);
  m.when(busy, () => cycles.set(cycles.addWrap(1)));
  return { cycles, wordsRead, wordsWritten };
}
