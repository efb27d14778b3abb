import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../support/tmp.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TSC = path.join(ROOT, 'node_modules/typescript/bin/tsc');

/** The ```ts blocks of a markdown file. */
function examples(file: string): string[] {
  return [...readFileSync(path.join(ROOT, file), 'utf8').matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
}

describe('docs/api.md', () => {
  const blocks = examples('docs/api.md');

  it('has examples that import from autombw', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(5);
    for (const b of blocks) expect(b).toMatch(/from 'autombw'/);
  });

  it('has examples that typecheck against the public API (src/index.ts)', () => {
    const dir = tempDir();
    blocks.forEach((code, i) => writeFileSync(path.join(dir, `example-${i}.ts`), code));
    writeFileSync(path.join(dir, 'package.json'), '{"type": "module"}\n');
    writeFileSync(
      path.join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022', lib: ['ES2023'], module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: true,
          types: ['node'], typeRoots: [path.join(ROOT, 'node_modules/@types')],
          paths: { autombw: [path.join(ROOT, 'src/index.ts')] },
        },
        include: ['*.ts'],
      }),
    );
    const r = spawnSync(process.execPath, [TSC, '-p', dir], { encoding: 'utf8', timeout: 240_000 });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  }, 300_000);
});
