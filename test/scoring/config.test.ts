import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { UserInputError } from '../../src/config/issues.js';
import { parseScoringSection, preprocessSpec, scorerNames, validateScoringSection, type OnnxScorerSection } from '../../src/scoring/config.js';
import { CLIP_MEAN, PREPROCESS_PRESETS } from '../../src/scoring/preprocess.js';

const issuesOf = (section: unknown) => validateScoringSection(section).issues.map((i) => `${i.path.join('.')}: ${i.message}`);

describe('scorer section: defaults', () => {
  it('fills the section and item defaults', () => {
    expect(parseScoringSection({ scorers: [{ kind: 'builtin' }] })).toEqual({
      scorers: [{ kind: 'builtin', model: 'demo', weight: 1, transform: { kind: 'raw' } }],
      combine: 'arithmetic',
      tally: 'arithmetic',
      penalty: { k: 0, over: 'payloads' },
    });
  });

  it('fills ONNX defaults: CLIP ViT-L/14 preprocessing, batch 8, CPU, normalized embeddings', () => {
    const [s] = parseScoringSection({ scorers: [{ kind: 'onnx', encoder: 'e.onnx', head: 'h.onnx' }] }).scorers;
    expect(s).toMatchObject({ preprocess: 'clip-vit-l14', batch: 8, provider: 'cpu', device: 0, threads: 0, normalize: true });
  });

  it('fills transform, tokenizer and custom preprocess defaults', () => {
    const [s] = parseScoringSection({
      scorers: [{ kind: 'onnx', model: 'm.onnx', transform: { kind: 'sigmoid', center: 5.6 }, tokenizer: { merges: 'm.txt' }, preprocess: { size: [256, 192] } }],
    }).scorers;
    expect(s).toMatchObject({
      transform: { kind: 'sigmoid', center: 5.6, scale: 1 },
      tokenizer: { merges: 'm.txt', context_length: 77, padding: 'end-of-text' },
      preprocess: { size: [256, 192], resize: 'crop', kernel: 'cubic', rescale: 1 / 255, mean: [...CLIP_MEAN], channels: 'rgb' },
    });
  });

  it('leaves the input untouched', () => {
    const input = { scorers: [{ kind: 'builtin' }] };
    parseScoringSection(input);
    expect(input).toEqual({ scorers: [{ kind: 'builtin' }] });
  });
});

