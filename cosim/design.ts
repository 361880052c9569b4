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
  /**
   * Explicit port names, for designs whose ports do not follow `<name>_valid`/`<name>_ready`/
   * `<name>_<field>` (AXI: `s_axis_tvalid`, `s_axi_awaddr`, ...). Absent: the convention. A field
   * missing from `fields` keeps its conventional name `<name>_<field>`.
   */
  ports?: StreamPorts;
}

/** Port names of a stream that does not follow the naming convention. */
export interface StreamPorts {
  valid: string;
  ready: string;
  /** Field name -> port name. */
  fields?: Record<string, string>;
}

/**
 * The port carrying `role` of a stream: `'valid'`, `'ready'` or a field name. Honours
 * `StreamSpec.ports`; without it, `<stream>_<role>`.
 */
export function streamPort(s: StreamSpec, role: string): string {
  if (s.ports) {
    if (role === 'valid') return s.ports.valid;
    if (role === 'ready') return s.ports.ready;
    const f = s.ports.fields?.[role];
    if (f !== undefined) return f;
  }
  return `${s.name}_${role}`;
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
