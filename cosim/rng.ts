/** Moved to data/rng.ts (the shared data vocabulary); this re-export keeps code written against the old path compiling. */
export * from '../data/rng.ts';
