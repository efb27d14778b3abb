import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Importance, ImportanceInput } from '../report/importance.js';

/**
 * One worker thread that fits importance GPs in turn. Run from the sources (tsx, tests), the
 * worker is the .ts file loaded through tsx; built, it is the .js beside this one.
 */
export class ImportanceService {
  private worker: Worker | undefined;
  private nextId = 0;
  private readonly waiting = new Map<number, { resolve: (i: Importance | undefined) => void; reject: (e: Error) => void }>();

  fit(input: ImportanceInput): Promise<Importance | undefined> {
    const worker = this.start();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      worker.postMessage({ id, input });
    });
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    if (worker) await worker.terminate();
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const fromSources = import.meta.url.endsWith('.ts');
    const file = new URL(`./importance-worker.${fromSources ? 'ts' : 'js'}`, import.meta.url);
    // A worker does not inherit tsx's loader: it loads the .ts through tsx's API (its ESM entry,
    // which sits beside the CommonJS one that require resolution finds).
    const tsx = fromSources ? pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href : undefined;
    const worker = tsx
      ? new Worker(`import(${JSON.stringify(tsx)}).then((tsx) => tsx.tsImport(${JSON.stringify(file.href)}, ${JSON.stringify(file.href)}));`, { eval: true })
      : new Worker(file);
    worker.unref();
    worker.on('message', (m: { id: number; importance?: Importance | null; error?: string }) => {
      const waiter = this.waiting.get(m.id);
      this.waiting.delete(m.id);
      if (m.error !== undefined) waiter?.reject(new Error(m.error));
      else waiter?.resolve(m.importance ?? undefined);
    });
    worker.on('error', (e) => this.failAll(e));
    worker.on('exit', () => {
      if (this.worker === worker) this.worker = undefined;
      this.failAll(new Error('the importance worker stopped'));
    });
    this.worker = worker;
    return worker;
  }

  private failAll(e: Error): void {
    for (const w of this.waiting.values()) w.reject(e);
    this.waiting.clear();
  }
}
