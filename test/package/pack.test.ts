import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { VERSION } from '../../src/version.js';
import { tempDir } from '../support/tmp.js';

/**
 * The package as npm publishes it: what `npm pack` puts in the tarball, and what a user gets from
 * installing that tarball into an empty project. Installing runs offline from the npm cache (no
 * network in tests), so the consumer's lockfile is derived from this repository's: the same
 * versions the cache already holds. dist/ must be built first (`npm test` does).
 */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const NPM_TIMEOUT = 240_000;

function npm(args: string[], cwd: string): SpawnSyncReturns<string> {
  return spawnSync('npm', [...args, '--no-audit', '--no-fund'], { cwd, encoding: 'utf8', timeout: NPM_TIMEOUT, env: { ...process.env, npm_config_update_notifier: 'false' } });
}

function run(command: string, args: string[], cwd: string): SpawnSyncReturns<string> {
  return spawnSync(command, args, { cwd, encoding: 'utf8', timeout: NPM_TIMEOUT });
}

beforeAll(() => {
  if (!existsSync(path.join(ROOT, 'dist/index.d.ts'))) throw new Error('dist/ is not built: run `npm run build` first');
});

describe('npm pack', () => {
  it('ships the CLI, the built library with its declarations, schemas, configs, README and LICENSE, and no sources or tests', () => {
    const r = npm(['pack', '--dry-run', '--json', '--ignore-scripts'], ROOT);
    expect(r.status, r.stderr).toBe(0);
    const files: string[] = JSON.parse(r.stdout)[0].files.map((f: { path: string }) => f.path);
    for (const f of ['LICENSE', 'README.md', 'package.json', 'bin/autombw.js', 'dist/index.js', 'dist/index.d.ts', 'dist/cli/main.js', 'schemas/experiment.schema.json', 'configs/quickstart.yaml']) {
      expect(files).toContain(f);
    }
    expect(files.filter((f) => /^(src|test|bench|scripts|docs)\//.test(f) || f === '.npmrc')).toEqual([]);
  });
});

describe('installing the packed tarball into an empty project', () => {
  let project: string;
  let install: SpawnSyncReturns<string>;

  beforeAll(() => {
    project = tempDir();
    const packed = npm(['pack', '--ignore-scripts', '--pack-destination', project], ROOT);
    expect(packed.status, packed.stderr).toBe(0);
    const tarball = `file:${packed.stdout.trim().split('\n').pop()}`;
    const lock = JSON.parse(readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8'));
    const root = lock.packages[''];
    const packages: Record<string, unknown> = {
      '': { name: 'consumer', dependencies: { autombw: tarball } },
      'node_modules/autombw': { version: root.version, resolved: tarball, license: root.license, dependencies: root.dependencies, bin: root.bin, engines: root.engines, peerDependencies: root.peerDependencies, peerDependenciesMeta: root.peerDependenciesMeta },
    };
    for (const [key, entry] of Object.entries(lock.packages as Record<string, { dev?: boolean; devOptional?: boolean }>)) {
      if (key !== '' && !entry.dev && !entry.devOptional) packages[key] = entry;
    }
    // As docs/interop.md advises: the consumer decides about onnxruntime-node's CUDA download (here: CPU only).
    writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module', dependencies: { autombw: tarball }, allowScripts: { 'onnxruntime-node': false } }));
    writeFileSync(path.join(project, 'package-lock.json'), JSON.stringify({ name: 'consumer', lockfileVersion: 3, requires: true, packages }));
    install = npm(['ci', '--offline'], project);
  }, NPM_TIMEOUT + 60_000);

  it('installs offline without a warning, and without tsx (needed only by TypeScript objective modules)', () => {
    expect(install.status, install.stderr).toBe(0);
    expect(install.stderr).not.toMatch(/npm warn/i);
    expect(existsSync(path.join(project, 'node_modules/autombw/dist/index.js'))).toBe(true);
    expect(existsSync(path.join(project, 'node_modules/tsx'))).toBe(false);
  });

  it('runs the CLI through npx without a warning', () => {
    const r = run('npx', ['--offline', 'autombw', '--version'], project);
    expect([r.status, r.stdout.trim(), r.stderr]).toEqual([0, VERSION, '']);
  });

  it('imports the API and runs an optimizer', () => {
    writeFileSync(
      path.join(project, 'main.js'),
      `import { createOptimizer, defineSpace } from 'autombw';
const optimizer = createOptimizer(defineSpace({ preset: 'sd1-26', bounds: [0, 1] }), { kind: 'sobol', seed: 1, budget: 4 });
for (const p of optimizer.ask(4)) optimizer.tell(p.id, p.weights.IN00);
console.log(Object.keys(optimizer.recommend()).length);
`,
    );
    const r = run(process.execPath, ['main.js'], project);
    expect([r.status, r.stdout.trim(), r.stderr]).toEqual([0, '26', '']);
  });

  it('typechecks a TypeScript consumer against the shipped declarations', () => {
    writeFileSync(path.join(project, 'check.ts'), `import { createOptimizer, defineSpace, type Proposal } from 'autombw';\nconst p: Proposal[] = createOptimizer(defineSpace({ preset: 'sd1-26', bounds: [0, 1] }), { kind: 'gp-bo', budget: 10 }).ask(2);\nconst w: number = p[0].weights.IN00;\nconsole.log(w);\n`);
    writeFileSync(path.join(project, 'tsconfig.json'), JSON.stringify({ compilerOptions: { target: 'ES2022', lib: ['ES2023'], module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, types: ['node'], typeRoots: [path.join(ROOT, 'node_modules/@types')] }, files: ['check.ts'] }));
    const r = run(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', project], project);
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  }, NPM_TIMEOUT);
});
