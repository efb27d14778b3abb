import { describe, expect, it } from 'vitest';
import { encodePng, pngSize, pngText, readPngChunks, withPngText } from '../../src/runtime/png.js';

const png = encodePng(2, 1, Uint8Array.from([255, 0, 0, 0, 0, 255]));

describe('PNG handling', () => {
  it('encodes RGB pixels into a PNG that sharp decodes to the same pixels', async () => {
    const sharp = (await import('sharp')).default;
    const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height, info.channels]).toEqual([2, 1, 3]);
    expect([...data]).toEqual([255, 0, 0, 0, 0, 255]);
  });

  it('adds text chunks that read back, using iTXt for text outside Latin-1', () => {
    const tagged = withPngText(png, { 'autombw:recipe': '{"IN00":0.5}', prompt: '猫の写真' });
    expect(pngText(tagged)).toEqual({ 'autombw:recipe': '{"IN00":0.5}', prompt: '猫の写真' });
    expect(pngSize(tagged)).toEqual({ width: 2, height: 1 });
  });

  it('rejects a truncated PNG', () => {
    expect(() => readPngChunks(png.subarray(0, png.length - 6))).toThrow(/truncated PNG/);
  });

  it('rejects bytes that are not a PNG', () => {
    expect(() => readPngChunks(Buffer.from('<html>502</html>'))).toThrow(/not a PNG/);
  });

  it('rejects a PNG whose chunk CRC does not match', () => {
    const broken = Buffer.from(png);
    broken[20] ^= 0xff;
    expect(() => readPngChunks(broken)).toThrow(/bad CRC in chunk IHDR/);
  });
});
