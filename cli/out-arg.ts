/** The output-location options (--out, --out-dir, --json): an empty value is a usage error, never the cwd. */
import * as path from 'node:path';
import { UsageError } from './args.ts';

/** Absolute path for an output option's value, or `fallback` when the option was not given. */
export function outPathArg(value: unknown, option: string, usage: string, fallback?: string): string {
  if (value === undefined) {
    if (fallback === undefined) throw new UsageError(`${option} is required`, usage);
    return path.resolve(fallback);
  }
  if (typeof value !== 'string' || value.trim() === '') throw new UsageError(`${option} needs a path, got an empty value (an unset shell variable?)`, usage);
  return path.resolve(value);
}
