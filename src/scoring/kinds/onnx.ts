import type { ConfigIssue } from '../../config/issues.js';
import { modelSha256 } from '../../merge/model-hash.js';
import type { JsonObject } from '../../util/json.js';
import { fromBase } from '../../util/paths.js';
import { preprocessSpec, type OnnxScorerSection } from '../config.js';
import { createOnnxScorer, type OnnxStages } from '../onnx-scorer.js';
import { ClipTokenizer } from '../tokenizer.js';
import { resolveFile, type ScorerKind } from './kind.js';

const MODEL_KEYS = ['model', 'encoder', 'head', 'text_encoder'] as const;

export const onnxScorerKind: ScorerKind<OnnxScorerSection> = {
  resolve(section, baseDir) {
    const issues: ConfigIssue[] = [];
    const out: OnnxScorerSection = { ...section };
    for (const key of MODEL_KEYS) {
      const value = section[key];
      if (value !== undefined) out[key] = resolveFile(baseDir, value, [key], issues);
    }
    if (section.tokenizer) {
      const t = { ...section.tokenizer, merges: resolveFile(baseDir, section.tokenizer.merges, ['tokenizer', 'merges'], issues) };
      if (section.tokenizer.vocab !== undefined) t.vocab = resolveFile(baseDir, section.tokenizer.vocab, ['tokenizer', 'vocab'], issues);
      out.tokenizer = t;
    }
    return { section: out, issues };
  },

  async fingerprint(s, baseDir) {
    const hash = (p: string) => modelSha256(fromBase(baseDir, p));
    const files: JsonObject = {};
    for (const key of MODEL_KEYS) {
      const value = s[key];
      if (value !== undefined) files[key] = await hash(value);
    }
    const spec = preprocessSpec(s.preprocess);
    return {
      kind: 'onnx',
      files,
      // The spec a preset stands for, so a preset and the same custom form are one identity.
      preprocess: { ...spec, mean: [...spec.mean], std: [...spec.std] },
      normalize: s.normalize,
      ...(s.encoder_output !== undefined ? { encoder_output: s.encoder_output } : {}),
      ...(s.tokenizer
        ? {
            tokenizer: {
              merges: await hash(s.tokenizer.merges),
              ...(s.tokenizer.vocab !== undefined ? { vocab: await hash(s.tokenizer.vocab) } : {}),
              context_length: s.tokenizer.context_length,
              padding: s.tokenizer.padding,
            },
          }
        : {}),
    };
  },

  async create(s, { name, baseDir, identity, env }) {
    const file = (p: string) => ({ path: fromBase(baseDir, p) });
    const stages: OnnxStages =
      s.model !== undefined
        ? { kind: 'model', model: file(s.model) }
        : s.head !== undefined
          ? { kind: 'head', encoder: file(s.encoder!), head: file(s.head) }
          : { kind: 'similarity', encoder: file(s.encoder!), textEncoder: file(s.text_encoder!) };
    const tokenizer = s.tokenizer
      ? await ClipTokenizer.load(
          { merges: fromBase(baseDir, s.tokenizer.merges), ...(s.tokenizer.vocab !== undefined ? { vocab: fromBase(baseDir, s.tokenizer.vocab) } : {}) },
          { contextLength: s.tokenizer.context_length, padding: s.tokenizer.padding },
        )
      : undefined;
    return createOnnxScorer({
      name,
      stages,
      preprocess: preprocessSpec(s.preprocess),
      normalize: s.normalize,
      ...(s.encoder_output !== undefined ? { encoderOutput: s.encoder_output } : {}),
      ...(tokenizer ? { tokenizer } : {}),
      batch: s.batch,
      runtime: { provider: s.provider, device: s.device, threads: s.threads },
      identity,
      log: env.log,
    });
  },
};
