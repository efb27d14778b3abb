import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { tempDir } from './tmp.js';

/**
 * A small disk for disk-full tests: a tmpfs of a given size mounted in a private mount
 * namespace (`unshare`), so it exists only for the script run on it and needs no cleanup.
 * Root mounts it directly; other users as root of a new user namespace, where the system allows.
 */
const NAMESPACE_FLAGS: string[][] = process.getuid?.() === 0 ? [['--mount'], ['--user', '--map-root-user', '--mount']] : [['--user', '--map-root-user', '--mount']];

function tryMount(flags: string[]): boolean {
  const r = spawnSync('unshare', [...flags, 'sh', '-c', 'mount -t tmpfs -o size=16k tmpfs "$1"', 'sh', tempDir('autombw-disk-probe-')], { encoding: 'utf8' });
  return r.status === 0;
}

const flags = process.platform === 'linux' ? NAMESPACE_FLAGS.find(tryMount) : undefined;

/** True where a small disk can be made here (Linux with unshare, as root or with user namespaces). */
export const smallDiskAvailable = flags !== undefined;

/**
 * Runs `script` with sh on a fresh tmpfs of `kib` KiB mounted at $DISK; `env` adds variables.
 * Whatever the script wants to keep must be copied out of $DISK before it ends.
 */
export function onSmallDisk(kib: number, script: string, env: Readonly<Record<string, string>> = {}): SpawnSyncReturns<string> {
  if (!flags) throw new Error('no small disk here: mounting a tmpfs in a private namespace is not allowed');
  const disk = tempDir('autombw-disk-');
  return spawnSync('unshare', [...flags, 'sh', '-c', `mount -t tmpfs -o size=${kib}k tmpfs "$DISK" || exit 99\n${script}`], {
    encoding: 'utf8',
    env: { ...process.env, ...env, DISK: disk },
    timeout: 120_000,
  });
}
