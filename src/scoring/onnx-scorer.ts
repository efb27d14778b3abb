import * as ort from 'onnxruntime-node';
import { UserInputError } from '../config/issues.js';
import { openModel, showShape, type ModelSource, type OpenedModel, type RuntimeOptions, type TensorInfo } from './onnx-session.js';
import { preprocessBatch, type PreprocessSpec } from './preprocess.js';
import type { ClipTokenizer } from './tokenizer.js';
import type { ScoredImage, Scorer } from './types.js';

/**
 * How the ONNX files make a score:
 * - `model`: image (plus prompt tokens, if the model takes them) → score;
 * - `head`: image encoder → embedding → (L2-normalized) → head → score (LAION aesthetic, chad, WD);
 * - `similarity`: cosine of the image embedding and the prompt's text embedding (CLIP score, PickScore, HPS).
 */
export type OnnxStages =
  | { kind: 'model'; model: ModelSource }
  | { kind: 'head'; encoder: ModelSource; head: ModelSource }
  | { kind: 'similarity'; encoder: ModelSource; textEncoder: ModelSource };

export interface OnnxScorerOptions {
  name: string;
  stages: OnnxStages;
  preprocess: PreprocessSpec;
  /** L2-normalize embeddings before the head or the cosine. */
  normalize: boolean;
  /** The image encoder's embedding output; default image_embeds, else its only output. */
  encoderOutput?: string;
  /** Needed by prompt-aware models and by `similarity`. */
  tokenizer?: ClipTokenizer;
  batch: number;
  runtime: RuntimeOptions;
  /** What the scorer's fingerprint() returns (file hashes and options, computed by the caller). */
  identity: string;
  log: (line: string) => void;
}

type ScoreBatch = (pixels: ort.Tensor, images: readonly ScoredImage[]) => Promise<Float32Array>;

/** Loads and wires the models; wiring problems (shapes, names, missing tokenizer) are UserInputErrors. */
export async function createOnnxScorer(o: OnnxScorerOptions): Promise<Scorer> {
  const opened: OpenedModel[] = [];
  const open = async (source: ModelSource) => {
    const m = await openModel(source, o.runtime, o.log);
    opened.push(m);
    return m;
  };
  try {
    const { scoreBatch, maxBatch } = await wire(o, open);
    return new OnnxScorer(o.name, o.identity, o.preprocess, Math.min(o.batch, maxBatch), scoreBatch, opened);
  } catch (e) {
    await Promise.all(opened.map((m) => m.session.release()));
    throw e;
  }
}

