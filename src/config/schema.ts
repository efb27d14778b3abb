import { readdirSync, readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import type { ConfigIssue } from './issues.js';
import { closest } from '../util/suggest.js';
import { quote } from '../util/text.js';

/** schemas/ at the package root, found from both src/ (tests) and dist/ (installed). */
export function schemasDir(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const candidate = path.join(dir, 'schemas');
    if (existsSync(path.join(candidate, 'experiment.schema.json'))) return candidate;
    dir = path.dirname(dir);
  }
  throw new Error('autombw: cannot find the schemas/ directory of the package');
}

let registry: Ajv2020 | undefined;

/** The validator of one schema under schemas/ (by relative path); all are registered together so they can $ref each other. */
export function schemaValidator(id: string): ValidateFunction {
  if (!registry) {
    registry = new Ajv2020({ allErrors: true, useDefaults: true, strict: true, allowUnionTypes: true, verbose: true });
    const root = schemasDir();
    for (const rel of listSchemaFiles(root)) {
      const schema = JSON.parse(readFileSync(path.join(root, rel), 'utf8'));
      schema.$id = rel.split(path.sep).join('/');
      registry.addSchema(schema);
    }
  }
  const validate = registry.getSchema(id);
  if (!validate) throw new Error(`autombw: no schema ${id} in ${schemasDir()}`);
  return validate;
}

/** The experiment validator. */
export function experimentValidator(): ValidateFunction {
  return schemaValidator('experiment.schema.json');
}

function listSchemaFiles(root: string, sub = ''): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(path.join(root, sub), { withFileTypes: true })) {
    const rel = path.join(sub, entry.name);
    if (entry.isDirectory()) out.push(...listSchemaFiles(root, rel));
    else if (entry.name.endsWith('.schema.json')) out.push(rel);
  }
  return out.sort();
}

/**
 * Turns ajv's errors into one actionable issue each. Branch noise is removed: failed `if`
 * conditions, and for `oneOf` the errors of branches whose shape does not even match the data
 * (an array given where one branch wants an object). When one branch has the data's shape but
 * misses a required key (`{min: 0.1}` for `{min, max}`), that branch's errors are what the user needs.
 */
export function schemaIssues(errors: readonly ErrorObject[], data: unknown): ConfigIssue[] {
  const dropped = new Set<ErrorObject>();
  errors.forEach((e, k) => {
    if (e.keyword === 'if') dropped.add(e);
    if (e.keyword !== 'oneOf') return;
    const branches = oneOfBranches(errors, k);
    for (const errs of branches.values()) for (const b of errs) dropped.add(b);
    const at = (b: ErrorObject, ...keywords: string[]) => b.instancePath === e.instancePath && keywords.includes(b.keyword);
    const all = [...branches.values()];
    const strict = all.filter((errs) => !errs.some((b) => at(b, 'type', 'required')));
    const shaped = strict.length === 0 ? all.filter((errs) => !errs.some((b) => at(b, 'type'))) : strict;
    if (shaped.length === 1) {
      dropped.add(e);
      for (const b of shaped[0]) dropped.delete(b);
    }
  });
  const issues: ConfigIssue[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    if (dropped.has(e)) continue;
    const issue = describe(e, data);
    const key = JSON.stringify(issue);
    if (!seen.has(key)) {
      seen.add(key);
      issues.push(issue);
    }
  }
  return issues;
}

/**
 * The errors of each branch of the `oneOf` error at `errors[k]`, by branch. A branch written inline
 * has errors under the oneOf's schema path; a branch that is a `$ref` reports paths inside the
 * referenced schema, so its errors are recognised by order instead: ajv reports a oneOf right after
 * its branches, so they are among the errors just before it, about the same value or inside it.
 */
