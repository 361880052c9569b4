/**
 * The generated C++ of a design's input and output streams (`runtime/streams.h` holds their
 * state): per-cycle drive, sampling and protocol checks, and reset values.
 */
import type { StreamSpec } from '../../hdl/ports/design.ts';
import { fieldWords, recordWords } from '../../data/transactions.ts';
import { streamPortName } from './design-check.ts';
import { cstr, fieldOffsets, readPort, setPort, setPortRandom } from './port-code.ts';

/** Names and strides (in `init_streams`). */
export function streamInit(ins: readonly StreamSpec[], outs: readonly StreamSpec[]): string {
  return (
    ins.map((s, i) => `  in[${i}].name = ${cstr(s.name)}; in[${i}].stride = ${recordWords(s.fields)};\n`).join('') +
    outs.map((s, i) => `  out[${i}].name = ${cstr(s.name)}; out[${i}].stride = ${recordWords(s.fields)};\n`).join('')
  );
}

/** Input stream i offers its next record, or idles with random payload bits (in `drive`). */
export function driveInput(s: StreamSpec, i: number): string {
  const offs = fieldOffsets(s.fields);
  const stride = recordWords(s.fields);
  return (
    `  {  // input stream '${s.name}'\n` +
    `    InStream& s = in[${i}];\n` +
    `    if (!s.offering && s.idx < s.count) s.offering = s.thresh == 0 || s.rng.u32() >= s.thresh;\n` +
    `    if (!s.offering && s.idx < s.count) starved = true;  // a random gap, not the DUT\n` +
    `    if (s.offering) {\n` +
    (s.fields.length ? `      const uint32_t* r = s.data.data() + s.idx * ${stride}u;\n` : '') +
    `      dut->${streamPortName(s, 'valid')} = 1;\n` +
    s.fields.map((f, k) => setPort(streamPortName(s, f.name), f.width, (w) => `r[${offs[k] + w}]`, '      ')).join('') +
    `    } else {\n` +
    `      dut->${streamPortName(s, 'valid')} = 0;\n` +
    s.fields.map((f) => setPortRandom(streamPortName(s, f.name), f.width, `in[${i}].rng`, '      ')).join('') +
    `    }\n` +
    `  }\n`
  );
}

/** Output stream i's ready, with random backpressure (in `drive`). */
export function driveReady(s: StreamSpec, i: number): string {
  return (
    `  out[${i}].ready = out[${i}].thresh == 0 || out[${i}].rng.u32() >= out[${i}].thresh;\n` +
    `  dut->${streamPortName(s, 'ready')} = out[${i}].ready;\n` +
    `  if (!out[${i}].ready) starved = true;  // random backpressure\n`
  );
}

/** Input stream i's ready (in `sample`; offering && ready: the record is accepted on this rising edge). */
export function sampleInput(s: StreamSpec, i: number): string {
  return `  in[${i}].ready = dut->${streamPortName(s, 'ready')} != 0;\n`;
}

/** Output stream i: payload, protocol checks, transfer (in `sample`). */
export function sampleOutput(s: StreamSpec, i: number): string {
  const offs = fieldOffsets(s.fields);
  const stride = recordWords(s.fields);
  const reads = s.fields.map((f, k) => readPort(streamPortName(s, f.name), f.width, 'cur', offs[k], '      ')).join('');
  const compares = s.fields
    .map((f, k) => {
      const nw = fieldWords(f);
      const cond = nw === 1 ? `cur[${offs[k]}] != hold[${offs[k]}]` : `std::memcmp(cur + ${offs[k]}, hold + ${offs[k]}, ${nw * 4}) != 0`;
      return `        if (${cond}) protocol_error(o.name, "payload-changed", ${cstr(f.name)}, cyc, hex(hold + ${offs[k]}, ${nw}), hex(cur + ${offs[k]}, ${nw}));\n`;
    })
    .join('');
  return (
    `  {  // output stream '${s.name}'\n` +
    `    OutStream& o = out[${i}];\n` +
    (stride > 0 ? `    uint32_t cur[${stride}];  // this cycle's payload (read only when valid)\n    uint32_t* const hold = o.hold.data();\n` : '') +
    `    const bool v = dut->${streamPortName(s, 'valid')} != 0;\n` +
    `    if (v) {\n${reads}    }\n` +
    `    if (v && !o.pending) o.since = cyc;\n` +
    `    if (o.pending) {\n` +
    `      if (!v) {\n` +
    `        protocol_error(o.name, "valid-dropped", "", cyc, "", "");\n` +
    `      } else {\n${compares}      }\n` +
    `    }\n` +
    `    if (v && o.ready) {\n` +
    (stride > 0 ? `      o.data.insert(o.data.end(), cur, cur + ${stride});\n` : '') +
    `      o.cycles.push_back(static_cast<uint64_t>(cyc));\n` +
    `      o.validCycles.push_back(static_cast<uint64_t>(o.since));\n` +
    `      if (o.count++ == 0) o.first = cyc;\n` +
    `      o.last = cyc;\n` +
    `      progress = true;\n` +
    `    }\n` +
    `    o.pending = v && !o.ready;\n` +
    (stride > 0 ? `    if (o.pending) std::memcpy(hold, cur, ${stride * 4});\n` : '') +
    `    o.valid = v;\n` +
    `  }\n`
  );
}

/** Reset values: input valid low and payload 0, output ready low (in `drive_reset`). */
export function streamReset(ins: readonly StreamSpec[], outs: readonly StreamSpec[]): string {
  return (
    ins
      .map(
        (s) =>
          `  dut->${streamPortName(s, 'valid')} = 0;\n` +
          s.fields.map((f) => setPort(streamPortName(s, f.name), f.width, () => '0u', '  ')).join(''),
      )
      .join('') + outs.map((s) => `  dut->${streamPortName(s, 'ready')} = 0;\n`).join('')
  );
}
