import { describe, expect, it } from 'vitest';
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readSynthCache, writeSynthCache } from '../../fpga/synth-cache.ts';

describe('synthesis cache', () => {
  it('falls back to the next directory when the shared one cannot be written, and never fails the run', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'kvhdl-synthcache-'));
    const blocked = path.join(root, 'file');
    writeFileSync(blocked, 'x'); // a file where the shared cache directory would be
    const shared = path.join(blocked, 'synth');
    const user = path.join(root, 'user', 'synth');
    expect(await writeSynthCache([shared, user], 'k1', { lut: 1 })).toBe(user);
    expect(await readSynthCache([shared, user], 'k1')).toEqual({ lut: 1 });
    expect(statSync(path.join(user, 'k1.json')).mode & 0o777).toBe(0o644);
    expect(await writeSynthCache([shared], 'k2', { lut: 2 })).toBeUndefined();
    expect(await readSynthCache([shared, user], 'k2')).toBeUndefined();
  });
});
