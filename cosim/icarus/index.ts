/**
 * Icarus Verilog co-simulation: the independent second simulator (see README.md).
 *
 *   const r = await icarusRun(design, { in: stimulus }, { seed: 1, stall: 0.3, backpressure: 0.3 });
 *   // r.outputs.out is a TxnTable; r.hang / r.protocolErrors report a misbehaving design.
 */
export { icarusRun, IcarusError, ICARUS_DEFAULTS } from './run.ts';
export type { IcarusOptions, IcarusResult, IcarusHang } from './run.ts';
export { generateTestbench, testbenchArgs, checkDesign, inputHexName, outputHexName, ARGS_FILE } from './testbench.ts';
export { buildIcarus, IcarusBuildError } from './build.ts';
export type { IcarusBuild, IcarusBuildOptions } from './build.ts';
export type { TestbenchConfig, TestbenchShape } from './testbench.ts';
export { recordsToHex, hexToRecords } from './records.ts';
export type { ParsedRecords } from './records.ts';
