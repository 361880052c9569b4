/**
 * The shell's AXI4 master ports `m_axi_*` (32-bit address, 64-bit data, one ID: no ID ports) and
 * the fixed ones: size 3 (8 bytes), burst INCR, all write strobes.
 */
import { Bool, UInt, type Expr, type ModuleBuilder, type Var } from '../../../hdl/index.ts';
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

/** Declares the ports (and `irq`, last, as the shell always has) and drives the fixed ones. */
export function axiMasterPorts(m: ModuleBuilder): { axi: AxiMasterPorts; irq: Var } {
  const A = AXI_ADDR_BITS;
  const awaddr = m.output('m_axi_awaddr', UInt(A));
  const awlen = m.output('m_axi_awlen', UInt(8));
  const awsize = m.output('m_axi_awsize', UInt(3));
  const awburst = m.output('m_axi_awburst', UInt(2));
  const awvalid = m.output('m_axi_awvalid', Bool);
  const awready = m.input('m_axi_awready', Bool);
  const wdata = m.output('m_axi_wdata', UInt(BUS_BITS));
  const wstrb = m.output('m_axi_wstrb', UInt(BUS_BITS / 8));
  const wlast = m.output('m_axi_wlast', Bool);
  const wvalid = m.output('m_axi_wvalid', Bool);
  const wready = m.input('m_axi_wready', Bool);
  const bresp = m.input('m_axi_bresp', UInt(2));
  const bvalid = m.input('m_axi_bvalid', Bool);
  const bready = m.output('m_axi_bready', Bool);
  const araddr = m.output('m_axi_araddr', UInt(A));
  const arlen = m.output('m_axi_arlen', UInt(8));
  const arsize = m.output('m_axi_arsize', UInt(3));
  const arburst = m.output('m_axi_arburst', UInt(2));
  const arvalid = m.output('m_axi_arvalid', Bool);
  const arready = m.input('m_axi_arready', Bool);
  const rdata = m.input('m_axi_rdata', UInt(BUS_BITS));
  const rresp = m.input('m_axi_rresp', UInt(2));
  const rlast = m.input('m_axi_rlast', Bool);
  const rvalid = m.input('m_axi_rvalid', Bool);
  const rready = m.output('m_axi_rready', Bool);
  const irq = m.output('irq', Bool);
  awsize.set(U(3, 3));
  arsize.set(U(3, 3));
  awburst.set(U(2, 1));
  arburst.set(U(2, 1));
  wstrb.set(U(8, 0xff));
  const axi = { awaddr, awlen, awvalid, awready, wdata, wlast, wvalid, wready, bresp, bvalid, bready };
  return { axi: { ...axi, araddr, arlen, arvalid, arready, rdata, rresp, rlast, rvalid, rready }, irq };
}
