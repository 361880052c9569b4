import { describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { OutputError, OutputSet, RECORD_FILE, commitSingleFile } from '../../output/index.ts';
import { sha256 } from '../../output/record.ts';

const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'kvhdl-out-'));
const set = (dir: string, kind: 'set' | 'file' = 'set') => new OutputSet(dir, { command: 'test', kind, log: () => {} });
const write = (dir: string, files: Record<string, string>) => {
  const s = set(dir);
  for (const [k, v] of Object.entries(files)) s.put(k, v);
  return s.commit();
};

describe('OutputSet: kvhdl replaces only what it wrote', () => {
  it('writes into a new directory and records every file with its hash', () => {
    const dir = path.join(tmp(), 'a', 'b');
    const r = write(dir, { 'x.v': 'x', 'sub/y.v': 'y' });
    expect(r.written.map((f) => path.relative(dir, f)).sort()).toEqual(['sub/y.v', 'x.v']);
    const rec = JSON.parse(readFileSync(path.join(dir, RECORD_FILE), 'utf8'));
    expect(rec.files['sub/y.v']).toEqual({ sha256: sha256('y'), kind: 'set' });
    expect(readdirSync(dir).filter((n) => n.startsWith('.kvhdl-staging'))).toEqual([]);
  });

  it('refuses a file it did not write, before writing anything', () => {
    const dir = tmp();
    writeFileSync(path.join(dir, 'b.v'), 'mine');
    expect(() => write(dir, { 'a.v': 'a', 'b.v': 'b' })).toThrow(OutputError);
    expect(existsSync(path.join(dir, 'a.v'))).toBe(false);
    expect(readFileSync(path.join(dir, 'b.v'), 'utf8')).toBe('mine');
  });

  it('replaces its own unedited files, removes stale ones, keeps (and forgets) edited ones', () => {
    const dir = tmp();
    write(dir, { 'a.v': 'a1', 'b.v': 'b1', 'c.v': 'c1' });
    writeFileSync(path.join(dir, 'c.v'), 'c1 edited');
    writeFileSync(path.join(dir, 'user.v'), 'user');
    const r = write(dir, { 'a.v': 'a2' });
    expect(readFileSync(path.join(dir, 'a.v'), 'utf8')).toBe('a2');
    expect(existsSync(path.join(dir, 'b.v'))).toBe(false);
    expect(readFileSync(path.join(dir, 'c.v'), 'utf8')).toBe('c1 edited');
    expect(readFileSync(path.join(dir, 'user.v'), 'utf8')).toBe('user');
    expect(r.removed).toEqual([path.join(dir, 'b.v')]);
    expect(r.kept).toEqual([path.join(dir, 'c.v')]);
    // c.v is the user's now: a later run that writes c.v again is refused
    expect(() => write(dir, { 'c.v': 'c3' })).toThrow(/c\.v: kvhdl did not write it, or it was edited since/);
  });

  it('an edited file of its own is refused, an identical one is fine', () => {
    const dir = tmp();
    write(dir, { 'a.v': 'a' });
    expect(write(dir, { 'a.v': 'a' }).unchanged).toEqual([path.join(dir, 'a.v')]);
    writeFileSync(path.join(dir, 'a.v'), 'edited');
    expect(() => write(dir, { 'a.v': 'b' })).toThrow(OutputError);
    expect(readFileSync(path.join(dir, 'a.v'), 'utf8')).toBe('edited');
  });

  it('files recorded by an enclosing directory count as its own (gen --all, then gen <unit>)', () => {
    const root = tmp();
    write(root, { 'u/a.v': 'a1' });
    write(path.join(root, 'u'), { 'a.v': 'a2' });
    expect(readFileSync(path.join(root, 'u', 'a.v'), 'utf8')).toBe('a2');
    write(root, { 'u/a.v': 'a3' });
    expect(readFileSync(path.join(root, 'u', 'a.v'), 'utf8')).toBe('a3');
  });

  it('refuses symbolic links, directories and files in the way of a directory', () => {
    const dir = tmp();
    writeFileSync(path.join(dir, 'target'), 'target');
    symlinkSync(path.join(dir, 'target'), path.join(dir, 'l.v'));
    mkdirSync(path.join(dir, 'd.v'));
    writeFileSync(path.join(dir, 'sub'), 'file');
    for (const f of ['l.v', 'd.v', 'sub/x.v']) expect(() => write(dir, { [f]: 'x' }), f).toThrow(OutputError);
    expect(readFileSync(path.join(dir, 'target'), 'utf8')).toBe('target');
    expect(() => set(path.join(dir, 'sub', 'deeper'))).toThrow(/sub: is not a directory/);
  });

  it('a record that is not kvhdl\'s stops it; an interrupted commit (pending hash) still owns its file', () => {
    const dir = tmp();
    writeFileSync(path.join(dir, RECORD_FILE), '{"generator":"someone"}');
    expect(() => write(dir, { 'a.v': 'a' })).toThrow(/not a record kvhdl wrote/);
    const d2 = tmp();
    writeFileSync(path.join(d2, 'a.v'), 'new');
    writeFileSync(path.join(d2, RECORD_FILE), JSON.stringify({ generator: 'kvhdl', command: 'x', files: { 'a.v': { sha256: sha256('old'), kind: 'set', pending: sha256('new') } } }));
    write(d2, { 'a.v': 'newer' });
    expect(readFileSync(path.join(d2, 'a.v'), 'utf8')).toBe('newer');
  });

  it('never writes over an input; precheck fails early', () => {
    const dir = tmp();
    writeFileSync(path.join(dir, 'in.npy'), 'input');
    const s = new OutputSet(dir, { command: 't', kind: 'set', inputs: { '--in': path.join(dir, '.', 'in.npy') } });
    expect(() => s.precheck(['in.npy'])).toThrow(/is both an output and the input --in/);
    s.put('in.npy', 'output');
    expect(() => s.commit()).toThrow(OutputError);
    expect(readFileSync(path.join(dir, 'in.npy'), 'utf8')).toBe('input');
  });

  it('single files: a new one is written, its own is replaced, a user\'s is refused, nothing else goes', () => {
    const dir = tmp();
    const f = path.join(dir, 't.json');
    writeFileSync(path.join(dir, 'other.json'), 'other');
    commitSingleFile(f, '1', 'test');
    commitSingleFile(f, '2', 'test');
    expect(readFileSync(f, 'utf8')).toBe('2');
    writeFileSync(path.join(dir, 'u.json'), 'u');
    expect(() => commitSingleFile(path.join(dir, 'u.json'), 'x', 'test')).toThrow(OutputError);
    write(dir, { 'a.v': 'a' }); // a set run in the same directory leaves single files alone
    write(dir, { 'b.v': 'b' });
    expect(readFileSync(f, 'utf8')).toBe('2');
    expect(readFileSync(path.join(dir, 'other.json'), 'utf8')).toBe('other');
  });

  it('property: random user files survive any sequence of runs byte for byte', () => {
    const name = fc.constantFrom('a.v', 'b.v', 'sub/c.v', 'README.md', 'manifest.json', 'x.npy');
    fc.assert(
      fc.property(
        fc.dictionary(fc.stringMatching(/^[a-z]{1,6}(\.v|\.md|\.json)?$/), fc.uint8Array({ maxLength: 40 }), { maxKeys: 5 }),
        fc.array(fc.array(name, { maxLength: 4 }), { minLength: 1, maxLength: 4 }),
        (user, runs) => {
          const dir = tmp();
          for (const [n, b] of Object.entries(user)) writeFileSync(path.join(dir, n), b);
          for (const [i, names] of runs.entries()) {
            try {
              write(dir, Object.fromEntries(names.map((n) => [n, `${n} run ${i}`])));
            } catch (e) {
              if (!(e instanceof OutputError)) throw e;
            }
          }
          for (const [n, b] of Object.entries(user)) expect(Buffer.compare(readFileSync(path.join(dir, n)), Buffer.from(b)), n).toBe(0);
        },
      ),
      { numRuns: 60 },
    );
  });
});
