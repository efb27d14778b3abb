import { readFileSync, readlinkSync } from 'node:fs';

/** Linux system calls that write or flush a file, by architecture (process.arch). */
const WRITE_CALLS: Readonly<Record<string, Readonly<Record<number, string>>>> = {
  x64: { 1: 'write', 18: 'pwrite64', 20: 'writev', 74: 'fsync', 75: 'fdatasync' },
  arm64: { 64: 'write', 66: 'writev', 68: 'pwrite64', 82: 'fsync', 83: 'fdatasync' },
};

export interface BlockedWrite {
  call: string;
  /** The file the call writes to or flushes. */
  file: string;
}

/** True where /proc/<pid>/syscall can say what a process is doing (Linux on x64 or arm64). */
export const canProbeSyscalls = process.platform === 'linux' && process.arch in WRITE_CALLS;

/**
 * The write or flush the main thread of `pid` is inside right now, read from
 * /proc/<pid>/syscall (first field: the call's number, or "running"; then its arguments in hex,
 * the first being the file descriptor). Undefined when it is doing anything else.
 */
export function blockedWrite(pid: number): BlockedWrite | undefined {
  let fields: string[];
  try {
    fields = readFileSync(`/proc/${pid}/syscall`, 'utf8').trim().split(' ');
  } catch {
    return undefined; // exited, or /proc is not there
  }
  const call = WRITE_CALLS[process.arch]?.[Number(fields[0])];
  if (call === undefined || fields.length < 2) return undefined;
  try {
    return { call, file: readlinkSync(`/proc/${pid}/fd/${Number.parseInt(fields[1], 16)}`) };
  } catch {
    return undefined; // the descriptor closed in between
  }
}
