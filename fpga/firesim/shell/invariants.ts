/**
 * The shell's formal invariants (README "Shell", "Formal invariants"), checked in the FireSim
 * harness (Verilator with -DFORMAL --assert) and by `kvhdl prove <unit> --shell`:
 * - the AXI4 master `m_axi` and the AXI4-Lite slave `s_axi` keep the handshake rules (valid held
 *   until ready, payload stable while valid ∧ ¬ready; `hdl/lib/axi-contract.ts`): asserted on the
 *   channels the shell drives, assumed on the others;
 * - every AR and AW burst: at most MAX_BURST beats (ARLEN/AWLEN ≤ 15), 8-byte aligned address, and
 *   it does not cross a 4 KiB boundary (AXI spec A3.4.1): addr[11:3] + len ≤ 511 for 8-byte beats;
 * - WLAST exactly on beat AWLEN + 1 of a burst: the shell writes one burst at a time and starts the
 *   next only after the last W beat, so `m_axi_awlen` still holds the current burst's length
 *   (stable while AWVALID waits, registered until the next burst starts).
 */
import { UInt, mux, lit, type ModuleBuilder } from '../../../hdl/index.ts';
import { implies } from '../../../hdl/lib/index.ts';
import { axiContracts } from '../../../hdl/lib/axi-contract.ts';
import { MAX_BURST } from './params.ts';

export function shellInvariants(m: ModuleBuilder): void {
  axiContracts(m);
  for (const ch of ['ar', 'aw'] as const) {
    const valid = m.portRef(`m_axi_${ch}valid`);
    const addr = m.portRef(`m_axi_${ch}addr`);
    const len = m.portRef(`m_axi_${ch}len`);
    const C = ch.toUpperCase();
    m.assert(implies(valid, len.le(MAX_BURST - 1)), `AXI4 m_axi ${C}: ${C}LEN <= ${MAX_BURST - 1} (at most ${MAX_BURST} beats)`);
    m.assert(implies(valid, addr.slice(2, 0).eq(0)), `AXI4 m_axi ${C}: address 8-byte aligned`);
    m.assert(implies(valid, addr.slice(11, 3).zext(10).add(len.zext(10)).le(511)), `AXI4 m_axi ${C}: burst does not cross a 4 KiB boundary`);
  }
  // W beats of the current burst already transferred (formal-only counter)
  const wFire = m.portRef('m_axi_wvalid').and(m.portRef('m_axi_wready'));
  const wlast = m.portRef('m_axi_wlast');
  const beats = m.formalReg('fv_w_beats', UInt(8), { reset: 0 });
  m.when(wFire, () => beats.set(mux(wlast, lit(UInt(8), 0), beats.addWrap(1))));
  m.assert(implies(m.portRef('m_axi_wvalid'), wlast.eq(beats.eq(m.portRef('m_axi_awlen')))), 'AXI4 m_axi W: WLAST exactly on beat AWLEN + 1 of the burst');
}
