/**
 * `npm run bench:merge`: the merge engine against plain streaming I/O on synthetic checkpoints with
 * the real SD1.5 key layout (fp16, no EMA, as distributed), at full size (~2.1 GB) and at a
 * quarter of every first dimension (~0.5 GB). Each measurement runs in its own child process so
 * its peak RSS is its own. Files live in a temporary directory that is deleted afterwards.
 *
 *   plain:  read A and B chunk by chunk (positioned reads), write A's bytes to a temporary output,
 *           fsync, rename: the I/O a merge cannot avoid.
 *   merge:  mergeCheckpoints weighted sum, every block at 0.5, fp16 → fp16.
 *
 * Environment: BENCH_REPEATS, timed repeats of each measurement (default 3).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { answerHelp } from './help.js';
import { floatBitsToF16 } from '../src/merge/dtype.js';
import { mergeCheckpoints } from '../src/merge/merge.js';
import { SafetensorsWriter } from '../src/merge/safetensors/writer.js';
import { getPreset } from '../src/space/presets.js';
import { Rng } from '../src/util/rng.js';

answerHelp(import.meta.url);

const SELF = fileURLToPath(import.meta.url);
const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);
const CHUNK = 4 << 20;

interface KeySpec {
  component: string;
  shape: number[];
  dtype: string;
}

interface Measurement {
  seconds: number;
  /** User + system CPU time of the process (its I/O threads included). */
  cpuSeconds: number;
  maxRssMB: number;
}

// ---- child processes ---------------------------------------------------------------------------

async function plainCopy(a: string, b: string, out: string): Promise<void> {
  const [ha, hb] = await Promise.all([open(a, 'r'), open(b, 'r')]);
  const tmp = `${out}.tmp-${process.pid}`;
  const ho = await open(tmp, 'w');
  const size = (await ha.stat()).size;
  const sizeB = (await hb.stat()).size;
  const bufA = [new Uint8Array(CHUNK), new Uint8Array(CHUNK)];
  const bufB = new Uint8Array(CHUNK);
  let pendingWrite: Promise<unknown> = Promise.resolve();
  for (let pos = 0, k = 0; pos < size; pos += CHUNK, k++) {
    const n = Math.min(CHUNK, size - pos);
    const target = bufA[k & 1];
    await Promise.all([ha.read(target, 0, n, pos), hb.read(bufB, 0, Math.max(0, Math.min(n, sizeB - pos)), pos)]);
    await pendingWrite;
    pendingWrite = ho.write(target, 0, n, pos);
  }
  await pendingWrite;
  await ho.sync();
  await Promise.all([ha.close(), hb.close(), ho.close()]);
  await rename(tmp, out);
}

async function child(kind: string, a: string, b: string, out: string): Promise<void> {
  const started = performance.now();
  if (kind === 'plain') await plainCopy(a, b, out);
  else if (kind === 'merge') {
    const weights = Object.fromEntries(getPreset('sd1-27')!.blocks.map((blk) => [blk, 0.5]));
    await mergeCheckpoints({ models: { a, b }, method: 'weighted-sum', weights, preset: 'sd1-27', dtype: 'f16', output: out, overwrite: true });
  }
  const seconds = (performance.now() - started) / 1000;
  const usage = process.resourceUsage();
  const result: Measurement = { seconds, cpuSeconds: (usage.userCPUTime + usage.systemCPUTime) / 1e6, maxRssMB: usage.maxRSS / 1024 };
  process.stdout.write(JSON.stringify(result));
}

