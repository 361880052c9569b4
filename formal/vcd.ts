/**
 * Reads the top-level signals of a VCD file written by Yosys' `sat -dump_vcd`: each timestamp that
 * carries values is one time step of the counterexample (the last, empty timestamp only closes it).
 */
export interface VcdSteps {
  /** Values of every other dumped signal (names with dots: `dut.count`, `dut.q.store[3]`) in the first step: the initial state. */
  initial: Map<string, bigint>;
  /** Signal name (top scope, without Yosys' leading backslash) -> width. */
  widths: Map<string, number>;
  /** Per step: signal name -> value (values persist until changed; 'x'/'z' bits read as 0). */
  steps: Map<string, bigint>[];
}

export function readVcdSteps(text: string): VcdSteps {
  const widths = new Map<string, number>();
  const idToName = new Map<string, string>();
  const idToInner = new Map<string, string>();
  let depth = 0;
  let i = 0;
  const lines = text.split('\n');
  for (; i < lines.length; i++) {
    const l = lines[i].trim();
    if (l.startsWith('$scope')) depth++;
    else if (l.startsWith('$upscope')) depth--;
    else if (l.startsWith('$var')) {
      const parts = l.split(/\s+/);
      const name = parts[4].replace(/^\\/, '');
      if (depth === 1 && !name.includes('.') && !name.startsWith('_')) {
        idToName.set(parts[3], name);
        widths.set(name, Number(parts[2]));
      } else if (depth === 1 && name.includes('.')) idToInner.set(parts[3], name);
    } else if (l.startsWith('$enddefinitions')) break;
  }
  const steps: Map<string, bigint>[] = [];
  const current = new Map<string, bigint>();
  const initial = new Map<string, bigint>();
  let pending = false;
  const bits = (s: string) => BigInt('0b' + (s.replace(/[xXzZ]/g, '0') || '0'));
  for (i++; i < lines.length; i++) {
    const l = lines[i].trim();
    if (!l || l.startsWith('$')) continue;
    if (l.startsWith('#')) {
      if (pending) steps.push(new Map(current));
      pending = false;
      continue;
    }
    let id: string;
    let v: bigint;
    if (l[0] === 'b') {
      const [val, ident] = l.slice(1).split(/\s+/);
      id = ident;
      v = bits(val);
    } else {
      id = l.slice(1);
      v = bits(l[0]);
    }
    const inner = idToInner.get(id);
    if (inner !== undefined && steps.length === 0) initial.set(inner, v);
    const name = idToName.get(id);
    if (name === undefined) continue;
    current.set(name, v);
    pending = true;
  }
  if (pending) steps.push(new Map(current));
  return { widths, steps, initial };
}
