/**
 * The elaborated design: what `ModuleBuilder.build()` returns and what the checks and the Verilog
 * emitter read. Plain data; nothing here builds hardware.
 */
import type { HType } from './types.ts';
import type { Expr, Signal } from './expr.ts';
import type { SourceLoc } from './source.ts';
import type { PortBundle } from './bundle.ts';

export type Stmt =
  | { k: 'connect'; target: Signal; value: Expr; loc: SourceLoc }
  | { k: 'when'; cond: Expr; then: Stmt[]; else: Stmt[]; loc: SourceLoc }
  | { k: 'switch'; sel: Expr; cases: SwitchCase[]; dflt: Stmt[] | null; loc: SourceLoc }
  | { k: 'memwrite'; mem: Memory; addr: Expr; data: Expr; loc: SourceLoc };

export interface SwitchCase {
  values: bigint[];
  body: Stmt[];
  loc: SourceLoc;
}

export interface MemRead {
  /** The registered read data (a signal of kind 'memread'). */
  data: Signal;
  addr: Expr;
  /** Read enable; null reads every cycle. */
  en: Expr | null;
  loc: SourceLoc;
}

/** A memory with synchronous (registered) read ports and write ports in the statement tree. */
export interface Memory {
  name: string;
  elem: HType;
  depth: number;
  addrWidth: number;
  init?: bigint[];
  loc: SourceLoc;
  reads: MemRead[];
}

export interface Instance {
  name: string;
  module: Module;
  loc: SourceLoc;
  /** Parent-side signal per child port name (kind 'instin' or 'instout'). */
  ports: Map<string, Signal>;
}

/**
 * A formal property (`m.assert` / `m.assume` / `m.cover`): an immediate check of a 1-bit condition on
 * every rising clock edge while reset is low, emitted inside `` `ifdef FORMAL `` (`hdl/README.md`).
 */
export interface Property {
  kind: 'assert' | 'assume' | 'cover';
  cond: Expr;
  /** One line saying what must hold (assert/assume) or what is reached (cover). */
  message: string;
  loc: SourceLoc;
}

export type ParamValue = string | number | boolean;

export interface Module {
  name: string;
  /** Elaboration parameters (recorded in the manifest and the Verilog header). */
  params: Record<string, ParamValue>;
  /** One-line description, emitted as a comment. */
  doc?: string;
  loc: SourceLoc;
  /** Ports in declaration order (without the implicit clock and reset). */
  ports: Signal[];
  /** Every signal (ports, wires, registers, memory read data, instance ports) in declaration order. */
  signals: Signal[];
  body: Stmt[];
  mems: Memory[];
  instances: Instance[];
  usesClock: boolean;
  usesReset: boolean;
  /** For each output port: the input ports it depends on combinationally. */
  combPaths: Map<string, Set<string>>;
  /** Interfaces (streams, buses) over the ports, in declaration order (`bundle.ts`). */
  interfaces?: PortBundle[];
  /** Formal properties in declaration order; absent when the module declares none. */
  props?: Property[];
}
