import { describe, expect, it } from 'vitest';
import { pngFromReply } from '../../src/runtime/a1111/png-reply.js';
import { encodePng } from '../../src/runtime/png.js';

describe('images of an A1111 reply', () => {
  it('passes PNG bytes through untouched', async () => {
    const png = encodePng(2, 1, new Uint8Array([1, 2, 3, 4, 5, 6]));
    expect(await pngFromReply(png, 'here')).toBe(png);
  });

  it('calls bytes that are no image a transient failure, naming where they came from and how they start', async () => {
    await expect(pngFromReply(Buffer.from('<html>busy</html>'), 'http://x/sdapi/v1/txt2img: payload cat, image 0')).rejects.toMatchObject({
      name: 'BackendError',
      failure: 'transient',
      message: expect.stringMatching(/^http:\/\/x\/sdapi\/v1\/txt2img: payload cat, image 0: neither a PNG nor a JPEG or WebP that decodes \(starts with 3c68746d6c3e6275\): /),
    });
  });
});
