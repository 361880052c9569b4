/**
 * The size and sha256 of a cached build's executable, recorded in its `key.json` when it is
 * built and checked before every use, so a truncated or corrupt `sim` (a full disk, an
 * interrupted copy) is rebuilt instead of failing every run.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';

export interface ArtifactRecord {
  size: number;
  sha256: string;
}

async function sha256File(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** The record of `file` as it is now. */
export async function recordArtifact(file: string): Promise<ArtifactRecord> {
  const st = await fs.stat(file);
  return { size: st.size, sha256: await sha256File(file) };
}

/** Why `file` does not match `record` (missing, other size, other hash), or undefined when it does. */
export async function artifactProblem(file: string, record: ArtifactRecord | undefined): Promise<string | undefined> {
  if (!record || typeof record.size !== 'number' || typeof record.sha256 !== 'string') return 'no size and sha256 recorded';
  let size: number;
  try {
    size = (await fs.stat(file)).size;
  } catch (e) {
    return `cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`;
  }
  if (size !== record.size) return `${size} bytes, built as ${record.size}`;
  try {
    if ((await sha256File(file)) !== record.sha256) return 'its sha256 differs from the one recorded at build time';
  } catch (e) {
    return `cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`;
  }
  return undefined;
}

/**
 * Why the cache entry `dir` cannot be used: its `artifact` file is missing, or does not match the
 * record in its key.json; undefined when it can.
 */
export async function entryProblem(dir: string, artifact: string): Promise<string | undefined> {
  const file = path.join(dir, artifact);
  if (!existsSync(file)) return 'missing';
  let record: ArtifactRecord | undefined;
  try {
    record = (JSON.parse(await fs.readFile(path.join(dir, 'key.json'), 'utf8')) as { artifact?: ArtifactRecord }).artifact;
  } catch {
    record = undefined;
  }
  return artifactProblem(file, record);
}
