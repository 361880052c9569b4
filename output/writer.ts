/**
 * Writes a command's output files into a directory without ever losing a file kvhdl did not write.
 *
 *   const out = new OutputSet('rtl-out/minmax', { command: 'kvhdl gen', kind: 'set' });
 *   out.put('kv_minmax.v', text);                       // in memory
 *   await out.stage('big.npy', (tmp) => writeNpy(tmp));  // written to a staging file first
 *   out.commit();                                        // all or nothing (see below)
 *
 * commit() first checks every target: a file may be replaced only when it does not exist, already has
 * the new content, or is recorded (in the `.kvhdl-written.json` of its directory or of any directory
 * above it) with the hash of its current content, i.e. kvhdl wrote it and nobody edited it since. Any
 * other file in the way (a user's file, an edited one, a directory, a symbolic link) makes commit()
 * throw one OutputError naming it, before anything is written. Only then are the files renamed into
 * place from a staging directory inside the root (each rename is atomic), and, for `kind: 'set'`,
 * files of the previous set that this run no longer writes are removed if unedited (edited ones are
 * kept, reported and forgotten). The record is rewritten last; while files are being renamed it
 * carries both hashes, so an interrupted commit still owns what it wrote.
 */
import { lstatSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fsProblem, OutputError } from './errors.ts';
import { makeDirs } from './make-dirs.ts';
import { checkOutputsAvoidInputs } from './overlap.ts';
import { RECORD_FILE, readRecord, recordText, sha256, sha256File, type RecordEntry, type WrittenRecord } from './record.ts';

export interface OutputSetOptions {
  /** The command writing, e.g. 'kvhdl gen' (stored in the record, used in messages). */
  command: string;
  /** 'set': the run writes the directory's whole output (stale files of the previous run go); 'file': single outputs, nothing else is removed. */
  kind: 'set' | 'file';
  /** The command's input files by option (e.g. {'--config': 'f.json'}): commit() refuses to write over any of them. */
  inputs?: Record<string, string>;
  /** Where notes about kept files go (default: stderr). */
  log?: (line: string) => void;
}

export interface CommitSummary {
  /** Absolute paths written (new or changed). */
  written: string[];
  /** Absolute paths whose content was already the new content. */
  unchanged: string[];
  /** Absolute paths of the previous set's files removed. */
  removed: string[];
  /** Absolute paths of the previous set's files kept because they were edited. */
  kept: string[];
}

const STAGING_PREFIX = '.kvhdl-staging-';
const toPosix = (p: string) => p.split(path.sep).join('/');

/** Checks a relative output path: no absolute paths, no '..', no empty parts, not the record. */
function checkRel(rel: string): string {
  const parts = rel.split('/');
  if (!rel || path.isAbsolute(rel) || parts.some((p) => p === '' || p === '.' || p === '..') || parts[0] === RECORD_FILE || parts[0].startsWith(STAGING_PREFIX)) {
    throw new OutputError(`'${rel}': not a usable output file name (reserved, absolute or with '..')`);
  }
  return rel;
}

function lstatOrUndefined(p: string) {
  try {
    return lstatSync(p);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'ENOTDIR') return null; // a parent is a file
    throw fsProblem(p, e);
  }
}

/** Why `dir` cannot be an output directory (a parent or itself is a file), or undefined. */
export function outputDirProblem(dir: string): string | undefined {
  for (let p = path.resolve(dir); ; p = path.dirname(p)) {
    let st;
    try {
      st = statSync(p);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') return fsProblem(p, e).message;
      st = undefined;
    }
    if (st && !st.isDirectory()) return `${p}: is not a directory`;
    if (st || p === path.dirname(p)) return undefined;
  }
}

/** Is the file at `abs` (content hash `h`) recorded as written by kvhdl, in its directory or one above? */
function ownedBy(abs: string, h: string, records: Map<string, WrittenRecord | undefined>): boolean {
  for (let dir = path.dirname(abs); ; dir = path.dirname(dir)) {
    if (!records.has(dir)) records.set(dir, readRecord(dir));
    const e = records.get(dir)?.files[toPosix(path.relative(dir, abs))];
    if (e && (e.sha256 === h || e.pending === h)) return true;
    if (dir === path.dirname(dir)) return false;
  }
}

