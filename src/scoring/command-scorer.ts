import { imagesOnDisk } from './image-files.js';
import { runProgram } from '../util/run-program.js';
import type { ScoredImage, Scorer } from './types.js';

export interface CommandScorerOptions {
  name: string;
  /** Program and arguments; the image paths are appended. */
  argv: readonly string[];
  cwd: string;
  env: Readonly<Record<string, string>>;
  timeoutMs: number;
  /** Images per call; 0 = all at once. */
  batch: number;
  identity: string;
}

/**
 * An external program as a scorer, for anything not in ONNX. It is run without a shell with the
 * image paths as trailing arguments and `{"images": [{path, prompt, payload, index}]}` on stdin, and
 * prints one number per image: whitespace-separated, a JSON array, or `{"scores": [...]}`.
 */
export class CommandScorer implements Scorer {
  readonly name: string;

  constructor(private readonly o: CommandScorerOptions) {
    this.name = o.name;
  }

  async score(images: readonly ScoredImage[], signal?: AbortSignal): Promise<number[]> {
    const size = this.o.batch > 0 ? this.o.batch : Math.max(1, images.length);
    const out: number[] = [];
    for (let start = 0; start < images.length; start += size) {
      out.push(...(await this.call(images.slice(start, start + size), signal)));
    }
    return out;
  }

  private async call(images: readonly ScoredImage[], signal?: AbortSignal): Promise<number[]> {
    const files = await imagesOnDisk(images);
    try {
      const input = JSON.stringify({
        images: images.map((img, i) => ({ path: files.paths[i], prompt: img.prompt, payload: img.payload, index: img.index })),
      });
      let stdout: string;
      try {
        stdout = await runProgram([...this.o.argv, ...files.paths], { cwd: this.o.cwd, env: this.o.env, input, timeoutMs: this.o.timeoutMs, signal });
      } catch (e) {
        throw new Error(`scorer ${this.name}: ${this.o.argv[0]} ${(e as Error).message}`);
      }
      return parseScores(stdout, images.length, this.name);
    } finally {
      await files.cleanup();
    }
  }

  async fingerprint(): Promise<string> {
    return this.o.identity;
  }
}

/** One finite number per image from a program's output, or an error that quotes the output. */
export function parseScores(stdout: string, expected: number, name: string): number[] {
  const text = stdout.trim();
  let values: unknown;
  try {
    const parsed: unknown = JSON.parse(text);
    values = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as { scores?: unknown }).scores : parsed;
  } catch {
    values = text === '' ? [] : text.split(/\s+/).map((t) => (/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(t) ? Number(t) : t));
  }
  const list = typeof values === 'number' ? [values] : values;
  const preview = text.length > 200 ? `${text.slice(0, 200)}…` : text;
  if (!Array.isArray(list) || list.length !== expected) {
    throw new Error(`scorer ${name}: expected ${expected} number${expected === 1 ? '' : 's'} on stdout, got: ${preview || '(nothing)'}`);
  }
  const bad = list.findIndex((v) => typeof v !== 'number' || !Number.isFinite(v));
  if (bad >= 0) throw new Error(`scorer ${name}: value ${bad + 1} is not a finite number (${JSON.stringify(list[bad])})`);
  return list as number[];
}
