import sharp from 'sharp';

/**
 * Image → model input tensor, as the CLIP family expects it: resize, centre crop, per-channel
 * mean/std, planar (CHW) float32. Decoding and resampling are sharp's (libvips); only the cheap
 * per-pixel arithmetic happens here.
 */

export const CLIP_MEAN = [0.48145466, 0.4578275, 0.40821073] as const;
export const CLIP_STD = [0.26862954, 0.26130258, 0.27577711] as const;

export type ResizeKernel = 'cubic' | 'linear' | 'lanczos3' | 'nearest';

export interface PreprocessSpec {
  /** Width and height of the tensor. */
  width: number;
  height: number;
  /**
   * `crop`: scale so the shortest side is `shortestSide`, then cut the centre (the CLIP transform);
   * `stretch`: scale straight to width × height, ignoring the aspect ratio.
   */
  resize: 'crop' | 'stretch';
  /** With `crop`, the shortest side's length before cropping; at least max(width, height). */
  shortestSide: number;
  kernel: ResizeKernel;
  /** Pixel values (0..255) are multiplied by `scale`, then normalized per plane: (v − mean) / std, in `channels` order. */
  scale: number;
  mean: readonly [number, number, number];
  std: readonly [number, number, number];
  /** Order of the three planes in the tensor. */
  channels: 'rgb' | 'bgr';
}

const CLIP_224: PreprocessSpec = {
  width: 224,
  height: 224,
  resize: 'crop',
  shortestSide: 224,
  kernel: 'cubic',
  scale: 1 / 255,
  mean: CLIP_MEAN,
  std: CLIP_STD,
  channels: 'rgb',
};

/**
 * Named preprocessing of well-known encoders. The ViT-L/14, ViT-B/32 and ViT-H/14 transforms are the
 * same 224 pipeline (OpenAI `clip` and HF CLIPImageProcessor agree); the names exist so a config says
 * which encoder it feeds.
 */
export const PREPROCESS_PRESETS: Readonly<Record<string, PreprocessSpec>> = {
  'clip-vit-l14': CLIP_224,
  'clip-vit-b32': CLIP_224,
  'clip-vit-h14': CLIP_224,
  'clip-vit-l14-336': { ...CLIP_224, width: 336, height: 336, shortestSide: 336 },
};

/** The crop box after the shortest-side resize, with torchvision's rounding (Resize: floor, CenterCrop: round). */
export function cropGeometry(
  sourceWidth: number,
  sourceHeight: number,
  spec: Pick<PreprocessSpec, 'width' | 'height' | 'shortestSide'>,
): { resizedWidth: number; resizedHeight: number; left: number; top: number } {
  const s = spec.shortestSide;
  const [resizedWidth, resizedHeight] =
    sourceWidth <= sourceHeight
      ? [s, Math.floor((s * sourceHeight) / sourceWidth)]
      : [Math.floor((s * sourceWidth) / sourceHeight), s];
  return {
    resizedWidth,
    resizedHeight,
    left: Math.round((resizedWidth - spec.width) / 2),
    top: Math.round((resizedHeight - spec.height) / 2),
  };
}

/** Decodes and resizes to 8-bit RGB, interleaved (HWC), `spec.width × spec.height`. */
export async function resizeToRgb(image: Uint8Array, spec: PreprocessSpec): Promise<Buffer> {
  let pipeline = sharp(image, { failOn: 'error' });
  if (spec.resize === 'stretch') {
    pipeline = pipeline.resize(spec.width, spec.height, { fit: 'fill', kernel: spec.kernel, fastShrinkOnLoad: false });
  } else {
    const meta = await sharp(image).metadata();
    if (!meta.width || !meta.height) throw new Error('image has no dimensions');
    const g = cropGeometry(meta.width, meta.height, spec);
    pipeline = pipeline
      .resize(g.resizedWidth, g.resizedHeight, { fit: 'fill', kernel: spec.kernel, fastShrinkOnLoad: false })
      .extract({ left: g.left, top: g.top, width: spec.width, height: spec.height });
  }
  const { data, info } = await pipeline
    .removeAlpha()
    .toColourspace('srgb')
    .raw({ depth: 'uchar' })
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 3 || info.width !== spec.width || info.height !== spec.height) {
    throw new Error(`decoded ${info.width}×${info.height}×${info.channels}, expected ${spec.width}×${spec.height}×3`);
  }
  return data;
}

/** Per tensor plane: which RGB channel feeds it, and a byte → normalized float table for the hot loop. */
function planes(spec: PreprocessSpec): Array<{ source: number; table: Float32Array }> {
  return (spec.channels === 'rgb' ? [0, 1, 2] : [2, 1, 0]).map((source, plane) => {
    const table = new Float32Array(256);
    for (let v = 0; v < 256; v++) table[v] = (v * spec.scale - spec.mean[plane]) / spec.std[plane];
    return { source, table };
  });
}

/** Writes interleaved RGB bytes as normalized planes into `out` at `offset` (one image: 3·H·W floats). */
export function rgbToPlanes(rgb: Uint8Array, spec: PreprocessSpec, out: Float32Array, offset = 0): void {
  const pixels = spec.width * spec.height;
  planes(spec).forEach(({ source, table }, plane) => {
    const base = offset + plane * pixels;
    for (let i = 0; i < pixels; i++) out[base + i] = table[rgb[i * 3 + source]];
  });
}

/** Encoded images → one NCHW float32 batch. */
export async function preprocessBatch(images: readonly Uint8Array[], spec: PreprocessSpec): Promise<Float32Array> {
  const perImage = 3 * spec.width * spec.height;
  const out = new Float32Array(images.length * perImage);
  const decoded = await Promise.all(images.map((img) => resizeToRgb(img, spec)));
  decoded.forEach((rgb, i) => rgbToPlanes(rgb, spec, out, i * perImage));
  return out;
}
