/** Command-line parsing shared by the kvhdl commands (node:util parseArgs, strict). */
import { parseArgs, type ParseArgsConfig } from 'node:util';

export class UsageError extends Error {
  constructor(message: string, readonly usage: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface Command {
  name: string;
  summary: string;
  usage: string;
  run(argv: string[]): Promise<number>;
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** Parses argv; unknown options and wrong arity become a UsageError carrying the command's usage. */
export function parse<O extends Options>(cmd: Pick<Command, 'usage'>, argv: string[], options: O, positionals: { min: number; max: number }) {
  let r;
  try {
    r = parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message.split('\n')[0], cmd.usage);
  }
  const help = (r.values as Record<string, unknown>).help === true;
  if (!help && (r.positionals.length < positionals.min || r.positionals.length > positionals.max)) {
    throw new UsageError(`expected ${positionals.min === positionals.max ? positionals.min : `${positionals.min}..${positionals.max}`} argument(s), got ${r.positionals.length}`, cmd.usage);
  }
  return { values: r.values, positionals: r.positionals, help };
}
