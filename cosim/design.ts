/** Moved to hdl/ports/design.ts (port description); this re-export keeps code written against the old path compiling. */
export * from '../hdl/ports/design.ts';
