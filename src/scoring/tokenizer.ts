import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';

/**
 * The CLIP tokenizer (OpenAI `simple_tokenizer.py`, which Hugging Face's CLIPTokenizer reproduces):
 * lower-cased text split by CLIP's pattern, each piece byte-level encoded and merged by BPE with an
 * end-of-word marker. Vocabulary and merges come from the user's model files. Differences from the
 * Python original: no `ftfy` repair of broken Unicode (prompts are typed text, and NFC normalization
 * covers the common case) and a small HTML entity decoder instead of `html.unescape`.
 */

const START = '<|startoftext|>';
const END = '<|endoftext|>';
/** CLIP keeps the first 49152 − 256 − 2 merges of OpenAI's file (the full file has far more). */
const CLIP_MERGES = 49152 - 256 - 2;
const PATTERN = /<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|\p{L}+|\p{N}|[^\s\p{L}\p{N}]+/giu;

export interface TokenizerFiles {
  /** vocab.json; when absent the vocabulary is derived from the merges as OpenAI's code does. */
  vocab?: string;
  /** merges.txt or bpe_simple_vocab_16e6.txt(.gz). */
  merges: string;
}

export interface TokenizerOptions {
  contextLength: number;
  padding: 'end-of-text' | 'zero';
}

export interface Tokens {
  /** [contextLength] ids: start, text, end, padding. */
  ids: BigInt64Array;
  /** 1 for start, text and end; 0 for padding. */
  mask: BigInt64Array;
}

export class ClipTokenizer {
  private readonly ranks: Map<string, number>;
  private readonly cache = new Map<string, string[]>();
  private readonly byteChar = byteToUnicode();
  private readonly start: number;
  private readonly end: number;

  constructor(
    private readonly vocab: ReadonlyMap<string, number>,
    merges: ReadonlyArray<readonly [string, string]>,
    readonly options: TokenizerOptions,
  ) {
    this.ranks = new Map(merges.map(([a, b], i) => [`${a} ${b}`, i]));
    const start = vocab.get(START);
    const end = vocab.get(END);
    if (start === undefined || end === undefined) throw new Error(`the vocabulary lacks ${START} or ${END}`);
    this.start = start;
    this.end = end;
  }

  static async load(files: TokenizerFiles, options: TokenizerOptions): Promise<ClipTokenizer> {
    const raw = await readFile(files.merges);
    const text = (files.merges.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8');
    const lines = text.split('\n');
    if (files.vocab === undefined) {
      const merges = parseMerges(lines.slice(1, CLIP_MERGES + 1));
      return new ClipTokenizer(deriveVocab(merges), merges, options);
    }
    const vocabJson: unknown = JSON.parse(await readFile(files.vocab, 'utf8'));
    if (typeof vocabJson !== 'object' || vocabJson === null || Array.isArray(vocabJson)) {
      throw new Error(`${files.vocab} is not a JSON object of token → id`);
    }
    const vocab = new Map(Object.entries(vocabJson as Record<string, number>));
    return new ClipTokenizer(vocab, parseMerges(lines.filter((l) => !l.startsWith('#version'))), options);
  }

  /** Text → BPE token ids, without start/end. */
  encode(text: string): number[] {
    const cleaned = decodeEntities(decodeEntities(text.normalize('NFC')))
      .replace(/\s+/g, ' ')
      .trim()
      .toLowerCase();
    const ids: number[] = [];
    for (const [piece] of cleaned.matchAll(PATTERN)) {
      const encoded = Array.from(new TextEncoder().encode(piece), (b) => this.byteChar[b]).join('');
      for (const token of this.bpe(encoded)) ids.push(this.vocab.get(token) ?? this.end);
    }
    return ids;
  }

  /** A prompt as model input: start, text (truncated to fit), end, then padding. */
  tokenize(text: string): Tokens {
    const n = this.options.contextLength;
    const body = this.encode(text).slice(0, n - 2);
    const ids = new BigInt64Array(n).fill(BigInt(this.options.padding === 'zero' ? 0 : this.end));
    const mask = new BigInt64Array(n);
    [this.start, ...body, this.end].forEach((id, i) => {
      ids[i] = BigInt(id);
      mask[i] = 1n;
    });
    return { ids, mask };
  }

  /** Merges the lowest-ranked adjacent pair until none is in the merge table. */
  private bpe(token: string): string[] {
    if (token === START || token === END) return [token];
    const cached = this.cache.get(token);
    if (cached) return cached;
    const chars = Array.from(token);
    let word = [...chars.slice(0, -1), `${chars[chars.length - 1]}</w>`];
    while (word.length > 1) {
      let best: string | undefined;
      let bestRank = Infinity;
      for (let i = 0; i < word.length - 1; i++) {
        const rank = this.ranks.get(`${word[i]} ${word[i + 1]}`);
        if (rank !== undefined && rank < bestRank) {
          bestRank = rank;
          best = `${word[i]} ${word[i + 1]}`;
        }
      }
      if (best === undefined) break;
      const [first, second] = best.split(' ');
      const merged: string[] = [];
      for (let i = 0; i < word.length; i++) {
        if (word[i] === first && word[i + 1] === second) {
          merged.push(first + second);
          i++;
        } else {
          merged.push(word[i]);
        }
      }
      word = merged;
    }
    this.cache.set(token, word);
    return word;
  }
}

function parseMerges(lines: readonly string[]): Array<[string, string]> {
  return lines
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .map((l) => {
      const parts = l.split(/\s+/);
      if (parts.length !== 2) throw new Error(`malformed merge line: "${l}"`);
      return [parts[0], parts[1]];
    });
}

/** OpenAI's vocabulary: the 256 byte symbols, the same with `</w>`, every merge result, start, end. */
function deriveVocab(merges: ReadonlyArray<readonly [string, string]>): Map<string, number> {
  const symbols = byteSymbols().map(([, c]) => c);
  const tokens = [...symbols, ...symbols.map((c) => `${c}</w>`), ...merges.map(([a, b]) => a + b), START, END];
  return new Map(tokens.map((t, i) => [t, i]));
}

/**
 * GPT-2's reversible byte → printable character map, in its own order (which fixes the first 512 ids
 * of a derived vocabulary): printable Latin-1 bytes map to themselves, then the remaining bytes, in
 * byte order, to code points from 256 upwards.
 */
function byteSymbols(): Array<[number, string]> {
  const printable = (b: number) => (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
  const bytes = Array.from({ length: 256 }, (_, b) => b);
  const rest = bytes.filter((b) => !printable(b));
  return [
    ...bytes.filter(printable).map((b): [number, string] => [b, String.fromCodePoint(b)]),
    ...rest.map((b, n): [number, string] => [b, String.fromCodePoint(256 + n)]),
  ];
}

/** Byte value → its symbol. */
function byteToUnicode(): string[] {
  const out = new Array<string>(256);
  for (const [b, c] of byteSymbols()) out[b] = c;
  return out;
}

const NAMED_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, body: string) => {
    if (body[0] === '#') {
      const code = body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : m;
    }
    return NAMED_ENTITIES[body.toLowerCase()] ?? m;
  });
}
