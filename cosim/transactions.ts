/** Moved to data/transactions.ts (the shared data vocabulary); this re-export keeps code written against the old path compiling. */
export * from '../data/transactions.ts';
