import { parentPort } from 'node:worker_threads';
import { runImportance, type ImportanceInput } from '../report/importance.js';

/** Fits the importance GP off the server's thread: a fit takes seconds, a request must not wait for it. */
parentPort!.on('message', ({ id, input }: { id: number; input: ImportanceInput }) => {
  try {
    parentPort!.postMessage({ id, importance: runImportance(input) ?? null });
  } catch (e) {
    parentPort!.postMessage({ id, error: (e as Error).message });
  }
});