async function wire(o: OnnxScorerOptions, open: (s: ModelSource) => Promise<OpenedModel>): Promise<{ scoreBatch: ScoreBatch; maxBatch: number }> {
  const s = o.stages;
  if (s.kind === 'model') {
    const model = await open(s.model);
    const image = imageInput(model, o.preprocess);
    const text = textInputs(model, o.tokenizer, image.name);
    if (text && !o.tokenizer) throw new UserInputError(`${model.label} takes prompt tokens (${text.ids}); add a \`tokenizer\` to the scorer`);
    if (!text && o.tokenizer) throw new UserInputError(`${model.label} has no input_ids input, so it cannot use the \`tokenizer\``);
    const output = scoreOutput(model);
    return {
      maxBatch: image.maxBatch,
      scoreBatch: async (pixels, images) => {
        const feeds: Record<string, ort.Tensor> = { [image.name]: pixels };
        if (text && o.tokenizer) Object.assign(feeds, tokenFeeds(o.tokenizer, images.map((i) => i.prompt), text));
        return scoresFrom(await run(model, feeds, output), images.length, model.label);
      },
    };
  }

  const encoder = await open(s.encoder);
  const image = imageInput(encoder, o.preprocess);
  const extra = encoder.inputs.filter((i) => i.name !== image.name);
  if (extra.length > 0) throw new UserInputError(`${encoder.label}: an image encoder takes one input; it also has ${extra.map((i) => i.name).join(', ')}`);
  const embedding = embeddingOutput(encoder, o.encoderOutput, 'image_embeds');
  const embed = async (pixels: ort.Tensor, n: number) => {
    const e = embeddingsFrom(await run(encoder, { [image.name]: pixels }, embedding.name), n, encoder.label);
    return o.normalize ? l2Normalize(e, encoder.label) : e;
  };

  if (s.kind === 'head') {
    const head = await open(s.head);
    if (head.inputs.length !== 1) throw new UserInputError(`${head.label}: a head takes one input (the embedding); it has ${head.inputs.length}`);
    const [input] = head.inputs;
    const want = input.shape.length === 2 ? input.shape[1] : undefined;
    if (typeof want === 'number' && typeof embedding.dim === 'number' && want !== embedding.dim) {
      throw new UserInputError(`${head.label} expects ${want}-d embeddings, but ${encoder.label} gives ${embedding.dim}-d (output ${embedding.name})`);
    }
    const output = scoreOutput(head);
    return {
      maxBatch: Math.min(image.maxBatch, fixedBatch(input)),
      scoreBatch: async (pixels, images) => {
        const e = await embed(pixels, images.length);
        const scores = await run(head, { [input.name]: new ort.Tensor('float32', e.data, [e.rows, e.dim]) }, output);
        return scoresFrom(scores, images.length, head.label);
      },
    };
  }

  const textEncoder = await open(s.textEncoder);
  if (!o.tokenizer) throw new UserInputError(`${textEncoder.label}: a text encoder needs a \`tokenizer\``);
  const tokenizer = o.tokenizer;
  const text = textInputs(textEncoder, tokenizer, undefined);
  if (!text) throw new UserInputError(`${textEncoder.label} has no int64 input_ids input`);
  const textEmbedding = embeddingOutput(textEncoder, undefined, 'text_embeds');
  if (typeof textEmbedding.dim === 'number' && typeof embedding.dim === 'number' && textEmbedding.dim !== embedding.dim) {
    throw new UserInputError(`${textEncoder.label} gives ${textEmbedding.dim}-d embeddings but ${encoder.label} gives ${embedding.dim}-d`);
  }
  const cache = new Map<string, Float32Array>();
  const promptEmbedding = async (prompt: string) => {
    let e = cache.get(prompt);
    if (!e) {
      const out = embeddingsFrom(await run(textEncoder, tokenFeeds(tokenizer, [prompt], text), textEmbedding.name), 1, textEncoder.label);
      e = (o.normalize ? l2Normalize(out, textEncoder.label) : out).data;
      cache.set(prompt, e);
    }
    return e;
  };
  return {
    maxBatch: image.maxBatch,
    scoreBatch: async (pixels, images) => {
      const e = await embed(pixels, images.length);
      const out = new Float32Array(images.length);
      for (let i = 0; i < images.length; i++) {
        const t = await promptEmbedding(images[i].prompt);
        if (t.length !== e.dim) throw new Error(`${textEncoder.label} gave a ${t.length}-d embedding, the image encoder ${e.dim}-d`);
        let dot = 0;
        for (let j = 0; j < e.dim; j++) dot += e.data[i * e.dim + j] * t[j];
        out[i] = dot;
      }
      return out;
    },
  };
}

class OnnxScorer implements Scorer {
  constructor(
    readonly name: string,
    private readonly identity: string,
    private readonly spec: PreprocessSpec,
    private readonly batch: number,
    private readonly scoreBatch: ScoreBatch,
    private readonly models: readonly OpenedModel[],
  ) {}

  async score(images: readonly ScoredImage[], signal?: AbortSignal): Promise<number[]> {
    const out: number[] = [];
    for (let start = 0; start < images.length; start += this.batch) {
      signal?.throwIfAborted();
      const chunk = images.slice(start, start + this.batch);
      let pixels: Float32Array;
      try {
        pixels = await preprocessBatch(chunk.map((i) => i.data), this.spec);
      } catch (e) {
        throw new Error(`${this.name}: cannot read image ${chunk.map(describeImage).join(', ')}: ${(e as Error).message}`);
      }
      const tensor = new ort.Tensor('float32', pixels, [chunk.length, 3, this.spec.height, this.spec.width]);
      const scores = await this.scoreBatch(tensor, chunk);
      scores.forEach((v, i) => {
        if (!Number.isFinite(v)) throw new Error(`${this.name} returned ${v} for image ${describeImage(chunk[i])}`);
        out.push(v);
      });
    }
    return out;
  }

