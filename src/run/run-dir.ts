import { closeSync, existsSync, fsyncSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import type { HashedExperiment } from '../config/load.js';
import type { JsonValue } from '../util/json.js';
import { VERSION } from '../version.js';
import { writeError } from '../util/write-error.js';
import { makeDirectory } from '../util/make-dir.js';
import { isAlive } from './lock.js';

/** The files of one run, `runs/<first 12 hex of the hash>/`. */
export class RunDir {
  readonly dir: string;

  constructor(outputDir: string, readonly hash: string) {
    this.dir = path.resolve(outputDir, hash.slice(0, 12));
  }

  get journal(): string {
    return path.join(this.dir, 'journal.jsonl');
  }
  get lock(): string {
    return path.join(this.dir, 'lock');
  }
  get best(): string {
    return path.join(this.dir, 'best.json');
  }
  get resolvedConfig(): string {
    return path.join(this.dir, 'config.resolved.yaml');
  }
  get info(): string {
    return path.join(this.dir, 'run.json');
  }

  /**
   * Creates the directory and its description on first use. An existing directory must belong to
   * the same hash: 12 hex digits can collide, and two experiments must never share a journal.
   */
  prepare(experiment: HashedExperiment): void {
    makeDirectory(this.dir);
    if (existsSync(this.info)) {
      const info = JSON.parse(readFileSync(this.info, 'utf8')) as { hash?: string };
      if (info.hash !== this.hash) {
        throw new Error(`${this.dir} belongs to run ${info.hash}, not ${this.hash} (12-digit prefix collision); set output.dir elsewhere`);
      }
      return;
    }
    const header = [
      `# Resolved experiment of run ${this.hash}`,
      `# from ${experiment.file}`,
      `# Relative paths are relative to ${experiment.baseDir}`,
      '',
    ].join('\n');
    writeFileAtomic(this.resolvedConfig, header + stringify(experiment.config, { lineWidth: 0 }));
    writeFileAtomic(
      this.info,
      `${JSON.stringify({ hash: this.hash, experiment: experiment.file, base_dir: experiment.baseDir, created: new Date().toISOString(), autombw: VERSION, canonical: JSON.parse(experiment.canonical) }, null, 2)}\n`,
    );
  }

  writeBest(best: JsonValue): void {
    writeFileAtomic(this.best, `${JSON.stringify(best, null, 2)}\n`);
  }

  /**
   * Removes what writers killed mid-write leave behind: temporary files (`<file>.tmp-<pid>`) in
   * the run directory and in `figures/`, and the staging folders of the best images
   * (`images/.best-<trial>-<pid>`, `images/.old-<trial>-<pid>`). Called with the run lock held,
   * so no other run writes here; what a live process owns (a report being written) is left alone.
   */
  removeStaleTemporaries(): void {
    const stale: Array<[string, RegExp]> = [
      [this.dir, /\.tmp-(\d+)$/],
      [path.join(this.dir, 'figures'), /\.tmp-(\d+)$/],
      [path.join(this.dir, 'images'), /^\.(?:best|old)-\d+-(\d+)$/],
    ];
    for (const [dir, pattern] of stale) {
      // Tidying is no reason to fail a run: a `figures` that is not a folder is the report's problem.
      if (!existsSync(dir) || !statSync(dir).isDirectory()) continue;
      for (const name of readdirSync(dir)) {
        const pid = Number(pattern.exec(name)?.[1]);
        if (pid > 0 && pid !== process.pid && !isAlive(pid)) rmSync(path.join(dir, name), { recursive: true, force: true });
      }
    }
  }
}

/**
 * Write-then-rename, so a reader (or a crash) never sees half a file. A failed write (a full
 * disk) removes its temporary file and names the file it was for.
 */
export function writeFileAtomic(file: string, text: string | Uint8Array): void {
  const tmp = `${file}.tmp-${process.pid}`;
  try {
    const fd = openSync(tmp, 'w');
    try {
      writeFileSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw writeError(file, e);
  }
}
