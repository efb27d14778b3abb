/**
 * The map from a scorer's raw output to the value that is combined and tallied. The prior tools
 * squash LAION/chad scores with sigmoid(raw − 5.6 | 6.2) and ImageReward with sigmoid(raw), so that
 * geometric and harmonic means see positive numbers on a common scale.
 */
export type OutputTransform =
  | { kind: 'raw' }
  /** 1 / (1 + exp(−scale·(x − center))) */
  | { kind: 'sigmoid'; center: number; scale: number }
  /** scale·x + offset */
  | { kind: 'affine'; scale: number; offset: number };

export function applyTransform(x: number, t: OutputTransform): number {
  switch (t.kind) {
    case 'raw':
      return x;
    case 'sigmoid':
      return 1 / (1 + Math.exp(-t.scale * (x - t.center)));
    case 'affine':
      return t.scale * x + t.offset;
  }
}