  async fingerprint(): Promise<string> {
    return this.identity;
  }

  async close(): Promise<void> {
    await Promise.all(this.models.map((m) => m.session.release()));
  }
}

function describeImage(image: ScoredImage): string {
  return image.path ?? `${image.payload}#${image.index}`;
}

/** The one float32 rank-4 input, checked against the preprocessing; its fixed batch size, if any. */
function imageInput(model: OpenedModel, spec: PreprocessSpec): { name: string; maxBatch: number } {
  const candidates = model.inputs.filter((i) => i.type === 'float32' && (i.shape.length === 4 || i.shape.length === 0));
  if (candidates.length !== 1) {
    throw new UserInputError(
      `${model.label}: expected one float32 image input [N, 3, H, W]; inputs are ${model.inputs.map((i) => `${i.name} ${i.type} ${showShape(i.shape)}`).join(', ')}`,
    );
  }
  const [input] = candidates;
  const [, c, h, w] = input.shape;
  const mismatch = (typeof c === 'number' && c !== 3) || (typeof h === 'number' && h !== spec.height) || (typeof w === 'number' && w !== spec.width);
  if (mismatch) {
    throw new UserInputError(
      `${model.label}: input ${input.name} has shape ${showShape(input.shape)}, but the preprocessing gives [N, 3, ${spec.height}, ${spec.width}]; pick the matching preprocess preset or size`,
    );
  }
  return { name: input.name, maxBatch: fixedBatch(input) };
}

/** A model exported with a fixed batch of 1 is run one image at a time; other fixed batches cannot be fed. */
function fixedBatch(input: TensorInfo): number {
  const n = input.shape[0];
  if (typeof n !== 'number' || n <= 0) return Infinity;
  if (n === 1) return 1;
  throw new UserInputError(`input ${input.name} has a fixed batch of ${n}; export the model with a dynamic batch axis (or batch 1)`);
}

interface TextInputs {
  ids: string;
  mask?: string;
  length?: number;
}

/** input_ids (and attention_mask) of a prompt-aware model; every other input is a wiring error. */
function textInputs(model: OpenedModel, tokenizer: ClipTokenizer | undefined, imageName: string | undefined): TextInputs | undefined {
  const rest = model.inputs.filter((i) => i.name !== imageName);
  if (rest.length === 0) return undefined;
  const mask = rest.find((i) => i.name === 'attention_mask');
  const ids = rest.find((i) => i.name === 'input_ids') ?? (rest.length === (mask ? 2 : 1) ? rest.find((i) => i !== mask) : undefined);
  const unknown = rest.filter((i) => i !== ids && i !== mask);
  if (!ids || unknown.length > 0 || [ids, mask].some((i) => i && i.type !== 'int64')) {
    throw new UserInputError(
      `${model.label}: cannot feed inputs ${rest.map((i) => `${i.name} ${i.type} ${showShape(i.shape)}`).join(', ')}; expected int64 input_ids [N, L] and optionally attention_mask`,
    );
  }
  const length = ids.shape[1];
  if (typeof length === 'number' && tokenizer && length !== tokenizer.options.contextLength) {
    throw new UserInputError(`${model.label}: ${ids.name} takes ${length} tokens; set tokenizer.context_length: ${length}`);
  }
  return { ids: ids.name, ...(mask ? { mask: mask.name } : {}) };
}

