import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { UserInputError } from '../config/issues.js';
import { isPlainObject } from '../util/json.js';
import { sha256File } from '../util/sha256.js';

/**
 * Content hashes of model files. Hashing a 2–7 GB checkpoint takes seconds to minutes, so results
 * are cached by absolute path, size and mtime: a file replaced in place gets a new mtime and is
 * hashed again. The run hash and the merge metadata both use this.
 */

const CACHE_FILE = 'model-hashes.json';

interface CacheEntry {
  size: number;
  mtimeMs: number;
  sha256: string;
}

/** The per-user cache directory: $AUTOMBW_CACHE_DIR, else the platform's cache location. */
export function defaultCacheDir(): string {
  const env = process.env;
  if (env.AUTOMBW_CACHE_DIR) return path.resolve(env.AUTOMBW_CACHE_DIR);
  if (process.platform === 'win32') return path.join(env.LOCALAPPDATA ?? path.join(os.homedir(), 'AppData', 'Local'), 'autombw', 'Cache');
  if (process.platform === 'darwin') return path.join(os.homedir(), 'Library', 'Caches', 'autombw');
  return path.join(env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'autombw');
}

/** SHA-256 (64 hex) of a model file, from the cache when path, size and mtime are unchanged. */
export async function modelSha256(file: string, options: { cacheDir?: string } = {}): Promise<string> {
  const absolute = path.resolve(file);
  const info = await stat(absolute);
  // Reading a directory fails deep in a stream with a bare EISDIR; the path is what the user needs to fix.
  if (!info.isFile()) throw new UserInputError(`${file} ${info.isDirectory() ? 'is a directory' : 'is not a regular file'}, not a model file`);
  const cacheFile = path.join(options.cacheDir ?? defaultCacheDir(), CACHE_FILE);
  const cached = (await readCache(cacheFile))[absolute];
  if (cached && cached.size === info.size && cached.mtimeMs === info.mtimeMs) return cached.sha256;
  const sha256 = await sha256File(absolute);
  // Re-read just before writing so entries added meanwhile by another process survive.
  const entries = await readCache(cacheFile);
  entries[absolute] = { size: info.size, mtimeMs: info.mtimeMs, sha256 };
  await writeCache(cacheFile, entries);
  return sha256;
}

/** The short form A1111 shows as a model's hash (AutoV2): the first 10 hex digits of the SHA-256. */
export function autoV2(sha256: string): string {
  return sha256.slice(0, 10);
}

async function readCache(file: string): Promise<Record<string, CacheEntry>> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'));
  } catch {
    return {}; // missing or damaged: the cache only saves time, so start over
  }
  const entries = isPlainObject(parsed) && isPlainObject(parsed.entries) ? parsed.entries : {};
  const valid: Record<string, CacheEntry> = {};
  for (const [k, v] of Object.entries(entries)) {
    if (isPlainObject(v) && typeof v.size === 'number' && typeof v.mtimeMs === 'number' && typeof v.sha256 === 'string' && /^[0-9a-f]{64}$/.test(v.sha256)) {
      valid[k] = { size: v.size, mtimeMs: v.mtimeMs, sha256: v.sha256 };
    }
  }
  return valid;
}

async function writeCache(file: string, entries: Record<string, CacheEntry>): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  await writeFile(tmp, `${JSON.stringify({ version: 1, entries }, null, 1)}\n`);
  await rename(tmp, file);
}