function refusal(conflicts: string[]): OutputError {
  const shown = conflicts.slice(0, 5).join('; ');
  const more = conflicts.length > 5 ? ` (and ${conflicts.length - 5} more)` : '';
  return new OutputError(`refusing to overwrite ${shown}${more}; move ${conflicts.length === 1 ? 'it' : 'them'} away or choose another output directory`);
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class OutputSet {
  readonly root: string;
  private readonly entries = new Map<string, { data?: string | Uint8Array; staged?: string }>();
  private staging?: string;

  constructor(root: string, private readonly opts: OutputSetOptions) {
    this.root = path.resolve(root);
    const problem = outputDirProblem(this.root);
    if (problem) throw new OutputError(problem);
  }

  /** Absolute path that `rel` will have. */
  path(rel: string): string {
    return path.join(this.root, checkRel(rel));
  }

  /** Relative paths of the outputs so far. */
  get names(): string[] {
    return [...this.entries.keys()];
  }

  put(rel: string, data: string | Uint8Array): string {
    this.entries.set(checkRel(rel), { data });
    return this.path(rel);
  }

  /** Lets `write` produce the output at a staging path (large files that should not sit in memory). */
  async stage(rel: string, write: (file: string) => Promise<void> | void): Promise<string> {
    checkRel(rel);
    const file = path.join(this.stagingDir(), `${this.entries.size}-${path.basename(rel)}`);
    await write(file);
    this.entries.set(rel, { staged: file });
    return this.path(rel);
  }

  private stagingDir(): string {
    if (!this.staging) {
      try {
        makeDirs(this.root);
        this.staging = path.join(this.root, `${STAGING_PREFIX}${process.pid}-${Math.random().toString(36).slice(2, 10)}`);
        mkdirSync(this.staging);
      } catch (e) {
        throw fsProblem(this.staging ?? this.root, e);
      }
    }
    return this.staging;
  }

  /** Removes the staging directory (after a failure; commit() does it itself). */
  discard(): void {
    if (this.staging) rmSync(this.staging, { recursive: true, force: true });
    this.staging = undefined;
  }

  commit(): CommitSummary {
    try {
      return this.commitInner();
    } finally {
      this.discard();
    }
  }

  private commitInner(): CommitSummary {
    const log = this.opts.log ?? ((l: string) => console.error(l));
    if (this.opts.inputs) checkOutputsAvoidInputs(this.opts.inputs, this.names.map((n) => this.path(n)));
    const records = new Map<string, WrittenRecord | undefined>();
    const conflicts: string[] = [];
    const plan: { rel: string; abs: string; hash: string; same: boolean }[] = [];
    for (const [rel, e] of this.entries) {
      const hash = e.data !== undefined ? sha256(e.data) : sha256File(e.staged!);
      const r = this.targetState(rel, hash, records);
      if (typeof r === 'string') conflicts.push(r);
      else plan.push({ rel, abs: path.join(this.root, rel), hash, same: r.same });
    }
    if (conflicts.length) throw refusal(conflicts);

    const old = (records.has(this.root) ? records.get(this.root) : readRecord(this.root)) ?? { generator: 'kvhdl', command: this.opts.command, files: {} };
    const files: Record<string, RecordEntry> = { ...old.files };
    // Stale members of the previous set: removable while unedited.
    const stale: { rel: string; abs: string }[] = [];
    const kept: string[] = [];
    if (this.opts.kind === 'set') {
      for (const [rel, e] of Object.entries(old.files)) {
        if (e.kind !== 'set' || this.entries.has(rel)) continue;
        const abs = path.join(this.root, ...rel.split('/'));
        const st = lstatOrUndefined(abs);
        if (!st || !st.isFile()) {
          delete files[rel];
          continue;
        }
        const now = sha256File(abs);
        if (now === e.sha256 || now === e.pending) stale.push({ rel, abs });
        else {
          kept.push(abs);
          delete files[rel];
          log(`${this.opts.command}: kept ${abs}: it was edited since kvhdl wrote it, and this run no longer writes it`);
        }
      }
    }

    try {
      makeDirs(this.root);
    } catch (e) {
      throw fsProblem(this.root, e);
    }
    const writeRecord = (r: WrittenRecord) => {
      const file = path.join(this.root, RECORD_FILE);
      const tmp = path.join(this.stagingDir(), RECORD_FILE);
      try {
        writeFileSync(tmp, recordText(r));
        renameSync(tmp, file);
      } catch (e) {
        throw fsProblem(file, e);
      }
    };
    for (const p of plan) {
      const prev = files[p.rel];
      files[p.rel] = { sha256: prev && !p.same ? prev.sha256 : p.hash, kind: this.opts.kind, ...(p.same ? {} : { pending: p.hash }) };
    }
    writeRecord({ generator: 'kvhdl', command: this.opts.command, files });

    const written: string[] = [];
    const unchanged: string[] = [];
    for (const p of plan) {
      if (p.same) {
        unchanged.push(p.abs);
        continue;
      }
      const e = this.entries.get(p.rel)!;
      try {
        makeDirs(path.dirname(p.abs));
        let src = e.staged;
        if (!src) {
          src = path.join(this.stagingDir(), `${written.length}-${path.basename(p.rel)}`);
          writeFileSync(src, e.data!);
        }
        renameSync(src, p.abs);
      } catch (err) {
        throw fsProblem(p.abs, err);
      }
      written.push(p.abs);
    }
    const removed: string[] = [];
    for (const s of stale) {
      try {
        unlinkSync(s.abs);
      } catch (err) {
        throw fsProblem(s.abs, err);
      }
      delete files[s.rel];
      removed.push(s.abs);
    }
    for (const p of plan) files[p.rel] = { sha256: p.hash, kind: this.opts.kind };
    writeRecord({ generator: 'kvhdl', command: this.opts.command, files });
    this.cleanStaleStaging();
    return { written, unchanged, removed, kept };
  }

  /**
   * Fails early (before a long run) with the OutputError commit() would throw for outputs whose names
   * are known in advance; a file in the way that kvhdl did not write is refused even if it might turn
   * out to hold the very content the run would write.
   */
  precheck(rels: readonly string[]): void {
    if (this.opts.inputs) checkOutputsAvoidInputs(this.opts.inputs, rels.map((n) => this.path(n)));
    const records = new Map<string, WrittenRecord | undefined>();
    const conflicts = rels.map((rel) => this.targetState(checkRel(rel), undefined, records)).filter((r): r is string => typeof r === 'string');
    if (conflicts.length) throw refusal(conflicts);
  }

  /** Whether `rel` may be written (same: it already holds content `hash`), or why not. */
  private targetState(rel: string, hash: string | undefined, records: Map<string, WrittenRecord | undefined>): { same: boolean } | string {
    const abs = path.join(this.root, rel);
    // every parent between the root and the file must be a directory (or not exist yet)
    for (let p = path.dirname(abs); p.length > this.root.length; p = path.dirname(p)) {
      const st = lstatOrUndefined(p);
      if (st && !st.isDirectory()) return `${p}: is in the way of ${rel} (not a directory)`;
    }
    const st = lstatOrUndefined(abs);
    if (!st) return { same: false };
    if (st.isSymbolicLink()) return `${abs}: is a symbolic link (kvhdl does not write through links)`;
    if (!st.isFile()) return `${abs}: is in the way (not a regular file)`;
    const now = sha256File(abs);
    if (now === hash) return { same: true };
    if (ownedBy(abs, now, records)) return { same: false };
    return `${abs}: kvhdl did not write it, or it was edited since`;
  }

  /** Staging directories of kvhdl runs that died (their pid is gone) are removed. */
  private cleanStaleStaging(): void {
    let names: string[] = [];
    try {
      names = readdirSync(this.root);
    } catch {
      return;
    }
    for (const n of names) {
      const m = /^\.kvhdl-staging-(\d+)-[a-z0-9]+$/.exec(n);
      if (!m || Number(m[1]) === process.pid || pidAlive(Number(m[1]))) continue;
      rmSync(path.join(this.root, n), { recursive: true, force: true });
    }
  }
}
