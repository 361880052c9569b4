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

/** A token that is a number, also a negative one (`-1`, `-0.5`, `-1e3`, `-.5`, `-Infinity`). */
const NUMBER_TOKEN = /^-(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$|^-Infinity$/;

/**
 * parseArgs reads `--sigma -1` as an option `--sigma` followed by an unknown option `-1` ("argument
 * is ambiguous"). For a string option followed by a negative number, pass `--sigma=-1` instead, so
 * the command's own range check sees the value (a negative sigma is legitimate; a negative seed gets
 * the seed's range message).
 */
function joinNegativeValues(argv: readonly string[], options: Options): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      for (let j = i; j < argv.length; j++) out.push(argv[j]);
      break;
    }
    const name = a.startsWith('--') && !a.includes('=') ? a.slice(2) : null;
    const next = argv[i + 1];
    if (name !== null && options[name]?.type === 'string' && next !== undefined && NUMBER_TOKEN.test(next)) {
      out.push(`${a}=${next}`);
      i++;
    } else out.push(a);
  }
  return out;
}

type WithHelp<O extends Options> = O & { help: { type: 'boolean'; short: 'h' } };
type Parsed<O extends Options> = ReturnType<typeof parseArgs<{ args: string[]; options: WithHelp<O>; allowPositionals: true; strict: true }>>;

/** Parses argv; unknown options and wrong arity become a UsageError carrying the command's usage. */
export function parse<O extends Options>(
  cmd: Pick<Command, 'usage'>,
  argv: string[],
  options: O,
  positionals: { min: number; max: number },
): { values: Parsed<O>['values']; positionals: string[]; help: boolean } {
  let r;
  try {
    r = parseArgs({ args: joinNegativeValues(argv, options), options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message.split('\n')[0], cmd.usage);
  }
  const help = (r.values as Record<string, unknown>).help === true;
  if (!help && (r.positionals.length < positionals.min || r.positionals.length > positionals.max)) {
    throw new UsageError(`expected ${positionals.min === positionals.max ? positionals.min : `${positionals.min}..${positionals.max}`} argument(s), got ${r.positionals.length}`, cmd.usage);
  }
  return { values: r.values, positionals: r.positionals, help };
}
