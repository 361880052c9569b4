/**
 * Unit configuration: validation with readable, one-line-per-field errors, and a description of
 * every field for `kvhdl list` (from the zod schema itself, so docs and checks cannot drift).
 */
import { z } from 'zod';
import type { AnyUnit } from './unit.ts';
import { readJsonFile } from './json-file.ts';
import { JsonTextError } from './json-text.ts';

export class ConfigError extends Error {
  constructor(readonly lines: string[]) {
    super(lines.join('\n'));
    this.name = 'ConfigError';
  }
}

export interface FieldDoc {
  name: string;
  type: string;
  default?: unknown;
  /** No default and not required: the unit fills it in (e.g. a stage field from the `pipeline` preset). */
  optional?: boolean;
  description: string;
}

interface JsonProp {
  const?: unknown;
  type?: string;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  default?: unknown;
  description?: string;
  items?: JsonProp;
  anyOf?: JsonProp[];
}

function typeText(p: JsonProp): string {
  if (p.const !== undefined) return JSON.stringify(p.const);
  if (p.enum) return p.enum.map((v) => JSON.stringify(v)).join(' | ');
  if (p.anyOf) return p.anyOf.map(typeText).join(' | ');
  let t = p.type ?? 'any';
  if (t === 'array' && p.items) {
    const item = typeText(p.items);
    t = `${item.includes(' ') ? `(${item})` : item}[]`;
  }
  const max = p.maximum !== undefined && p.maximum < Number.MAX_SAFE_INTEGER ? p.maximum : undefined;
  if (p.minimum !== undefined || max !== undefined) t += ` ${p.minimum ?? ''}..${max ?? ''}`;
  return t;
}

/** The fields of a unit's configuration. */
export function describeConfig(unit: AnyUnit): FieldDoc[] {
  const js = z.toJSONSchema(unit.schema, { io: 'input', unrepresentable: 'any' }) as { properties?: Record<string, JsonProp>; required?: string[] };
  const required = new Set(js.required ?? []);
  return Object.entries(js.properties ?? {}).map(([name, p]) => ({
    name,
    type: typeText(p),
    default: p.default,
    ...(p.default === undefined && !required.has(name) ? { optional: true } : {}),
    description: p.description ?? '',
  }));
}

function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  const s = JSON.stringify(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number' && !Number.isInteger(v)) return 'non-integer number';
  return typeof v;
}

/** One line per problem: `<where>: field 'lanes': must be at most 256, got 300`. */
export function formatIssues(unit: AnyUnit, issues: readonly z.core.$ZodIssue[], where: string): string[] {
  const allowed = describeConfig(unit).map((f) => f.name);
  return issues.map((iss) => {
    const path = iss.path.map(String).join('.');
    const field = path ? `field '${path}'` : 'config';
    const input = (iss as { input?: unknown }).input;
    let msg: string;
    switch (iss.code) {
      case 'unrecognized_keys':
        return `${where}: unknown field${iss.keys.length > 1 ? 's' : ''} ${iss.keys.map((k) => `'${k}'`).join(', ')} (allowed: ${allowed.join(', ')})`;
      case 'too_big':
        msg = `must be at most ${String(iss.maximum)}${iss.inclusive === false ? ' (exclusive)' : ''}, got ${show(input)}`;
        break;
      case 'too_small':
        msg = `must be at least ${String(iss.minimum)}${iss.inclusive === false ? ' (exclusive)' : ''}, got ${show(input)}`;
        break;
      case 'invalid_type':
        msg = `expected ${iss.expected}, got ${kindOf(input)} ${show(input)}`;
        break;
      case 'invalid_value':
        msg = `must be one of ${iss.values.map((v) => JSON.stringify(v)).join(', ')}, got ${show(input)}`;
        break;
      default:
        msg = iss.message;
    }
    return `${where}: ${field}: ${msg}`;
  });
}

/** Validates a raw config object (defaults applied); throws ConfigError listing every problem. */
export function parseConfig<C>(unit: AnyUnit, raw: unknown, where = 'config'): C {
  const r = unit.schema.safeParse(raw ?? {}, { reportInput: true });
  if (r.success) return r.data as C;
  throw new ConfigError(formatIssues(unit, r.error.issues, where));
}

/** Reads and validates a JSON config file (a regular file of at most 16 MiB: gen/json-file.ts). */
export function loadConfig<C>(unit: AnyUnit, file?: string): C {
  if (!file) return parseConfig<C>(unit, {});
  let raw: unknown;
  try {
    raw = readJsonFile(file);
  } catch (e) {
    if (e instanceof JsonTextError) throw new ConfigError([`${file}: ${e.message}`]);
    throw e;
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ConfigError([`${file}: config must be a JSON object of fields, got ${kindOf(raw)}`]);
  }
  return parseConfig<C>(unit, raw, file);
}
