import path from 'node:path';

/**
 * A path as stored in canonical configs: relative to `baseDir` with POSIX separators, so the
 * experiment folder can move. An absolute path outside the folder (a system program, a shared
 * model folder) stays absolute, since it does not move with the experiment.
 */
export function relativeToBase(baseDir: string, p: string): string {
  const outside = path.relative(baseDir, p).startsWith('..');
  if (path.isAbsolute(p) && outside) return path.normalize(p).split(path.sep).join('/');
  const rel = path.relative(baseDir, path.resolve(baseDir, p));
  return (rel === '' ? '.' : rel).split(path.sep).join('/');
}

/** The absolute path of a canonical (base-relative) path. */
export function fromBase(baseDir: string, p: string): string {
  return path.resolve(baseDir, p.split('/').join(path.sep));
}
