/**
 * A counterexample's replay against the unit's golden model: the transfers the Verilator replay saw
 * on the top's input streams become the golden model's input, and the outputs the replay saw must
 * equal the first outputs the golden model predicts (a prefix: the trace may end with transfers
 * still in flight, and it stops at the failing assertion). When that comparison cannot be made the
 * result says why: the unit reads a memory the counterexample does not define, or the inputs are
 * not a stimulus the golden model accepts (a protocol-only violation: outputs are not compared).
 */
import type { Module } from '../hdl/index.ts';
import { streamsOfModule } from '../hdl/ports/from-module.ts';
import { TxnTable } from '../data/transactions.ts';
import type { AnyUnit, StreamData } from '../gen/unit.ts';

export interface GoldenCheck {
  status: 'match' | 'mismatch' | 'not-compared';
  /** One sentence: what was compared, the first difference, or why nothing was compared. */
  detail: string;
}

function table(fields: { name: string; width: number; signed: boolean }[], rows: bigint[][]): TxnTable {
  const t = new TxnTable(fields, rows.length);
  rows.forEach((r, i) => fields.forEach((f, k) => t.set(i, f.name, f.signed ? BigInt.asIntN(f.width, r[k] ?? 0n) : BigInt.asUintN(f.width, r[k] ?? 0n))));
  return t;
}

export function compareWithGolden(unit: AnyUnit, config: unknown, top: Module, txns: Record<string, bigint[][]>): GoldenCheck {
  const mems = unit.memories?.(config) ?? [];
  if (mems.length) {
    return { status: 'not-compared', detail: `outputs not compared: the unit reads memory ${mems.map((m) => `'${m.name}'`).join(', ')}, whose contents the counterexample does not define (a protocol/invariant violation only)` };
  }
  const streams = streamsOfModule(top);
  const inputs: StreamData = {};
  for (const s of streams.filter((x) => x.dir === 'in')) inputs[s.name] = table(s.fields, txns[s.name] ?? []);
  let expected: StreamData;
  try {
    expected = unit.golden(config as never, inputs);
  } catch (e) {
    const why = (e instanceof Error ? e.message : String(e)).split('\n')[0];
    return { status: 'not-compared', detail: `outputs not compared: the counterexample's inputs are not a complete stimulus for the golden model (${why}); a protocol-only violation` };
  }
  const parts: string[] = [];
  for (const s of streams.filter((x) => x.dir === 'out')) {
    const got = table(s.fields, txns[s.name] ?? []);
    const exp = expected[s.name];
    if (!exp) return { status: 'not-compared', detail: `outputs not compared: the golden model gives no '${s.name}' stream` };
    for (let i = 0; i < got.count; i++) {
      if (i >= exp.count) return { status: 'mismatch', detail: `'${s.name}' transaction ${i}: the golden model predicts only ${exp.count} for these inputs, the replay produced more` };
      for (const f of s.fields) {
        const e = exp.get(i, f.name);
        const g = got.get(i, f.name);
        if (e !== g) return { status: 'mismatch', detail: `'${s.name}' transaction ${i}, field '${f.name}': expected ${e}, got ${g}` };
      }
    }
    parts.push(`${s.name} ${got.count} of ${exp.count}`);
  }
  const nIn = Object.values(inputs).reduce((n, t) => n + t.count, 0);
  return { status: 'match', detail: `outputs match the golden model on the replay's ${nIn} input transfers (${parts.join(', ')} output transactions compared)` };
}
