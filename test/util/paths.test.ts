import { describe, expect, it } from 'vitest';
import { fromBase, relativeToBase } from '../../src/util/paths.js';

describe('canonical paths', () => {
  it('makes a relative path relative to the experiment folder, with POSIX separators', () => {
    expect(relativeToBase('/exp', './models/../models/a.safetensors')).toBe('models/a.safetensors');
  });

  it('makes an absolute path inside the experiment folder relative, so the folder can move', () => {
    expect(relativeToBase('/exp', '/exp/models/a.safetensors')).toBe('models/a.safetensors');
  });

  it('keeps an absolute path outside the folder absolute', () => {
    expect(relativeToBase('/exp', '/usr/bin/python3')).toBe('/usr/bin/python3');
  });

  it('keeps a relative path that climbs out of the folder relative', () => {
    expect(relativeToBase('/exp/sub', '../shared/x.onnx')).toBe('../shared/x.onnx');
  });

  it('resolves both forms back to absolute paths', () => {
    expect(fromBase('/exp', 'models/a.safetensors')).toBe('/exp/models/a.safetensors');
    expect(fromBase('/exp', '/usr/bin/python3')).toBe('/usr/bin/python3');
    expect(fromBase('/exp', '.')).toBe('/exp');
  });
});
