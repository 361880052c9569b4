/**
 * Makes a finished cache entry readable by every user: directories 0755, files 0644, executables
 * 0755. A build directory starts as mkdtemp's 0700, so without this an entry built by root (or
 * under a strict umask) cannot be used by anyone else, not even when it is cached.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';

export async function shareEntry(dir: string): Promise<void> {
  await fs.chmod(dir, 0o755);
  for (const e of await fs.readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) await shareEntry(p);
    else if (e.isFile()) {
      const st = await fs.stat(p);
      await fs.chmod(p, st.mode & 0o100 ? 0o755 : 0o644);
    }
  }
}
