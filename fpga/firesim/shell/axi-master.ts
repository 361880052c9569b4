/**
 * The shell's AXI4 master ports `m_axi_*` (32-bit address, 64-bit data, one ID: no ID ports; the
 * bus bundle of `hdl/lib/axi.ts`, recorded as an interface of the shell) and the fixed signals:
 * size 3 (8 bytes), burst INCR, all write strobes.
 */
import { Bool, type Expr, type ModuleBuilder, type Var } from '../../../hdl/index.ts';
import { axi4Ports } from '../../../hdl/lib/index.ts';
import { BUS_BITS } from '../layout.ts';
import { AXI_ADDR_BITS } from './params.ts';
import { U } from './context.ts';

/** Outputs are Vars the shell drives; inputs are Exprs. */
export interface AxiMasterPorts {
  awaddr: Var;
  awlen: Var;
  awvalid: Var;
  awready: Expr;
  wdata: Var;
  wlast: Var;
  wvalid: Var;
  wready: Expr;
  bresp: Expr;
  bvalid: Expr;
  bready: Var;
  araddr: Var;
  arlen: Var;
  arvalid: Var;
  arready: Expr;
  rdata: Expr;
  rresp: Expr;
  rlast: Expr;
  rvalid: Expr;
  rready: Var;
}

/** Declares the ports (an AXI4 master bundle `m_axi`, then `irq`) and drives the fixed ones. */
export function axiMasterPorts(m: ModuleBuilder): { axi: AxiMasterPorts; irq: Var } {
  const { outputs: o, inputs: i } = axi4Ports(m, 'm_axi', 'master', { addrBits: AXI_ADDR_BITS, dataBits: BUS_BITS });
  const irq = m.output('irq', Bool);
  o.awsize.set(U(3, 3));
  o.arsize.set(U(3, 3));
  o.awburst.set(U(2, 1));
  o.arburst.set(U(2, 1));
  o.wstrb.set(U(8, 0xff));
  const axi = { awaddr: o.awaddr, awlen: o.awlen, awvalid: o.awvalid, awready: i.awready, wdata: o.wdata, wlast: o.wlast, wvalid: o.wvalid, wready: i.wready };
  const b = { bresp: i.bresp, bvalid: i.bvalid, bready: o.bready };
  const ar = { araddr: o.araddr, arlen: o.arlen, arvalid: o.arvalid, arready: i.arready };
  const r = { rdata: i.rdata, rresp: i.rresp, rlast: i.rlast, rvalid: i.rvalid, rready: o.rready };
  return { axi: { ...axi, ...b, ...ar, ...r }, irq };
}
