import { closeSync, ftruncateSync, openSync, readdirSync, watch, writeSync } from 'node:fs';
import { once } from 'node:events';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { serializeHeader } from '../../src/merge/safetensors/header.js';
import { getPreset } from '../../src/space/presets.js';
import { startCli } from '../support/cli.js';
import { tinyTensors } from '../support/checkpoints.js';
import { tempDir } from '../support/tmp.js';

const BIG_KEY = 'model.diffusion_model.output_blocks.2.1.conv.weight';
/** Half-precision elements of the big tensor: 256 MB, 128 chunks to merge (seconds; the signal needs milliseconds). */
const BIG_ELEMENTS = 2 ** 27;
const TEMPORARY = /\.safetensors\.tmp-\d+$/;

/**
 * An SD1 checkpoint whose one UNet tensor holds BIG_ELEMENTS zeros, stored as a hole in a sparse
 * file: created at once and hashed fast, while merging it still takes hundreds of chunks.
 */
function bigCheckpoint(file: string): void {
  const small = tinyTensors({ layout: 'sd1', seed: 'big', maxDim: 2 }).filter((t) => t.name !== BIG_KEY);
  const { bytes, dataSize } = serializeHeader([...small, { name: BIG_KEY, dtype: 'F16', shape: [BIG_ELEMENTS] }]);
  const fd = openSync(file, 'w');
  try {
    writeSync(fd, bytes, 0, bytes.length, 0);
    let position = bytes.length;
    for (const t of small) position += writeSync(fd, t.data, 0, t.data.length, position);
    ftruncateSync(fd, bytes.length + dataSize);
  } finally {
    closeSync(fd);
  }
}

/** Resolves with the temporary's name once one appears in `dir`; rejects if `exited` settles first. */
function temporaryAppears(dir: string, exited: Promise<unknown>): Promise<string> {
  return new Promise((resolve, reject) => {
    const watcher = watch(dir);
    const check = () => {
      const found = readdirSync(dir).find((n) => TEMPORARY.test(n));
      if (found) {
        watcher.close();
        resolve(found);
      }
    };
    watcher.on('change', check);
    check(); // created before the watcher started
    exited.then(() => {
      watcher.close();
      reject(new Error('the merge ended before its temporary file appeared'));
    }, reject);
  });
}

describe('autombw merge interrupted by a signal', () => {
  it('removes its temporary file on SIGTERM and exits 130, as on Ctrl-C', async () => {
    const dir = tempDir('autombw-sigterm-');
    const model = path.join(dir, 'big.safetensors');
    bigCheckpoint(model);
    const weights = getPreset('sd1-26')!.blocks.map(() => '0.5').join(',');
    const child = startCli(['merge', '--a', model, '--b', model, '--weights', weights, '-o', path.join(dir, 'merged.safetensors'), '--cache-dir', path.join(dir, 'cache')]);
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    await temporaryAppears(dir, exited);
    child.kill('SIGTERM');
    const [code, signal] = await exited;
    expect({ code, signal }).toEqual({ code: 130, signal: null });
    expect(stderr).toContain('interrupted');
    expect(readdirSync(dir).filter((n) => n !== 'cache').sort()).toEqual(['big.safetensors']);
  }, 120_000);
});
