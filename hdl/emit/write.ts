/** Writes a design's Verilog files (one module per file) into a directory. */
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Module } from '../core/ir.ts';
import { emitDesign, type EmittedModule } from './verilog.ts';

export interface WrittenModule extends EmittedModule {
  /** Absolute path of the written file. */
  path: string;
}

/** Children first, top last. */
export function writeDesign(top: Module, dir: string): WrittenModule[] {
  mkdirSync(dir, { recursive: true });
  return emitDesign(top).map((e) => {
    const p = path.resolve(dir, e.fileName);
    writeFileSync(p, e.text);
    return { ...e, path: p };
  });
}