function measure(kind: string, a: string, b: string, out: string): Measurement {
  const r = spawnSync(process.execPath, ['--import', 'tsx', SELF, 'child', kind, a, b, out], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${kind} child failed: ${r.stderr}`);
  rmSync(out, { force: true });
  return JSON.parse(r.stdout) as Measurement;
}

// ---- synthetic checkpoints ---------------------------------------------------------------------

function sd15Layout(): Record<string, KeySpec> {
  const file = fileURLToPath(new URL('../test/merge/fixtures/sd1-ldm.json.gz', import.meta.url));
  return JSON.parse(gunzipSync(readFileSync(file)).toString('utf8')) as Record<string, KeySpec>;
}

/** 96 MB of plausible fp16 weights (normal, σ = 0.05), larger than the largest tensor. */
function weightPool(seed: string): Uint8Array {
  const rng = Rng.fromSeed(seed);
  const base = new Uint16Array(1 << 22);
  const f = new Float32Array(1);
  const bits = new Uint32Array(f.buffer);
  for (let i = 0; i < base.length; i++) {
    f[0] = rng.normal() * 0.05;
    base[i] = floatBitsToF16(bits[0]);
  }
  const pool = new Uint8Array(96 << 20);
  const baseBytes = new Uint8Array(base.buffer);
  for (let at = 0; at < pool.length; at += baseBytes.length) pool.set(baseBytes.subarray(0, Math.min(baseBytes.length, pool.length - at)), at);
  return pool;
}

async function writeCheckpoint(file: string, scale: number, seed: string): Promise<number> {
  const layout = Object.entries(sd15Layout()).filter(([, s]) => s.component !== 'ema');
  const specs = layout.map(([name, s]) => ({
    name,
    dtype: s.dtype === 'int64' ? ('I64' as const) : s.dtype === 'int32' ? ('I32' as const) : ('F16' as const),
    shape: s.shape.map((d, i) => (i === 0 && s.component !== 'scheduler' && s.shape.length > 1 ? Math.max(1, Math.round(d * scale)) : d)),
  }));
  const pool = weightPool(seed);
  const writer = await SafetensorsWriter.create(file, specs, { format: 'pt' });
  for (const entry of writer.entries) {
    const size = entry.end - entry.begin;
    if (size === 0) continue;
    if (entry.dtype === 'F16') {
      const start = (entry.begin * 7) % (pool.length - size) & ~1;
      await writer.write(entry.name, pool.subarray(start, start + size));
    } else await writer.write(entry.name, new Uint8Array(size));
  }
  await writer.commit();
  return statSync(file).size;
}

// ---- driver ------------------------------------------------------------------------------------

const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'autombw-bench-merge-'));
  const rows: string[] = [];
  const load = os.loadavg()[0];
  try {
    const idle = measure('idle', '', '', path.join(dir, 'none'));
    for (const { label, scale } of [{ label: '0.5 GB', scale: 0.25 }, { label: '2 GB', scale: 1 }]) {
      const a = path.join(dir, `a-${scale}.safetensors`);
      const b = path.join(dir, `b-${scale}.safetensors`);
      const size = await writeCheckpoint(a, scale, 'bench-a');
      await writeCheckpoint(b, scale, 'bench-b');
      const plain: Measurement[] = [];
      const merge: Measurement[] = [];
      for (let i = 0; i < REPEATS; i++) {
        plain.push(measure('plain', a, b, path.join(dir, 'plain.safetensors')));
        merge.push(measure('merge', a, b, path.join(dir, 'merged.safetensors')));
        process.stderr.write(`${label} #${i + 1}: plain ${plain[i].seconds.toFixed(2)} s, merge ${merge[i].seconds.toFixed(2)} s\n`);
      }
      const wall = [median(plain.map((m) => m.seconds)), median(merge.map((m) => m.seconds))];
      const cpu = [median(plain.map((m) => m.cpuSeconds)), median(merge.map((m) => m.cpuSeconds))];
      const rate = (seconds: number) => `${((2 * size) / 1e6 / seconds).toFixed(0)} MB/s`;
      const rss = (ms: Measurement[]) => `${Math.max(...ms.map((m) => m.maxRssMB)).toFixed(0)} MB`;
      rows.push(`| ${label} (${(size / 1e9).toFixed(2)} GB each) | ${wall[0].toFixed(2)} s, ${rate(wall[0])} | ${wall[1].toFixed(2)} s, ${rate(wall[1])} | **${(wall[1] / wall[0]).toFixed(2)}×** | ${cpu[0].toFixed(2)} s / ${cpu[1].toFixed(2)} s | ${rss(plain)} / ${rss(merge)} |`);
      await rm(a);
      await rm(b);
    }
    console.log(`Node ${process.version}, ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores, load average ${load.toFixed(1)} at start; median of ${REPEATS}; peak RSS of a process that only loads the modules: ${idle.maxRssMB.toFixed(0)} MB`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log('| inputs | plain streaming I/O (wall, input rate) | weighted-sum merge fp16→fp16 | merge / plain | CPU time plain / merge | peak RSS plain / merge |');
  console.log('|---|---|---|---|---|---|');
  for (const r of rows) console.log(r);
}

if (process.argv[2] === 'child') await child(process.argv[3], process.argv[4], process.argv[5], process.argv[6]);
else await main();
