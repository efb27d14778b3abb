import path from 'node:path';

/** A path as stored in canonical configs: relative to `baseDir`, POSIX separators. */
export function relativeToBase(baseDir: string, p: string): string {
  const rel = path.relative(baseDir, path.resolve(baseDir, p));
  return (rel === '' ? '.' : rel).split(path.sep).join('/');
}

/** The absolute path of a canonical (base-relative) path. */
export function fromBase(baseDir: string, p: string): string {
  return path.resolve(baseDir, ...p.split('/'));
}
