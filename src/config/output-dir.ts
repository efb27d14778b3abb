import { statfsSync, statSync, type Stats } from 'node:fs';
import path from 'node:path';

/** Linux filesystems that hold kernel state, not files (statfs f_type, from linux/magic.h). */
const KERNEL_FILESYSTEMS: Record<number, string> = {
  0x9fa0: 'proc',
  0x62656572: 'sysfs',
  0x27e0eb: 'cgroup',
  0x63677270: 'cgroup2',
  0x64626720: 'debugfs',
  0x74726163: 'tracefs',
  0x73636673: 'securityfs',
  0xcafe4a11: 'bpf',
};

/**
 * Why results could not be written under `dir`, as far as can be told without creating anything:
 * the deepest part of the path that exists must be a directory on a filesystem that stores files.
 */
export function outputDirProblem(dir: string): string | undefined {
  let at = path.resolve(dir);
  let stat: Stats | undefined;
  for (;;) {
    try {
      stat = statSync(at);
      break;
    } catch {
      const parent = path.dirname(at);
      if (parent === at) return undefined;
      at = parent;
    }
  }
  if (!stat.isDirectory()) return `${at} is a file, not a directory`;
  let type: number;
  try {
    type = statfsSync(at).type;
  } catch {
    return undefined; // no statfs here (not Linux-like): nothing more to tell before writing
  }
  const kernel = KERNEL_FILESYSTEMS[type];
  return kernel ? `${at} is on ${kernel}, which holds kernel state, not files: choose a directory on a disk` : undefined;
}
