/**
 * AXI4 and AXI4-Lite port bundles: declares a bus's ports `<prefix>_<signal>` in AXI order (AW, W,
 * B, AR, R) with the directions of a master or, flipped, of a slave, and records the bus as an
 * interface of the module (`hdl/core/bundle.ts`), so wrappers and generated Scala can read it.
 * AXI4 here is the subset kvhdl's DMA uses: one ID (no ID ports), no lock/cache/prot/qos.
 */
import { Bool, UInt, type HType } from '../core/types.ts';
import type { Expr, Var } from '../core/expr.ts';
import type { ModuleBuilder } from '../core/module-builder.ts';

/** `m`: driven by the master; `s`: driven by the slave. */
type Driver = 'm' | 's';
type SignalDef = [signal: string, type: (w: AxiWidths) => HType, driver: Driver];

export interface AxiWidths {
  addrBits: number;
  dataBits: number;
}

const ADDR = (w: AxiWidths): HType => UInt(w.addrBits);
const DATA = (w: AxiWidths): HType => UInt(w.dataBits);
const STRB = (w: AxiWidths): HType => UInt(w.dataBits / 8);
const U = (n: number) => (): HType => UInt(n);
const B = (): HType => Bool;

const AXI4: readonly SignalDef[] = [
  ['awaddr', ADDR, 'm'], ['awlen', U(8), 'm'], ['awsize', U(3), 'm'], ['awburst', U(2), 'm'], ['awvalid', B, 'm'], ['awready', B, 's'],
  ['wdata', DATA, 'm'], ['wstrb', STRB, 'm'], ['wlast', B, 'm'], ['wvalid', B, 'm'], ['wready', B, 's'],
  ['bresp', U(2), 's'], ['bvalid', B, 's'], ['bready', B, 'm'],
  ['araddr', ADDR, 'm'], ['arlen', U(8), 'm'], ['arsize', U(3), 'm'], ['arburst', U(2), 'm'], ['arvalid', B, 'm'], ['arready', B, 's'],
  ['rdata', DATA, 's'], ['rresp', U(2), 's'], ['rlast', B, 's'], ['rvalid', B, 's'], ['rready', B, 'm'],
];

const AXI4_LITE: readonly SignalDef[] = [
  ['awaddr', ADDR, 'm'], ['awprot', U(3), 'm'], ['awvalid', B, 'm'], ['awready', B, 's'],
  ['wdata', DATA, 'm'], ['wstrb', STRB, 'm'], ['wvalid', B, 'm'], ['wready', B, 's'],
  ['bresp', U(2), 's'], ['bvalid', B, 's'], ['bready', B, 'm'],
  ['araddr', ADDR, 'm'], ['arprot', U(3), 'm'], ['arvalid', B, 'm'], ['arready', B, 's'],
  ['rdata', DATA, 's'], ['rresp', U(2), 's'], ['rvalid', B, 's'], ['rready', B, 'm'],
];

/** A bus's ports by AXI signal name: the ones the module drives (`outputs`, `.set` them) and the ones it reads. */
export interface AxiPorts {
  outputs: Record<string, Var>;
  inputs: Record<string, Expr>;
}

function busPorts(m: ModuleBuilder, kind: 'axi4' | 'axi4-lite', defs: readonly SignalDef[], prefix: string, role: 'master' | 'slave', w: AxiWidths): AxiPorts {
  const mine: Driver = role === 'master' ? 'm' : 's';
  const ports: AxiPorts = { outputs: {}, inputs: {} };
  const names: Record<string, string> = {};
  for (const [signal, type, driver] of defs) {
    const name = `${prefix}_${signal}`;
    if (driver === mine) ports.outputs[signal] = m.output(name, type(w));
    else ports.inputs[signal] = m.input(name, type(w));
    names[signal] = name;
  }
  m.bundle({ kind, name: prefix, role, ports: names });
  return ports;
}

/** AXI4 ports `<prefix>_*` of a master or a slave. */
export function axi4Ports(m: ModuleBuilder, prefix: string, role: 'master' | 'slave', w: AxiWidths): AxiPorts {
  return busPorts(m, 'axi4', AXI4, prefix, role, w);
}

/** One AXI signal of a bus: its name (`awaddr`), width, and which side drives it. */
export interface AxiSignal {
  signal: string;
  width: number;
  driver: 'master' | 'slave';
}

/** The signals of an AXI4 or AXI4-Lite bus in AXI order (AW, W, B, AR, R), with their widths. */
export function axiSignals(kind: 'axi4' | 'axi4-lite', w: AxiWidths): AxiSignal[] {
  return (kind === 'axi4' ? AXI4 : AXI4_LITE).map(([signal, type, driver]) => ({ signal, width: type(w).width, driver: driver === 'm' ? 'master' : 'slave' }));
}

/** AXI4-Lite ports `<prefix>_*` of a master or a slave. */
export function axiLitePorts(m: ModuleBuilder, prefix: string, role: 'master' | 'slave', w: AxiWidths): AxiPorts {
  return busPorts(m, 'axi4-lite', AXI4_LITE, prefix, role, w);
}
