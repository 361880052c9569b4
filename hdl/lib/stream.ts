/**
 * Valid/ready streams. Ports `<name>_valid`, `<name>_ready`, `<name>_<field>`; a transfer happens on
 * a rising edge when valid and ready are both high. Payload fields pack into one vector with the
 * first field in the least significant bits.
 */
import { HType, Bool, UInt } from '../core/types.ts';
import { Expr, Var, catList } from '../core/expr.ts';
import type { ModuleBuilder } from '../core/module-builder.ts';
import type { Module } from '../core/ir.ts';

export type Fields = Record<string, HType>;
export type Payload<F extends Fields> = { [K in keyof F]: Expr };
export type PayloadVars<F extends Fields> = { [K in keyof F]: Var };

/** The producer side as a consumer sees it: read `valid` and `bits`, drive `ready`. */
export interface Source<F extends Fields> {
  fields: F;
  valid: Expr;
  ready: Var;
  bits: Payload<F>;
}

/** The consumer side as a producer sees it: drive `valid` and `bits`, read `ready`. */
export interface Sink<F extends Fields> {
  fields: F;
  valid: Var;
  ready: Expr;
  bits: PayloadVars<F>;
}

/** valid && ready: the transfer happens on this cycle's rising edge. */
export function fire(s: { valid: Expr; ready: Expr }): Expr {
  return s.valid.and(s.ready);
}

/** An input stream of the module (DUT consumes it), recorded as one of its interfaces. */
export function streamIn<F extends Fields>(m: ModuleBuilder, name: string, fields: F): Source<F> {
  const valid = m.input(`${name}_valid`, Bool);
  const ready = m.output(`${name}_ready`, Bool);
  const bits = {} as Payload<F>;
  for (const k of Object.keys(fields) as (keyof F & string)[]) bits[k] = m.input(`${name}_${k}`, fields[k]);
  return recordStream(m, name, 'in', { fields, valid, ready, bits });
}

/** An output stream of the module (DUT produces it), recorded as one of its interfaces. */
export function streamOut<F extends Fields>(m: ModuleBuilder, name: string, fields: F): Sink<F> {
  const valid = m.output(`${name}_valid`, Bool);
  const ready = m.input(`${name}_ready`, Bool);
  const bits = {} as PayloadVars<F>;
  for (const k of Object.keys(fields) as (keyof F & string)[]) bits[k] = m.output(`${name}_${k}`, fields[k]);
  return recordStream(m, name, 'out', { fields, valid, ready, bits });
}

/** Drives `sink` from `source` (valid and payload forward, ready backward). */
export function connectStream<F extends Fields>(sink: Sink<F>, source: Source<F>): void {
  sink.valid.set(source.valid);
  for (const k of Object.keys(sink.fields) as (keyof F & string)[]) sink.bits[k].set(source.bits[k]);
  source.ready.set(sink.ready);
}

/** Total payload width. */
export function payloadWidth(fields: Fields): number {
  return Object.values(fields).reduce((n, t) => n + t.width, 0);
}

/** Packs a payload into one unsigned vector (first field in the least significant bits). */
export function pack<F extends Fields>(fields: F, bits: Payload<F>): Expr {
  const parts = Object.keys(fields).map((k) => bits[k as keyof F].asUInt());
  return catList(parts.reverse());
}

/** Splits a packed vector back into typed fields. */
export function unpack<F extends Fields>(fields: F, v: Expr): Payload<F> {
  const out = {} as Payload<F>;
  let lo = 0;
  for (const k of Object.keys(fields) as (keyof F & string)[]) {
    const t = fields[k];
    out[k] = v.slice(lo + t.width - 1, lo).as(t.lanes ? t : new HType(t.width, t.signed));
    lo += t.width;
  }
  return out;
}


/**
 * Instantiates a stream stage module (ports in_valid/in_ready/in_data, out_valid/out_ready/out_data
 * with the payload packed) after `source`; returns the stage's output stream.
 */
export function streamStage<F extends Fields>(m: ModuleBuilder, name: string, stage: Module, source: Source<F>): Source<F> {
  const inst = m.instance(name, stage);
  inst.port('in_valid').set(source.valid);
  inst.port('in_data').set(pack(source.fields, source.bits));
  source.ready.set(inst.port('in_ready'));
  return {
    fields: source.fields,
    valid: inst.port('out_valid'),
    ready: inst.port('out_ready'),
    bits: unpack(source.fields, inst.port('out_data')),
  };
}

/** Records stream `name` (conventional port names) as an interface of `m` and returns `side`. */
function recordStream<S extends { fields: Fields }>(m: ModuleBuilder, name: string, dir: 'in' | 'out', side: S): S {
  const fields = Object.keys(side.fields).map((f) => ({ name: f, port: `${name}_${f}` }));
  m.bundle({ kind: 'stream', name, dir, valid: `${name}_valid`, ready: `${name}_ready`, fields });
  return side;
}

/**
 * The ports of a stream stage module, the ones `streamStage` connects: an input stream `in` and an
 * output stream `out`, each with one `width`-bit field `data` (the packed payload), recorded as the
 * module's two stream interfaces. The FIFO and the skid buffer are declared with it.
 */
export function stageStreams(m: ModuleBuilder, width: number): { in: Source<{ data: HType }>; out: Sink<{ data: HType }> } {
  return { in: streamIn(m, 'in', { data: UInt(width) }), out: streamOut(m, 'out', { data: UInt(width) }) };
}
