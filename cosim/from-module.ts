/** Moved to hdl/ports/from-module.ts (and lane-widths.ts); this re-export keeps code written against the old path compiling. */
export * from '../hdl/ports/from-module.ts';
export { laneWidthsOf } from './lane-widths.ts';