describe('scorer section: errors', () => {
  it('names an unknown key with a suggestion', () => {
    expect(issuesOf({ scorers: [{ kind: 'onnx', modle: 'm.onnx' }] }).join('\n')).toMatch(/scorers\.0\.modle: unknown key "modle" \(did you mean "model"\?\)/);
  });

  it('names an unknown kind with a suggestion', () => {
    expect(issuesOf({ scorers: [{ kind: 'onnxx' }] }).join('\n')).toMatch(/scorers\.0\.kind: expected one of onnx, command, manual, builtin; got "onnxx" \(did you mean "onnx"\?\)/);
  });

  it('refuses model together with encoder, and neither', () => {
    expect(issuesOf({ scorers: [{ kind: 'onnx', model: 'm.onnx', encoder: 'e.onnx', head: 'h.onnx' }] })).toEqual([
      'scorers.0: give either `model` (image → score) or `encoder` with `head` or `text_encoder`',
    ]);
    expect(issuesOf({ scorers: [{ kind: 'onnx' }] })).toHaveLength(1);
  });

  it('refuses an encoder with neither or both of head and text_encoder', () => {
    expect(issuesOf({ scorers: [{ kind: 'onnx', encoder: 'e.onnx' }] })[0]).toMatch(/exactly one of `head`.*`text_encoder`/);
    expect(issuesOf({ scorers: [{ kind: 'onnx', encoder: 'e', head: 'h', text_encoder: 't', tokenizer: { merges: 'm' } }] })[0]).toMatch(/exactly one/);
  });

  it('refuses a head without an encoder and a text encoder without a tokenizer (schema dependencies)', () => {
    expect(issuesOf({ scorers: [{ kind: 'onnx', model: 'm.onnx', head: 'h.onnx' }] }).join('\n')).toMatch(/encoder/);
    expect(issuesOf({ scorers: [{ kind: 'onnx', encoder: 'e.onnx', text_encoder: 't.onnx' }] }).join('\n')).toMatch(/tokenizer/);
  });

  it('refuses a rating scale whose max is not above its min', () => {
    expect(issuesOf({ scorers: [{ kind: 'manual', min: 5, max: 5 }] })).toEqual(['scorers.0.max: must be greater than min (5)']);
  });

  it('refuses a crop smaller than the tensor', () => {
    expect(issuesOf({ scorers: [{ kind: 'onnx', model: 'm', preprocess: { size: 224, shortest_side: 200 } }] })).toEqual([
      'scorers.0.preprocess.shortest_side: must be at least 224 to crop 224×224',
    ]);
  });

  it('refuses two scorers with one name', () => {
    expect(issuesOf({ scorers: [{ kind: 'builtin', name: 'a' }, { kind: 'manual', name: 'a' }] })).toEqual(['scorers.1.name: "a" names two scorers']);
  });

  it('refuses an empty list, a tally typo and a negative penalty', () => {
    const issues = issuesOf({ scorers: [], tally: 'mean', penalty: { k: -1 } }).join('\n');
    expect(issues).toMatch(/scorers: expected at least 1 items/);
    expect(issues).toMatch(/tally: expected one of arithmetic/);
    expect(issues).toMatch(/penalty\.k: expected a number >= 0/);
  });

  it('parseScoringSection throws one UserInputError listing every problem under the section path', () => {
    const err = (() => {
      try {
        parseScoringSection({ scorers: [{ kind: 'manual', min: 3, max: 1 }, { kind: 'builtin', wieght: 2 }] }, ['objective', 'scorer']);
      } catch (e) {
        return e as UserInputError;
      }
    })();
    expect(err).toBeInstanceOf(UserInputError);
    expect(err!.issues.join('\n')).toMatch(/objective\.scorer\.scorers\[1\]\.wieght: unknown key/);
  });
});

describe('scorer section: helpers', () => {
  it('names scorers after their files or kinds, numbering repeats', () => {
    const s = parseScoringSection({
      scorers: [
        { kind: 'onnx', encoder: 'm/clip.onnx', head: 'm/laion-v2.onnx' },
        { kind: 'builtin' },
        { kind: 'command', command: ['python', 'score.py'] },
        { kind: 'command', command: ['python', 'other.py'] },
        { kind: 'builtin', name: 'demo-2' },
        { kind: 'builtin' },
      ],
    });
    expect(scorerNames(s)).toEqual(['laion-v2', 'demo', 'command', 'command-2', 'demo-2', 'demo-3']);
  });

  it('turns a preset name and a custom form into preprocessing specs', () => {
    expect(preprocessSpec('clip-vit-l14-336')).toMatchObject({ width: 336, height: 336, shortestSide: 336 });
    const [s] = parseScoringSection({ scorers: [{ kind: 'onnx', model: 'm', preprocess: { size: [256, 192], resize: 'crop', shortest_side: 300, channels: 'bgr' } }] }).scorers;
    expect(preprocessSpec((s as OnnxScorerSection).preprocess)).toEqual({
      ...PREPROCESS_PRESETS['clip-vit-l14'],
      width: 256,
      height: 192,
      shortestSide: 300,
      channels: 'bgr',
    });
  });

  it('documents every option of the schema', () => {
    const schema = JSON.parse(readFileSync(new URL('../../schemas/scoring.schema.json', import.meta.url), 'utf8'));
    const undocumented: string[] = [];
    const visit = (node: unknown, where: string) => {
      if (typeof node !== 'object' || node === null) return;
      const n = node as Record<string, unknown>;
      if (n.properties && typeof n.properties === 'object' && !where.endsWith('/if')) {
        for (const [key, prop] of Object.entries(n.properties as Record<string, Record<string, unknown>>)) {
          const target = typeof prop.$ref === 'string' ? schema.$defs[prop.$ref.replace('#/$defs/', '')] : prop;
          if (!prop.description && !target?.description) undocumented.push(`${where}/${key}`);
        }
      }
      for (const [k, v] of Object.entries(n)) visit(v, `${where}/${k}`);
    };
    visit(schema, '#');
    expect(undocumented).toEqual([]);
  });
});
