/**
 * quantizer: the three output streams (`q`, `grp`, `res`) behind one register stage, and the
 * pipeline enable `advance` that both modes share (README "Ports": the outputs share one stall).
 *
 *   const out = quantizerOutputs(m, W, b, P);   // ports q_*, grp_*, res_*; wire `advance`
 *   ... the datapath, registers loading under out.advance ...
 *   out.drive({ q: {...}, grp: {...}, res: {...} });   // registers <stream>_<field>_r, ports driven
 *
 * `advance` is high when no output register holds a transaction its consumer does not take. The
 * registers load under `advance`; an output taken while another one holds the pipeline empties its
 * register (so nothing is sent twice).
 */
import { Bool, UInt, type Expr, type ModuleBuilder } from '../../hdl/index.ts';
import { streamOut } from '../../hdl/lib/index.ts';

/** The next transaction of each output (valid plus fields, typed like the ports). */
export interface QuantizerOutputBeats {
  q: { valid: Expr; codes: Expr; last: Expr };
  grp: { valid: Expr; scale: Expr; min: Expr; flags: Expr };
  res: { valid: Expr; data: Expr; last: Expr };
}

export interface QuantizerOutputs {
  advance: Expr;
  drive(next: QuantizerOutputBeats): void;
}

/** Creates the output ports (after `in`, so port order is in, q, grp, res) and `advance`. */
export function quantizerOutputs(m: ModuleBuilder, width: number, bits: number, lanes: number): QuantizerOutputs {
  const pat = UInt(width);
  const sinks = {
    q: streamOut(m, 'q', { codes: UInt(bits).vec(lanes), last: Bool }),
    grp: streamOut(m, 'grp', { scale: pat, min: pat, flags: UInt(4) }),
    res: streamOut(m, 'res', { data: pat.vec(lanes), last: Bool }),
  };
  const names = ['q', 'grp', 'res'] as const;
  const valid = Object.fromEntries(names.map((s) => [s, m.reg(`${s}_valid_r`, Bool, { reset: 0 })])) as Record<(typeof names)[number], ReturnType<ModuleBuilder['reg']>>;
  const advance = m.wire('advance', names.map((s) => valid[s].not().or(sinks[s].ready)).reduce((a, c) => a.and(c)));
  return {
    advance,
    drive(next) {
      const regs = names.map((s) => {
        const sink = sinks[s];
        const fields = Object.keys(sink.fields).map((f) => ({ port: (sink.bits as Record<string, ReturnType<ModuleBuilder['reg']>>)[f], reg: m.reg(`${s}_${f}_r`, sink.fields[f as keyof typeof sink.fields]), next: (next[s] as Record<string, Expr>)[f] }));
        return { s, sink, fields };
      });
      m.when(advance, () => {
        for (const { s, fields } of regs) {
          valid[s].set(next[s].valid);
          for (const f of fields) f.reg.set(f.next);
        }
      }).otherwise(() => {
        for (const { s, sink } of regs) m.when(sink.ready, () => valid[s].set(0));
      });
      for (const { s, sink, fields } of regs) {
        sink.valid.set(valid[s]);
        for (const f of fields) f.port.set(f.reg);
      }
    },
  };
}
