/**
 * Interfaces as values: a group of a module's ports that belong together, recorded in the IR so
 * that everything outside the DSL (simulators, wrappers, the FireSim shell's Scala) reads the
 * interface instead of guessing it from port names (Chisel's `DecoupledIO`, Amaranth's
 * `wiring.Signature`). Bundles are metadata: they do not change the emitted Verilog.
 */

/** A valid/ready stream: `dir` 'in' means the module consumes it. */
export interface StreamBundle {
  kind: 'stream';
  name: string;
  dir: 'in' | 'out';
  valid: string;
  ready: string;
  /** Payload fields in declaration order: field name and its port. */
  fields: { name: string; port: string }[];
}

/** An AXI4 or AXI4-Lite bus port group; `ports` maps AXI signal names (`awaddr`, `rvalid`, ...) to the module's ports. */
export interface BusBundle {
  kind: 'axi4' | 'axi4-lite';
  /** The port prefix, e.g. `m_axi` or `s_axi`. */
  name: string;
  role: 'master' | 'slave';
  ports: Record<string, string>;
}

export type PortBundle = StreamBundle | BusBundle;
