/**
 * Record assembly: input words -> the unit's input records. Words 0..in_words-2 of a record are
 * held, the last comes straight from the FIFO; generated side-band fields (`row`: last column,
 * `end`: last column of the last row) are computed from the record's position.
 */
import { UInt, type InstanceHandle, type Module, type Var } from '../../../hdl/index.ts';
import { unpack, type Fields, type Source } from '../../../hdl/lib/index.ts';
import { assembleWords } from '../word-assembly.ts';
import type { ShellContext } from './context.ts';
import type { Control } from './control.ts';
import type { rFields } from './read-types.ts';

/** Returns the row counter (the job is complete when it reaches `rows`). */
export function recordAssembly(c: ShellContext, ctl: Control, rq: Source<typeof rFields>, u: InstanceHandle, unit: Module): Var {
  const { m, layout } = c;
  const { busy, rows, cols, launch } = ctl;
  const inS = layout.input;
  const row = m.reg('in_row', UInt(32), { reset: 0 });
  const col = m.reg('in_col', UInt(32), { reset: 0 });
  const feeding = m.wire('feeding', busy.and(row.ne(rows)));
  const inFire = m.wire('in_fire', u.port(`${inS.name}_valid`).and(u.port(`${inS.name}_ready`)));
  const assembled = assembleWords(m, 'in', rq, inS.words, u.port(`${inS.name}_ready`), feeding);
  u.port(`${inS.name}_valid`).set(assembled.valid);
  const rec = m.wire('in_record', assembled.data);
  const lastCol = m.wire('in_last_col', col.eq(cols.subWrap(1)));
  const lastRow = m.wire('in_last_row', row.eq(rows.subWrap(1)));
  const inFields: Fields = {};
  for (const f of inS.fields) inFields[f.name] = unit.ports.find((p) => p.name === `${inS.name}_${f.name}`)!.type;
  const unpacked = inS.bits > 0 ? unpack(inFields, rec.slice(inS.bits - 1, 0)) : {};
  for (const f of inS.unitFields) {
    const rule = inS.sideband[f.name];
    const v = rule === 'row' ? lastCol : rule === 'end' ? lastCol.and(lastRow) : unpacked[f.name];
    u.port(`${inS.name}_${f.name}`).set(v);
  }
  m.when(launch, () => {
    row.set(0);
    col.set(0);
  }).elseWhen(inFire, () => {
    m.when(lastCol, () => {
      col.set(0);
      row.set(row.addWrap(1));
    }).otherwise(() => col.set(col.addWrap(1)));
  });
  return row;
}
