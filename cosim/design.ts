/**
 * What the co-simulation harness needs to know about a design under test.
 * It is derived from a built hdl module (see `designFromModule` once the emitter exists),
 * but it is plain data so the harness can also run hand-written Verilog.
 */

/** One payload field of a valid/ready stream: port `<stream>_<name>`. */
export interface FieldSpec {
  name: string;
  width: number;
  signed: boolean;
}

/**
 * A valid/ready stream. `dir: 'in'` means the DUT consumes it (ports `<name>_valid` and fields are
 * DUT inputs, `<name>_ready` is a DUT output); `dir: 'out'` is the reverse.
 * A transfer happens on a rising clock edge when valid and ready are both high.
 */
export interface StreamSpec {
  name: string;
  dir: 'in' | 'out';
  fields: FieldSpec[];
}

/** A plain (non-stream) port, e.g. a static configuration input held constant during a run. */
export interface PortSpec {
  name: string;
  dir: 'input' | 'output';
  width: number;
  signed: boolean;
}

export interface DesignUnderTest {
  /** Top module name. */
  top: string;
  /** Absolute paths of every Verilog file of the design (one module per file). */
  files: string[];
  /** Clock port name (rising edge) and active-high synchronous reset port name. */
  clock: string;
  reset: string;
  /** Every port of the top module, including clock, reset and the stream ports. */
  ports: PortSpec[];
  streams: StreamSpec[];
}
