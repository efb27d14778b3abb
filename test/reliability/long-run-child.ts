/**
 * A long run in a process of its own, so its memory is measured alone:
 *   node --expose-gc --import tsx long-run-child.ts <experiment.yaml> <trial>,<trial>,...
 * Prints one JSON line: RSS and V8 heap (after a full GC) when each listed trial has been
 * journaled, the run's result, and any process warnings (a listener leak shows up as one).
 */
import { PassThrough } from 'node:stream';
import { loadAndHashExperiment } from '../../src/config/load.js';
import { createProgress } from '../../src/run/progress.js';
import { runExperiment } from '../../src/run/runner.js';

const [file, at] = process.argv.slice(2);
const checkpoints = new Set(at.split(',').map(Number));
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');

const warnings: string[] = [];
process.on('warning', (w) => warnings.push(`${w.name}: ${w.message}`));
const memory: Array<{ trials: number; rss_mib: number; heap_mib: number }> = [];
let told = 0;
const progress = {
  ...createProgress('none', new PassThrough()),
  trial: () => {
    if (!checkpoints.has(++told)) return;
    gc();
    const m = process.memoryUsage();
    memory.push({ trials: told, rss_mib: m.rss / 2 ** 20, heap_mib: m.heapUsed / 2 ** 20 });
  },
};
const started = performance.now();
const result = await runExperiment(await loadAndHashExperiment(file), { progress });
process.stdout.write(`${JSON.stringify({ memory, warnings, finished: result.finished, failed: result.failed, seconds: (performance.now() - started) / 1000 })}\n`);
