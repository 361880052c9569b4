/**
 * What `kvhdl list` prints: every unit with its config fields. From the sources it is computed from
 * the unit registry (zod schemas of every unit); the build (`npm run build`) also writes it once to
 * dist/cli/unit-listing.json (cli/write-unit-listing.ts), which the built CLI reads instead, so
 * `kvhdl list` does not load every unit and zod (as oclif's command manifest spares loading commands).
 */
import { readFile } from 'node:fs/promises';
import type { FieldDoc } from '../gen/config.ts';

export interface UnitListing {
  unit: string;
  summary: string;
  fields: FieldDoc[];
}

/** The listing file beside the compiled module; undefined when running from the sources. */
export const LISTING_FILE = import.meta.url.endsWith('.js') ? new URL('./unit-listing.json', import.meta.url) : undefined;

/** Computed from the unit registry. */
export async function computeUnitListings(): Promise<UnitListing[]> {
  const [{ units }, { describeConfig }] = await Promise.all([import('../gen/registry.ts'), import('../gen/config.ts')]);
  return units.map((u) => ({ unit: u.name, summary: u.summary, fields: describeConfig(u) }));
}

/** The build's listing when there is one, else computed. */
export async function unitListings(): Promise<UnitListing[]> {
  if (LISTING_FILE) {
    try {
      return JSON.parse(await readFile(LISTING_FILE, 'utf8')) as UnitListing[];
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  }
  return computeUnitListings();
}
