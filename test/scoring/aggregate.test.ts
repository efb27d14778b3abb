import { describe, expect, it } from 'vitest';
import { aggregate, type ImageResult, type PayloadResult } from '../../src/scoring/aggregate.js';

const images = (...scores: number[]): ImageResult[] => scores.map((score, index) => ({ index, score, scores: { s: score } }));
const noPenalty = { k: 0, over: 'payloads' as const };

describe('aggregate', () => {
  it('weights payload scores by their weight: (1·2 + 3·6)/4', () => {
    const payloads: PayloadResult[] = [
      { name: 'a', weight: 1, images: images(1, 3) }, // arithmetic 2
      { name: 'b', weight: 3, images: images(6) },
    ];
    expect(aggregate(payloads, { tally: 'arithmetic', penalty: noPenalty }).value).toBe(5);
  });

  it('a payload may choose its own tally', () => {
    const payloads: PayloadResult[] = [
      { name: 'a', weight: 1, images: images(1, 9), tally: 'min' }, // 1
      { name: 'b', weight: 1, images: images(1, 9) }, // arithmetic 5
    ];
    expect(aggregate(payloads, { tally: 'arithmetic', penalty: noPenalty }).value).toBe(3);
  });

  it('a weight of 0 leaves a payload out of the value but in the details', () => {
    const payloads: PayloadResult[] = [
      { name: 'a', weight: 0, images: images(100) },
      { name: 'b', weight: 2, images: images(4) },
    ];
    const { value, details } = aggregate(payloads, { tally: 'arithmetic', penalty: noPenalty });
    expect(value).toBe(4);
    expect((details.payloads as Array<{ name: string; score: number }>).map((p) => [p.name, p.score])).toEqual([['a', 100], ['b', 4]]);
  });

  it('penalty over payloads subtracts k times the weighted σ of payload scores', () => {
    // scores 2 and 6 with weights 1 and 1: mean 4, σ 2, k 0.5 → 3
    const payloads: PayloadResult[] = [
      { name: 'a', weight: 1, images: images(2) },
      { name: 'b', weight: 1, images: images(6) },
    ];
    const { value, details } = aggregate(payloads, { tally: 'arithmetic', penalty: { k: 0.5, over: 'payloads' } });
    expect(value).toBe(3);
    expect(details).toMatchObject({ mean: 4, std: 2, penalty: { k: 0.5, over: 'payloads' } });
  });

  it('penalty over payloads uses the weights in σ', () => {
    // scores 0 and 4, weights 3 and 1: mean 1, σ² = (3·1 + 1·9)/4 = 3
    const payloads: PayloadResult[] = [
      { name: 'a', weight: 3, images: images(0) },
      { name: 'b', weight: 1, images: images(4) },
    ];
    expect(aggregate(payloads, { tally: 'arithmetic', penalty: { k: 1, over: 'payloads' } }).value).toBeCloseTo(1 - Math.sqrt(3), 12);
  });

  it('penalty over images lowers each payload by k times the σ of its images', () => {
    // images 3 and 7: mean 5, σ 2, k 1 → 3 (HPSv3-style μ − kσ in sd-optim)
    const payloads: PayloadResult[] = [{ name: 'a', weight: 1, images: images(3, 7) }];
    const { value, details } = aggregate(payloads, { tally: 'arithmetic', penalty: { k: 1, over: 'images' } });
    expect(value).toBe(3);
    expect((details.payloads as object[])[0]).toMatchObject({ tallied: 5, std: 2, score: 3 });
  });

  it('details carry every image with its per-scorer and raw scores', () => {
    const payloads: PayloadResult[] = [
      { name: 'p', weight: 1, images: [{ index: 0, path: 'img/0.png', score: 0.7, scores: { laion: 0.7 }, raw: { laion: 6.4 } }] },
    ];
    const { details } = aggregate(payloads, { tally: 'arithmetic', penalty: noPenalty });
    expect(details).toEqual({
      tally: 'arithmetic',
      value: 0.7,
      payloads: [{ name: 'p', weight: 1, tally: 'arithmetic', score: 0.7, images: [{ index: 0, score: 0.7, scores: { laion: 0.7 }, path: 'img/0.png', raw: { laion: 6.4 } }] }],
    });
    expect(JSON.parse(JSON.stringify(details))).toEqual(details);
  });

  it('refuses payload weights that sum to zero', () => {
    expect(() => aggregate([{ name: 'a', weight: 0, images: images(1) }], { tally: 'arithmetic', penalty: noPenalty })).toThrow(/sum to 0/);
  });

  it('refuses negative weights', () => {
    expect(() => aggregate([{ name: 'a', weight: -1, images: images(1) }], { tally: 'arithmetic', penalty: noPenalty })).toThrow(/≥ 0/);
  });
});
