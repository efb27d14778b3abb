import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readJournal } from '../../src/run/journal.js';
import { writeSafetensors } from '../../src/merge/safetensors/writer.js';
import { BIN, runCli } from '../support/cli.js';
import { onSmallDisk, smallDiskAvailable } from '../support/small-disk.js';
import { tempDir, writeTree } from '../support/tmp.js';
import { expectSameRun, onlyRun, runHistory } from './run-history.js';
import { recordFigures, scaled } from './scale.js';

/** The tmpfs size; a filler file leaves only the free space a case asks for. */
const DISK_KIB = 4096;

const EXPERIMENT = `seed: 8
space:
  preset: sd1-27
  step: 0.01
objective:
  kind: function
  function: rastrigin
  noise: 0.1
optimizer:
  kind: random
stop:
  budget: 200
`;

/** Runs the experiment on a disk with $FREE KiB left, copies the run out, frees the space, runs again, copies the run out. */
const FULL_THEN_FREED = `
cd "$WORK"
rm -rf after-full after-again
head -c $((${DISK_KIB} - FREE))k /dev/zero > "$DISK/filler" 2>/dev/null
node "$BIN" run exp.yaml --output-dir "$DISK/out" --progress none > full.out 2> full.err; echo $? > full.code
mkdir after-full && cp -a "$DISK/out/." after-full/
rm "$DISK/filler"
node "$BIN" run exp.yaml --output-dir "$DISK/out" --progress none > again.out 2> again.err; echo $? > again.code
mkdir after-again && cp -a "$DISK/out/." after-again/
`;

const read = (dir: string, file: string) => readFileSync(path.join(dir, file), 'utf8').trim();

/** Files a crash or a failed write would leave half-done: temporary names and the run lock. */
function leftovers(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => /\.tmp-|(^|\/)lock$/.test(f));
}

describe.skipIf(!smallDiskAvailable)('disk full (on a tmpfs in a private mount namespace: skipped where unshare cannot mount one)', () => {
  const frees = scaled([24, 56], [8, 16, 24, 32, 40, 56, 72, 96]);
  it(`autombw run stops with a clear error when the disk fills (${frees.join(', ')} KiB free), keeps every journaled trial, and resumes to the uninterrupted run once there is space`, () => {
    const work = writeTree({ 'exp.yaml': EXPERIMENT });
    const reference = runCli(['run', 'exp.yaml', '--output-dir', 'ref', '--progress', 'none'], { cwd: work });
    expect(reference.code, reference.stderr).toBe(0);
    const refRun = onlyRun(path.join(work, 'ref'));
    const failures: Array<{ free_kib: number; journaled_trials: number; error: string }> = [];
    for (const free of frees) {
      const r = onSmallDisk(DISK_KIB, FULL_THEN_FREED, { WORK: work, BIN, FREE: String(free) });
      expect(r.status, r.stderr).toBe(0);
      const error = read(work, 'full.err');
      expect(read(work, 'full.code')).toBe('1');
      expect(error).toMatch(/no space left on device/i);
      expect(error).toMatch(/\.(jsonl|json|yaml)\b/); // names the file it could not write
      expect(error.split('\n')).toHaveLength(1); // one line, no stack
      const full = path.join(work, 'after-full');
      expect(leftovers(full)).toEqual([]);
      const runs = readdirSync(full);
      let journaled = 0;
      if (runs.length > 0) {
        const journal = path.join(full, runs[0], 'journal.jsonl');
        if (existsSync(journal)) journaled = readJournal(journal).events.filter((e) => e.type === 'trial').length;
        if (journaled > 0) expect(runHistory(path.join(full, runs[0])).told).toEqual(runHistory(refRun).told.slice(0, journaled));
      }
      expect(read(work, 'again.code'), read(work, 'again.err')).toBe('0');
      expectSameRun(onlyRun(path.join(work, 'after-again')), refRun, 200);
      failures.push({ free_kib: free, journaled_trials: journaled, error: error.replace(/\/[^\s:]*\//g, '…/') });
    }
    recordFigures('disk-full', { command: 'autombw run', cases: failures, lost_or_corrupted: 0 });
  });

  it('autombw merge onto a full disk fails with a clear error and leaves neither the output nor a temporary file', async () => {
    const work = tempDir('autombw-disk-merge-');
    const tensors = Array.from({ length: 4 }, (_, i) => ({ name: `model.diffusion_model.input_blocks.${i}.0.weight`, dtype: 'F32' as const, shape: [64, 256] }));
    for (const [name, v] of [['a', 0], ['b', 1]] as const) {
      await writeSafetensors(path.join(work, `${name}.safetensors`), tensors.map((t) => ({ ...t, data: new Uint8Array(new Float32Array(64 * 256).fill(v).buffer) })));
    }
    const r = onSmallDisk(64, `cd "$WORK"\nnode "$BIN" merge --a a.safetensors --b b.safetensors --weights "$WEIGHTS" --dtype f32 -o "$DISK/merged.safetensors" > merge.out 2> merge.err; echo $? > merge.code\nls -A "$DISK" > listing`, {
      WORK: work,
      BIN,
      WEIGHTS: Array(26).fill(0.5).join(','), // a supermerger recipe: BASE, IN00–IN11, M00, OUT00–OUT11
    });
    expect(r.status, r.stderr).toBe(0);
    expect(read(work, 'merge.code')).toBe('1');
    const error = read(work, 'merge.err');
    expect(error).toMatch(/no space left on device/i);
    expect(error).toMatch(/merged\.safetensors/);
    expect(read(work, 'listing')).toBe('');
    recordFigures('disk-full', { command: 'autombw merge (a 256 KiB checkpoint)', cases: [{ free_kib: 64, error: error.replace(/\/[^\s:]*\//g, '…/') }], lost_or_corrupted: 0 });
  });
});
