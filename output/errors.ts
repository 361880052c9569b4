/** The one error type of the output layer: a bad output target or a refusal to touch a file (exit 2). */
export class OutputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OutputError';
  }
}

/** An fs error as one line naming the path and the problem in words. */
export function fsProblem(file: string, e: unknown): OutputError {
  if (e instanceof OutputError) return e;
  const code = (e as NodeJS.ErrnoException).code;
  const words: Record<string, string> = {
    EACCES: 'permission denied',
    ENOENT: 'cannot be created here (no such file or directory)',
    EPERM: 'operation not permitted',
    ENOTDIR: 'a parent of it is not a directory',
    EISDIR: 'is a directory',
    EEXIST: 'already exists',
    ENOSPC: 'no space left on the device',
    EROFS: 'read-only file system',
    ENAMETOOLONG: 'name too long',
    ELOOP: 'too many symbolic links',
  };
  return new OutputError(`${file}: ${(code && words[code]) ?? (e as Error).message ?? String(e)}${code ? ` (${code})` : ''}`);
}
