import { createInterface } from 'node:readline';
import { getBenchmarkFunction } from '../../src/objectives/functions/index.js';
import type { OptimizeReply, WorkerRequest } from './protocol.js';
import { runTsJob } from './run-job.js';

/** Worker process for the TypeScript optimizers: one JSON request per stdin line, one reply per stdout line. */
function handle(request: WorkerRequest): object {
  switch (request.cmd) {
    case 'optimize':
      return runTsJob(request);
    case 'evaluate': {
      const fn = getBenchmarkFunction(request.function, request.dim);
      return { id: request.id, values: request.points.map((x) => fn.evaluate(x)) };
    }
    case 'versions':
      return { id: request.id, node: process.version };
  }
}

for await (const line of createInterface({ input: process.stdin })) {
  if (!line.trim()) continue;
  const request = JSON.parse(line) as WorkerRequest;
  let reply: object;
  try {
    reply = handle(request);
  } catch (error) {
    reply = { id: request.id, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) } satisfies OptimizeReply;
  }
  process.stdout.write(`${JSON.stringify(reply)}\n`);
}
