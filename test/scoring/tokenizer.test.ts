import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClipTokenizer } from '../../src/scoring/tokenizer.js';

// A four-merge BPE in OpenAI's file format (header line, then one merge per line). The derived
// vocabulary numbers the 256 byte symbols in GPT-2 order (printable bytes first: "!" is 0), then the
// same with </w> (256..511), then each merge result (512..), then start and end.
const MERGES = ['#version: 0.2', 'h e', 'l l', 'he ll', 'hell o</w>'].join('\n');
const HELLO = 515;
const BANG = 256; // "!</w>"
const START = 516;
const END = 517;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'autombw-tok-'));
  writeFileSync(path.join(dir, 'bpe.txt.gz'), gzipSync(MERGES));
  writeFileSync(path.join(dir, 'merges.txt'), MERGES);
  writeFileSync(path.join(dir, 'vocab.json'), JSON.stringify({ 'hello</w>': 7, '!</w>': 3, '<|startoftext|>': 1, '<|endoftext|>': 2 }));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const openai = (contextLength = 8, padding: 'zero' | 'end-of-text' = 'zero') =>
  ClipTokenizer.load({ merges: path.join(dir, 'bpe.txt.gz') }, { contextLength, padding });

describe('ClipTokenizer', () => {
  it('lower-cases, splits words from punctuation and applies merges by rank', async () => {
    expect((await openai()).encode('Hello  HELLO!')).toEqual([HELLO, HELLO, BANG]);
  });

  it('frames the prompt with start and end and pads with zeros (OpenAI)', async () => {
    const t = (await openai()).tokenize('hello!');
    expect(Array.from(t.ids, Number)).toEqual([START, HELLO, BANG, END, 0, 0, 0, 0]);
    expect(Array.from(t.mask, Number)).toEqual([1, 1, 1, 1, 0, 0, 0, 0]);
  });

  it('pads with the end token when asked (Hugging Face)', async () => {
    const t = (await openai(6, 'end-of-text')).tokenize('hello');
    expect(Array.from(t.ids, Number)).toEqual([START, HELLO, END, END, END, END]);
  });

  it('truncates long prompts and keeps the end token last', async () => {
    const t = (await openai(4)).tokenize('hello hello hello hello');
    expect(Array.from(t.ids, Number)).toEqual([START, HELLO, HELLO, END]);
  });

  it('encodes non-ASCII text byte by byte: é is bytes C3 A9', async () => {
    // 0xC3 is printable Latin-1: 94 (0x21–0x7E) + 12 (0xA1–0xAC) + 21 (0xAE–0xC2) symbols before it.
    // 0xA9 ends the word: 256 + 94 + 8.
    expect((await openai()).encode('é')).toEqual([127, 358]);
  });

  it('decodes HTML entities before splitting', async () => {
    const tok = await openai();
    expect(tok.encode('hello&#33;')).toEqual(tok.encode('hello!'));
    expect(tok.encode('&lt;hello&gt;')).toEqual(tok.encode('<hello>'));
  });

  it('reads ids from vocab.json with Hugging Face merges.txt, unknown tokens becoming the end id', async () => {
    const tok = await ClipTokenizer.load(
      { vocab: path.join(dir, 'vocab.json'), merges: path.join(dir, 'merges.txt') },
      { contextLength: 6, padding: 'end-of-text' },
    );
    expect(Array.from(tok.tokenize('hello! x').ids, Number)).toEqual([1, 7, 3, 2, 2, 2]);
  });

  it('refuses a vocabulary without the start and end tokens', async () => {
    writeFileSync(path.join(dir, 'bad-vocab.json'), JSON.stringify({ 'hello</w>': 0 }));
    await expect(
      ClipTokenizer.load({ vocab: path.join(dir, 'bad-vocab.json'), merges: path.join(dir, 'merges.txt') }, { contextLength: 8, padding: 'zero' }),
    ).rejects.toThrow(/startoftext/);
  });
});
