/**
 * The generated C++ of a design's memories (`runtime/memory.h` holds the model): names, per-cycle
 * drive (request ready, response offer), sampling (requests in, responses out) and reset values.
 */
import type { DesignUnderTest, MemorySpec, StreamSpec } from '../../hdl/ports/design.ts';
import { streamPortName } from './design-check.ts';
import { cstr, setPort, setPortRandom } from './port-code.ts';

export interface MemoryCode {
  init: string;
  drive: string;
  sample: string;
  reset: string;
}

export function memoryCode(design: DesignUnderTest, mems: readonly MemorySpec[]): MemoryCode {
  const streamOf = (n: string): StreamSpec => design.streams.find((s) => s.name === n)!;
  const code: MemoryCode = { init: '', drive: '', sample: '', reset: '' };
  mems.forEach((m, k) => {
    const req = streamOf(m.request);
    const resp = streamOf(m.response);
    const addr = req.fields.find((f) => f.name === m.addressField)!;
    const data = resp.fields.find((f) => f.name === m.dataField)!;
    const stride = Math.ceil(m.wordWidth / 32);
    code.init += `  mem[${k}].name = ${cstr(m.name)}; mem[${k}].request = ${cstr(m.request)}; mem[${k}].addrField = ${cstr(m.addressField)}; mem[${k}].stride = ${stride};\n`;
    // Other fields of the response stream (none expected) carry random bits.
    const otherResp = resp.fields.filter((f) => f !== data);
    code.drive +=
      `  {  // memory '${m.name}': request ready, response offer\n` +
      `    Memory& mm = mem[${k}];\n` +
      `    mm.reqReady = mm.queue.size() < mm.outstanding && (mm.bpThresh == 0 || mm.rng.u32() >= mm.bpThresh);\n` +
      `    dut->${streamPortName(req, 'ready')} = mm.reqReady;\n` +
      `    if (!mm.reqReady && mm.queue.size() < mm.outstanding) starved = true;\n` +
      `    if (!mm.offering && !mm.queue.empty() && mm.queue.front().due <= cyc)\n` +
      `      mm.offering = mm.stallThresh == 0 || mm.rng.u32() >= mm.stallThresh;\n` +
      `    if (!mm.offering && !mm.queue.empty() && mm.queue.front().due <= cyc) starved = true;\n` +
      `    if (mm.offering) {\n` +
      `      const uint32_t* r = mm.word(mm.queue.front());\n` +
      `      dut->${streamPortName(resp, 'valid')} = 1;\n` +
      setPort(streamPortName(resp, data.name), data.width, (w) => `r[${w}]`, '      ') +
      `    } else {\n` +
      `      dut->${streamPortName(resp, 'valid')} = 0;\n` +
      setPortRandom(streamPortName(resp, data.name), data.width, 'mm.rng', '      ') +
      `    }\n` +
      otherResp.map((f) => setPortRandom(streamPortName(resp, f.name), f.width, 'mm.rng', '    ')).join('') +
      `  }\n`;
    code.sample +=
      `  {  // memory '${m.name}': requests in, responses out\n` +
      `    Memory& mm = mem[${k}];\n` +
      `    const bool rv = dut->${streamPortName(req, 'valid')} != 0;\n` +
      `    const uint64_t a = rv ? static_cast<uint64_t>(dut->${streamPortName(req, addr.name)}) : mm.reqHold;\n` +
      `    if (mm.reqPending) {\n` +
      `      uint32_t hw[2] = {static_cast<uint32_t>(mm.reqHold), static_cast<uint32_t>(mm.reqHold >> 32)};\n` +
      `      uint32_t aw[2] = {static_cast<uint32_t>(a), static_cast<uint32_t>(a >> 32)};\n` +
      `      if (!rv) protocol_error(mm.request, "valid-dropped", "", cyc, "", "");\n` +
      `      else if (a != mm.reqHold) protocol_error(mm.request, "payload-changed", mm.addrField, cyc, hex(hw, 2), hex(aw, 2));\n` +
      `    }\n` +
      `    if (rv && mm.reqReady) {\n` +
      `      const bool bad = a >= mm.words;\n` +
      `      if (bad) {\n` +
      `        uint32_t nw[2] = {static_cast<uint32_t>(mm.words), static_cast<uint32_t>(mm.words >> 32)};\n` +
      `        uint32_t aw[2] = {static_cast<uint32_t>(a), static_cast<uint32_t>(a >> 32)};\n` +
      `        protocol_error(mm.request, "address-out-of-range", mm.addrField, cyc, hex(nw, 2), hex(aw, 2));\n` +
      `      }\n` +
      `      const int64_t lat = mm.latMin + static_cast<int64_t>(mm.rng.next() % static_cast<uint64_t>(mm.latMax - mm.latMin + 1));\n` +
      `      mm.queue.push_back({cyc + lat, bad ? 0 : a, bad});\n` +
      `      if (mm.queue.size() > mm.peak) mm.peak = mm.queue.size();\n` +
      `      ++mm.requests;\n` +
      `      progress = true;\n` +
      `    }\n` +
      `    mm.reqPending = rv && !mm.reqReady;\n` +
      `    if (rv) mm.reqHold = a;\n` +
      `    if (mm.offering && dut->${streamPortName(resp, 'ready')} != 0) {\n` +
      `      mm.queue.pop_front();\n` +
      `      mm.offering = false;\n` +
      `      ++mm.responses;\n` +
      `      progress = true;\n` +
      `    }\n` +
      `  }\n`;
    code.reset +=
      `  dut->${streamPortName(req, 'ready')} = 0;\n  dut->${streamPortName(resp, 'valid')} = 0;\n` +
      resp.fields.map((f) => setPort(streamPortName(resp, f.name), f.width, () => '0u', '  ')).join('');
  });
  return code;
}
