/** Moved to data/npy.ts (the shared data vocabulary); this re-export keeps code written against the old path compiling. */
export * from '../data/npy.ts';
