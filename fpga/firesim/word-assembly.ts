/**
 * 64-bit words from a FIFO -> records of `words` words (the shell's input records and a unit
 * memory's words): words 0..n-2 are held in registers `<name>_held_<i>` (counter `<name>_word`),
 * the last one comes straight from the FIFO, and the record is offered while it is there.
 */
import { Bool, ModuleBuilder, UInt, bitsFor, cat, lit, type Expr, type Var } from '../../hdl/index.ts';
import type { Source } from '../../hdl/lib/index.ts';
import { BUS_BITS } from './layout.ts';

export interface AssembledRecord {
  /** A whole record is offered. */
  valid: Expr;
  /** The record, word 0 in the least significant bits. */
  data: Expr;
}

/**
 * Assembles records from `q` (whose `ready` this sets). `enable` gates the offer (the consumer
 * takes a record when valid, `ready` and `enable` are high); held words are taken regardless.
 */
export function assembleWords(m: ModuleBuilder, name: string, q: Source<{ data: ReturnType<typeof UInt> }>, words: number, ready: Expr, enable: Expr = lit(Bool, 1)): AssembledRecord {
  if (words === 1) {
    q.ready.set(ready.and(enable));
    return { valid: q.valid.and(enable), data: q.bits.data };
  }
  const k = m.reg(`${name}_word`, UInt(bitsFor(words - 1)), { reset: 0 });
  const held: Var[] = [];
  for (let i = 0; i < words - 1; i++) held.push(m.reg(`${name}_held_${i}`, UInt(BUS_BITS)));
  const lastWord = k.eq(words - 1);
  q.ready.set(lastWord.not().or(ready.and(enable)));
  m.when(q.valid.and(lastWord.not()), () => {
    k.set(k.addWrap(1));
    held.forEach((h, i) => m.when(k.eq(i), () => h.set(q.bits.data)));
  }).elseWhen(q.valid.and(ready).and(enable), () => k.set(0));
  return { valid: q.valid.and(lastWord).and(enable), data: cat(q.bits.data, ...held.slice().reverse()) };
}
