import { createInterface, type Interface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { imagesOnDisk } from '../image-files.js';
import { checkRating, untilAborted, type Rater, type RatingRequest, type RatingScale } from './rater.js';

/**
 * Rating at a terminal: prints each image's payload, prompt and file path (open it in any viewer)
 * and reads a number. Wrong input is asked again; input that ends fails the call.
 */
export class TerminalRater implements Rater {
  private rl: Interface | undefined;
  private lines: AsyncIterator<string> | undefined;
  /** Concurrent evaluations take turns at the one terminal. */
  private turn: Promise<void> = Promise.resolve();

  constructor(
    private readonly scale: RatingScale,
    private readonly input: Readable,
    private readonly output: Writable,
  ) {}

  rate(requests: readonly RatingRequest[], onRating: (id: string, rating: number) => Promise<void>, signal?: AbortSignal): Promise<void> {
    const mine = this.turn.then(() => this.ask(requests, onRating, signal));
    this.turn = mine.catch(() => {});
    return mine;
  }

  private async ask(requests: readonly RatingRequest[], onRating: (id: string, rating: number) => Promise<void>, signal?: AbortSignal): Promise<void> {
    const files = await imagesOnDisk(requests.map((r) => r.image));
    try {
      for (const [i, { id, image }] of requests.entries()) {
        this.output.write(`\n[${image.payload} #${image.index}] ${image.prompt}\n  image: ${files.paths[i]}\n`);
        for (;;) {
          signal?.throwIfAborted();
          this.output.write(`  rating (${this.scale.min} worst … ${this.scale.max} best): `);
          const rating = checkRating(await this.nextLine(signal), this.scale);
          if (typeof rating === 'number') {
            await onRating(id, rating);
            break;
          }
          this.output.write(`  ${rating}\n`);
        }
      }
    } finally {
      await files.cleanup();
    }
  }

  private async nextLine(signal?: AbortSignal): Promise<string> {
    if (!this.lines) {
      this.rl = createInterface({ input: this.input, terminal: false });
      this.lines = this.rl[Symbol.asyncIterator]();
    }
    const next = await untilAborted(this.lines.next(), signal);
    if (next.done) throw new Error('manual scorer: input ended before every image was rated');
    return next.value;
  }

  async close(): Promise<void> {
    this.rl?.close();
  }
}
