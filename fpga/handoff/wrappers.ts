/** Bus wrappers a hand-off package can put around a unit's top (`--top-wrapper <name>`). */
import { axisWrapper, type AxisWrapper } from '../axi/axis-wrapper.ts';
import type { TopWrapper, WrappedTop } from './design.ts';

/** README section for an AXI4-Stream wrapper: where each unit field sits in tdata, what tlast means. */
export function axisReadme(w: AxisWrapper): string {
  const out = [
    `### AXI4-Stream mapping (\`${w.module.name}\` around \`${w.unit.name}\`)`,
    '',
    'Each AXI4-Stream port carries one of the unit\'s valid/ready streams through a skid buffer (one',
    'cycle of latency, full throughput; every AXI output is a register output). `tdata` packs the',
    'stream\'s fields, the first in the least significant bits, zero-padded to a multiple of 8 bits;',
    'there is no tkeep/tstrb/tuser.',
  ];
  for (const p of w.ports) {
    out.push(
      '',
      `\`${p.prefix}\` (${p.dir === 'in' ? 'slave' : 'master'}, the unit's ${p.dir === 'in' ? 'input' : 'output'} stream \`${p.stream}\`), \`tdata\` ${p.tdataWidth} bits:`,
      '',
      '| unit field | tdata bits | signed |',
      '|---|---|---|',
      ...p.fields.map((f) => `| \`${p.stream}_${f.name}\` | \`[${f.lo + f.width - 1}:${f.lo}]\` | ${f.signed ? 'signed' : ''} |`),
      '',
      p.hasLast
        ? `\`${p.prefix}_tlast\` is the unit's \`${p.stream}_last\`.`
        : p.dir === 'in'
          ? `\`${p.prefix}_tlast\` is ignored (the stream has no \`last\`).`
          : `\`${p.prefix}_tlast\` is always 1 (the stream has no \`last\`: every transfer is a packet).`,
    );
  }
  return out.join('\n');
}

export const TOP_WRAPPERS: Readonly<Record<string, { wrap: TopWrapper; summary: string }>> = {
  axis: {
    wrap: (top): WrappedTop => {
      const w = axisWrapper(top);
      return { module: w.module, readme: axisReadme(w) };
    },
    summary: 'AXI4-Stream wrapper `<top>_axis` (fpga/axi): s_axis_* in, m_axis_* out, skid buffers on every port',
  },
};

/** The wrapper called `name`, or undefined for 'none' / no name; throws for an unknown name. */
export function findTopWrapper(name: string | undefined): TopWrapper | undefined {
  if (name === undefined || name === 'none') return undefined;
  const w = TOP_WRAPPERS[name];
  if (!w) throw new Error(`unknown top wrapper '${name}' (wrappers: none, ${Object.keys(TOP_WRAPPERS).join(', ')})`);
  return w.wrap;
}
