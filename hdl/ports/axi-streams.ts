/**
 * The five channels of an AXI4 / AXI4-Lite bus as harness streams (aw, w, b, ar, r), derived from
 * the bus's signal table (`hdl/lib/axi.ts`), so no simulator or test spells AXI port names by hand.
 * Each channel is a valid/ready stream whose payload fields are the channel's other signals with the
 * channel prefix removed (`awaddr` → field `addr` of stream `aw`), in AXI order.
 */
import { axiSignals, type AxiWidths } from '../lib/axi.ts';
import type { StreamSpec } from './design.ts';

const CHANNELS = ['aw', 'w', 'b', 'ar', 'r'] as const;

/** The channel a signal belongs to (`awaddr` → `aw`, `wdata` → `w`). */
function channelOf(signal: string): string {
  const two = signal.slice(0, 2);
  return two === 'aw' || two === 'ar' ? two : signal.slice(0, 1);
}

/**
 * The channel streams of the bus `<prefix>_*` seen from a module in `role`: a channel the module
 * receives (its valid is an input) is an 'in' stream.
 */
export function axiChannelStreams(kind: 'axi4' | 'axi4-lite', prefix: string, role: 'master' | 'slave', w: AxiWidths): StreamSpec[] {
  const signals = axiSignals(kind, w);
  return CHANNELS.map((ch) => {
    const own = signals.filter((s) => channelOf(s.signal) === ch);
    const valid = own.find((s) => s.signal === `${ch}valid`)!;
    const payload = own.filter((s) => s.signal !== `${ch}valid` && s.signal !== `${ch}ready`);
    const fields = payload.map((s) => ({ name: s.signal.slice(ch.length), width: s.width, signed: false }));
    return {
      name: ch,
      dir: valid.driver === role ? 'out' : 'in',
      fields,
      ports: { valid: `${prefix}_${ch}valid`, ready: `${prefix}_${ch}ready`, fields: Object.fromEntries(payload.map((s) => [s.signal.slice(ch.length), `${prefix}_${s.signal}`])) },
    };
  });
}
