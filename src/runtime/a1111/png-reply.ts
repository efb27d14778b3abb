import sharp from 'sharp';
import { BackendError } from '../errors.js';
import { isPng } from '../png.js';

/**
 * An image of a txt2img reply as PNG. The web UI encodes images in its `samples_format` setting
 * (PNG, JPEG or WebP: encode_pil_to_base64 in modules/api/api.py); autombw asks for PNG through
 * `override_settings`, but a server that refuses the override answers in its own format, so JPEG
 * and WebP are decoded and re-encoded here. PNG bytes pass through untouched, to be checked with
 * every other backend's images.
 */
export async function pngFromReply(bytes: Buffer, where: string): Promise<Buffer> {
  if (isPng(bytes)) return bytes;
  try {
    return await sharp(bytes).png().toBuffer();
  } catch (e) {
    throw new BackendError(`${where}: neither a PNG nor a JPEG or WebP that decodes (starts with ${bytes.subarray(0, 8).toString('hex') || 'nothing'}): ${(e as Error).message}`, 'transient');
  }
}
