/** The simulator back ends, by name (`backend.ts`). A new simulator: its folder, and one line here. */
import type { SimBackend, Simulator } from './backend.ts';
import { icarusBackend } from './icarus/backend.ts';
import { verilatorBackend } from './verilator/backend.ts';

export const BACKENDS: Record<Simulator, SimBackend> = {
  verilator: verilatorBackend,
  icarus: icarusBackend,
};

export function backendFor(name: Simulator): SimBackend {
  return BACKENDS[name];
}
