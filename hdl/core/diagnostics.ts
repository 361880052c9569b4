/**
 * Elaboration diagnostics. Builders record problems as they go and `ModuleBuilder.build()` throws one
 * ElaborationError listing every problem of the design, each with its source location.
 */
import type { SourceLoc } from './source.ts';

export type DiagnosticKind = 'width' | 'sign' | 'driver' | 'loop' | 'latch' | 'name' | 'usage';

export interface Diagnostic {
  kind: DiagnosticKind;
  loc: SourceLoc;
  /** The signal the problem is about, when there is one. */
  signal?: string;
  /** The module the problem is in. */
  module: string;
  message: string;
}

export function formatDiagnostic(d: Diagnostic): string {
  return `${d.loc}: ${d.message}`;
}

export class ElaborationError extends Error {
  readonly diagnostics: readonly Diagnostic[];

  constructor(diagnostics: readonly Diagnostic[]) {
    const n = diagnostics.length;
    const head = `elaboration failed with ${n} error${n === 1 ? '' : 's'}:`;
    super([head, ...diagnostics.map((d) => `  ${formatDiagnostic(d)}`)].join('\n'));
    this.name = 'ElaborationError';
    this.diagnostics = diagnostics;
  }
}
