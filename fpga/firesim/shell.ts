/**
 * The accelerator shell (DSL): the unit, an AXI4-Lite register file (regmap.ts) and a DMA engine
 * with an AXI4 master (64-bit data, 32-bit addresses, one ID, INCR bursts of at most 16 beats that
 * never cross a 4 KiB boundary). See README.md ("Shell") for the exact behaviour.
 *
 *   read side:  AR bursts over rows*cols*in_words words from src_addr -> R -> word FIFO ->
 *               record assembly (+ generated side-band fields) -> unit input stream
 *   write side: unit output stream s -> words -> FIFO s -> round-robin burst writer (AW + W; up to
 *               MAX_B_PENDING bursts wait for their B response)
 *
 * One section per file in `shell/`, called in the order their hardware is declared: control and
 * request checks, counters, read DMA (with the tag FIFO of a memory port), record assembly, write
 * FIFOs and the burst writer; job completion is here.
 */
import { ModuleBuilder, UInt, lit, type Module, type Var } from '../../hdl/index.ts';
import { axilRegfile } from '../axi/axil-regfile.ts';
import type { ShellLayout } from './layout.ts';
import { regfileMap, type CsrReg, type ShellLimits } from './regmap.ts';
import { axiMasterPorts } from './shell/axi-master.ts';
import { burstWriter, writerState } from './shell/burst-writer.ts';
import type { ShellContext } from './shell/context.ts';
import { control } from './shell/control.ts';
import { counters } from './shell/counters.ts';
import { readAddress, readData } from './shell/read-dma.ts';
import { recordAssembly } from './shell/record-assembly.ts';
import { writeFifos } from './shell/write-fifos.ts';
import { shellInvariants } from './shell/invariants.ts';

export * from './shell/params.ts';

export interface ShellOptions {
  name: string;
  regfileName: string;
  unit: Module;
  layout: ShellLayout;
  regs: CsrReg[];
  limits: ShellLimits;
}

export interface Shell {
  module: Module;
  regfile: Module;
}

export function buildShell(o: ShellOptions): Shell {
  const rf = axilRegfile(regfileMap(o.regfileName, o.regs));
  const m = new ModuleBuilder(o.name, {
    doc: `kvhdl accelerator shell of ${o.unit.name}: AXI4-Lite registers (s_axi_*), AXI4 DMA master (m_axi_*), interrupt irq`,
  });

  // ---- AXI4-Lite slave: forwarded to the register file ----
  const regs = m.instance('regs', rf.module);
  const lite = rf.module.interfaces?.find((b) => b.kind === 'axi4-lite');
  if (!lite || lite.kind === 'stream') throw new Error(`${rf.module.name} declares no AXI4-Lite interface`);
  const litePorts = new Set(Object.values(lite.ports));
  for (const p of rf.module.ports) {
    if (!litePorts.has(p.name)) continue;
    if (p.kind === 'input') regs.port(p.name).set(m.input(p.name, p.type));
    else m.output(p.name, p.type).set(regs.port(p.name));
  }
  m.bundle(lite); // the same s_axi_* ports, forwarded
  const reg = (name: string): Var => regs.port(name);
  for (const r of o.regs) if (r.constant !== undefined) reg(r.name).set(lit(UInt(r.width), r.constant));
  const c: ShellContext = { m, layout: o.layout, limits: o.limits, reg };

  const { axi, irq } = axiMasterPorts(m);
  const ctl = control(c, irq);
  const cnt = counters(c, ctl.busy);
  const ra = readAddress(c, axi, ctl);
  const u = m.instance('unit', o.unit);
  const { rq, readsIdle } = readData(c, axi, ctl, cnt, ra, u);
  const row = recordAssembly(c, ctl, rq, u, o.unit);
  const writer = writerState(c, axi);
  const outs = writeFifos(c, ctl, u, writer);
  burstWriter(c, axi, ctl, cnt, writer, outs);

  // ---- job completion ----
  const { busy, launch } = ctl;
  const allWritten = outs.map((o2) => o2.complete).reduce((a, b) => a.and(b));
  const finished = m.wire(
    'finished',
    busy.and(ra.rdLeft.eq(0)).and(ra.arValid.not()).and(readsIdle).and(row.eq(ctl.rows)).and(allWritten).and(writer.wState.eq(0)).and(writer.bPending.eq(0)),
  );
  ctl.doneSet.set(finished.or(ctl.startEdge.and(busy.not()).and(ctl.reqOk.not())));
  m.when(launch, () => {
    busy.set(1);
    cnt.cycles.set(0);
  }).elseWhen(finished, () => busy.set(0));
  shellInvariants(m);
  return { module: m.build(), regfile: rf.module };
}
