/**
 * Build step (`npm run build`, after tsc): writes dist/cli/unit-listing.json, the listing the built
 * `kvhdl list` prints (cli/unit-listing.ts). Run as `node dist/cli/write-unit-listing.js`.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { computeUnitListings, LISTING_FILE } from './unit-listing.ts';

if (!LISTING_FILE) throw new Error('write-unit-listing runs from the build (node dist/cli/write-unit-listing.js)');
writeFileSync(fileURLToPath(LISTING_FILE), `${JSON.stringify(await computeUnitListings(), null, 1)}\n`);