function oneOfBranches(errors: readonly ErrorObject[], k: number): Map<string, ErrorObject[]> {
  const e = errors[k];
  const prefix = e.schemaPath.replace(/\/oneOf$/, '/oneOf/');
  const parent = e.schemaPath.replace(/oneOf$/, '');
  const branches = new Map<string, ErrorObject[]>();
  const add = (key: string, b: ErrorObject) => branches.set(key, [...(branches.get(key) ?? []), b]);
  for (const b of errors) {
    if (b.schemaPath.startsWith(prefix)) add(b.schemaPath.slice(prefix.length).split('/')[0], b);
  }
  const inside = (b: ErrorObject) => b.instancePath === e.instancePath || b.instancePath.startsWith(`${e.instancePath}/`);
  for (let j = k - 1; j >= 0 && inside(errors[j]); j--) {
    if (!errors[j].schemaPath.startsWith(parent)) add('$ref', errors[j]);
  }
  return branches;
}

function pointerToPath(pointer: string): Array<string | number> {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

function valueAt(data: unknown, p: ReadonlyArray<string | number>): unknown {
  let v = data;
  for (const seg of p) v = (v as Record<string | number, unknown> | undefined)?.[seg];
  return v;
}

function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return `a list of ${v.length}`;
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return quote(v, 40);
  return String(v);
}

function describe(e: ErrorObject, data: unknown): ConfigIssue & { key?: boolean } {
  const at = pointerToPath(e.instancePath);
  const got = valueAt(data, at);
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'additionalProperties': {
      const name = String(p.additionalProperty);
      const allowed = Object.keys((e.parentSchema as { properties?: object } | undefined)?.properties ?? {});
      const hint = closest(name, allowed);
      return {
        path: [...at, name],
        message: `unknown key ${quote(name)}${hint ? ` (did you mean "${hint}"?)` : ''}${allowed.length ? `; allowed here: ${allowed.join(', ')}` : ''}`,
        key: true,
      };
    }
    case 'required':
      return { path: at, message: `missing required key "${String(p.missingProperty)}"` };
    case 'type':
      return { path: at, message: `expected ${article(String(p.type))}, got ${show(got)}` };
    case 'enum': {
      const allowed = (p.allowedValues as unknown[]).map(String);
      const hint = typeof got === 'string' ? closest(got, allowed) : undefined;
      return { path: at, message: `expected one of ${allowed.join(', ')}; got ${show(got)}${hint ? ` (did you mean "${hint}"?)` : ''}` };
    }
    case 'const':
      return { path: at, message: `expected ${JSON.stringify(p.allowedValue)}, got ${show(got)}` };
    case 'minimum':
    case 'exclusiveMinimum':
      return { path: at, message: `expected a number ${String(p.comparison)} ${String(p.limit)}, got ${show(got)}` };
    case 'maximum':
    case 'exclusiveMaximum':
      // An upper limit is rarely obvious, so the field's description (which says why) comes along.
      return { path: at, message: `expected a number ${String(p.comparison)} ${String(p.limit)}, got ${show(got)}${schemaDescription(e)}` };
    case 'minItems':
    case 'maxItems':
    case 'items':
      return { path: at, message: `expected ${e.keyword === 'minItems' ? 'at least' : 'at most'} ${String(p.limit)} items, got ${show(got)}` };
    case 'minLength':
      return { path: at, message: `expected a non-empty string` };
    case 'uniqueItems':
      return { path: at, message: `items must be unique (items ${String(p.j)} and ${String(p.i)} are equal)` };
    case 'pattern':
      return { path: at, message: `${show(got)} is not in the expected form${schemaDescription(e)}` };
    case 'oneOf':
      return { path: at, message: `got ${show(got)}; expected${schemaDescription(e) || ' one of the allowed forms'}` };
    default:
      return { path: at, message: `${e.message ?? 'is invalid'}${schemaDescription(e)}` };
  }
}

function schemaDescription(e: ErrorObject): string {
  const d = (e.parentSchema as { description?: string } | undefined)?.description;
  return d ? ` (${d})` : '';
}

function article(type: string): string {
  const t = type.replace(/,/g, ' or ');
  if (t === 'object') return 'a mapping';
  if (t === 'array') return 'a list';
  return /^[aeiou]/.test(t) ? `an ${t}` : `a ${t}`;
}