function tokenFeeds(tokenizer: ClipTokenizer, prompts: readonly string[], inputs: TextInputs): Record<string, ort.Tensor> {
  const n = tokenizer.options.contextLength;
  const ids = new BigInt64Array(prompts.length * n);
  const mask = new BigInt64Array(prompts.length * n);
  prompts.forEach((p, i) => {
    const t = tokenizer.tokenize(p);
    ids.set(t.ids, i * n);
    mask.set(t.mask, i * n);
  });
  const feeds: Record<string, ort.Tensor> = { [inputs.ids]: new ort.Tensor('int64', ids, [prompts.length, n]) };
  if (inputs.mask) feeds[inputs.mask] = new ort.Tensor('int64', mask, [prompts.length, n]);
  return feeds;
}

/** The output holding one score per image: the only output, shaped [N] or [N, 1]. */
function scoreOutput(model: OpenedModel): string {
  if (model.outputs.length !== 1) {
    throw new UserInputError(`${model.label}: expected one output (the score); it has ${model.outputs.map((o) => o.name).join(', ')}`);
  }
  const [out] = model.outputs;
  const ok = out.shape.length === 0 || out.shape.length === 1 || (out.shape.length === 2 && (typeof out.shape[1] !== 'number' || out.shape[1] === 1));
  if (!ok) throw new UserInputError(`${model.label}: output ${out.name} has shape ${showShape(out.shape)}; a scorer must give one value per image ([N] or [N, 1])`);
  return out.name;
}

function embeddingOutput(model: OpenedModel, requested: string | undefined, conventional: string): { name: string; dim?: number } {
  const names = model.outputs.map((o) => o.name);
  const out = requested
    ? model.outputs.find((o) => o.name === requested)
    : (model.outputs.find((o) => o.name === conventional) ?? (model.outputs.length === 1 ? model.outputs[0] : undefined));
  if (!out) {
    throw new UserInputError(
      `${model.label}: ${requested ? `has no output "${requested}"` : `cannot tell which output is the embedding`}; outputs are ${names.join(', ')} (set encoder_output)`,
    );
  }
  if (out.shape.length !== 0 && out.shape.length !== 2) {
    throw new UserInputError(`${model.label}: embedding output ${out.name} has shape ${showShape(out.shape)}; expected [N, D]`);
  }
  const dim = out.shape[1];
  return { name: out.name, ...(typeof dim === 'number' ? { dim } : {}) };
}

async function run(model: OpenedModel, feeds: Record<string, ort.Tensor>, output: string): Promise<ort.Tensor> {
  let result: ort.InferenceSession.ReturnType;
  try {
    result = await model.session.run(feeds, [output]);
  } catch (e) {
    throw new Error(`${model.label}: inference failed: ${(e as Error).message.split('\n')[0]}`);
  }
  const t = result[output];
  if (t.type !== 'float32') throw new Error(`${model.label}: output ${output} is ${t.type}, expected float32`);
  return t;
}

function scoresFrom(t: ort.Tensor, n: number, label: string): Float32Array {
  const data = t.data as Float32Array;
  if (data.length !== n) throw new Error(`${label}: ${data.length} scores for ${n} images (output shape ${showShape(t.dims)})`);
  return data;
}

interface Embeddings {
  data: Float32Array;
  rows: number;
  dim: number;
}

function embeddingsFrom(t: ort.Tensor, n: number, label: string): Embeddings {
  const data = t.data as Float32Array;
  if (t.dims.length !== 2 || t.dims[0] !== n) throw new Error(`${label}: embedding shape ${showShape(t.dims)} for ${n} inputs`);
  return { data, rows: n, dim: t.dims[1] };
}

/** Rows scaled to unit length, as the CLIP-based heads were trained on; a zero or NaN row is an error. */
function l2Normalize(e: Embeddings, label: string): Embeddings {
  const out = new Float32Array(e.data.length);
  for (let r = 0; r < e.rows; r++) {
    let sum = 0;
    for (let j = 0; j < e.dim; j++) sum += e.data[r * e.dim + j] ** 2;
    const norm = Math.sqrt(sum);
    if (!(norm > 0) || !Number.isFinite(norm)) throw new Error(`${label}: embedding ${r} has norm ${norm}; cannot normalize it`);
    for (let j = 0; j < e.dim; j++) out[r * e.dim + j] = e.data[r * e.dim + j] / norm;
  }
  return { ...e, data: out };
}
