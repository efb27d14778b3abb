import { readFileSync } from 'node:fs';
import path from 'node:path';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node, type ScalarTag } from 'yaml';
import { UserInputError, formatPath } from './issues.js';
import { printable } from '../util/text.js';

/** A position in a source file, 1-based as editors show it. */
export interface SourcePosition {
  file: string;
  line: number;
  col: number;
}

/** `!include other.yaml` (or .json / .txt) in an experiment: replaced by that file's contents. */
class IncludeRef {
  constructor(readonly target: string) {}
}

const includeTag: ScalarTag = {
  tag: '!include',
  identify: (value) => value instanceof IncludeRef,
  resolve: (str) => new IncludeRef(str),
};

interface LoadedDoc {
  /** JSON path under which this document's root sits in the combined data. */
  prefix: ReadonlyArray<string | number>;
  file: string;
  doc: Document.Parsed;
  lines: LineCounter;
}

const MAX_INCLUDE_DEPTH = 8;
/** Alias expansions allowed per document: enough for any honest config, far too few for an alias bomb. */
const MAX_ALIAS_EXPANSION = 1000;

/**
 * The experiment as data plus the map from every JSON path back to file:line:col, across
 * included files. Errors anywhere in the pipeline (schema, semantics, objective resolution)
 * are located through `locate`.
 */
export class SourceMap {
  private readonly docs: LoadedDoc[] = [];

  /** Parses `file` and its includes. Throws UserInputError listing YAML syntax errors with positions. */
  static load(file: string): { data: unknown; sources: SourceMap } {
    const sources = new SourceMap();
    const data = sources.loadFile(path.resolve(file), [], []);
    return { data, sources };
  }

  /** Where the value at `path` is written; with `key`, where its key is (for "unknown key" errors). */
  locate(jsonPath: ReadonlyArray<string | number>, options: { key?: boolean } = {}): SourcePosition {
    let owner = this.docs[0];
    for (const d of this.docs) {
      if (d.prefix.length > owner.prefix.length && startsWith(jsonPath, d.prefix)) owner = d;
    }
    const rest = jsonPath.slice(owner.prefix.length);
    let node: unknown = owner.doc.contents;
    let offset = rangeStart(node) ?? 0;
    for (let i = 0; i < rest.length; i++) {
      const segment = rest[i];
      const last = i === rest.length - 1;
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(segment));
        if (!pair) break;
        const keyStart = rangeStart(pair.key);
        const valueStart = rangeStart(pair.value);
        offset = (last && options.key) || valueStart === undefined ? (keyStart ?? offset) : valueStart;
        node = pair.value;
      } else if (isSeq(node) && typeof segment === 'number' && segment < node.items.length) {
        node = node.items[segment];
        offset = rangeStart(node) ?? offset;
      } else {
        break;
      }
    }
    const { line, col } = owner.lines.linePos(offset);
    return { file: owner.file, line, col };
  }

  /** `file:line:col: at path: message`, the one format every user-facing config error uses. */
  format(jsonPath: ReadonlyArray<string | number>, message: string, options: { key?: boolean } = {}): string {
    const pos = this.locate(jsonPath, options);
    return printable(`${displayPath(pos.file)}:${pos.line}:${pos.col}: ${formatPath(jsonPath)}: ${message}`);
  }

  /** Every file the experiment was read from (the experiment first). */
  get files(): string[] {
    return this.docs.map((d) => d.file);
  }

  private loadFile(file: string, prefix: ReadonlyArray<string | number>, chain: string[]): unknown {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      throw new UserInputError(`${displayPath(file)}: cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    if (file.endsWith('.txt')) return text;
    const lines = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lines, customTags: [includeTag], prettyErrors: false, uniqueKeys: true });
    // Warnings (an unknown tag such as !!js/function) are refused too: an experiment means exactly what it says.
    const problems = [...doc.errors.map((e) => ['YAML syntax error', e] as const), ...doc.warnings.map((e) => ['YAML problem', e] as const)];
    if (problems.length > 0) {
      const messages = problems.map(([kind, e]) => {
        const { line, col } = lines.linePos(e.pos[0]);
        return printable(`${displayPath(file)}:${line}:${col}: ${kind}: ${firstLine(e.message)}`);
      });
      throw new UserInputError(messages[0], messages);
    }
    const proto = findKey(doc.contents, '__proto__');
    if (proto !== undefined) {
      const { line, col } = lines.linePos(proto);
      throw new UserInputError(`${displayPath(file)}:${line}:${col}: the key "__proto__" is not allowed`);
    }
    this.docs.push({ prefix, file, doc, lines });
    let data: unknown;
    try {
      data = doc.toJS({ maxAliasCount: MAX_ALIAS_EXPANSION });
    } catch (e) {
      throw new UserInputError(`${displayPath(file)}:1:1: YAML problem: ${(e as Error).message}`);
    }
    return this.expandIncludes(data, prefix, file, [...chain, file]);
  }

  private expandIncludes(value: unknown, at: ReadonlyArray<string | number>, file: string, chain: string[]): unknown {
    if (value instanceof IncludeRef) {
      const target = path.resolve(path.dirname(file), value.target);
      const here = this.format(at, '');
      if (chain.includes(target)) throw new UserInputError(`${here}!include cycle: ${[...chain, target].map(displayPath).join(' → ')}`);
      if (chain.length > MAX_INCLUDE_DEPTH) throw new UserInputError(`${here}!include nested deeper than ${MAX_INCLUDE_DEPTH} files`);
      try {
        return this.loadFile(target, at, chain);
      } catch (e) {
        if (e instanceof UserInputError && e.message.includes('cannot read')) {
          throw new UserInputError(`${here}!include ${value.target}: file not found (looked for ${displayPath(target)})`);
        }
        throw e;
      }
    }
    if (Array.isArray(value)) return value.map((v, i) => this.expandIncludes(v, [...at, i], file, chain));
    if (value !== null && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = this.expandIncludes(v, [...at, k], file, chain);
      return out;
    }
    return value;
  }
}

/** Offset of the first map key equal to `name` anywhere under `node`. */
function findKey(node: unknown, name: string): number | undefined {
  if (isMap(node)) {
    for (const pair of node.items) {
      if (isScalar(pair.key) && pair.key.value === name) return rangeStart(pair.key) ?? 0;
      const inner = findKey(pair.value, name);
      if (inner !== undefined) return inner;
    }
  } else if (isSeq(node)) {
    for (const item of node.items) {
      const inner = findKey(item, name);
      if (inner !== undefined) return inner;
    }
  }
  return undefined;
}

function rangeStart(node: unknown): number | undefined {
  return (node as Node | null | undefined)?.range?.[0];
}

function startsWith(p: ReadonlyArray<string | number>, prefix: ReadonlyArray<string | number>): boolean {
  return prefix.every((seg, i) => String(p[i]) === String(seg));
}

function firstLine(s: string): string {
  return s.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
}

/** Paths in messages: relative to the working directory when that is shorter. */
export function displayPath(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel && !rel.startsWith('..') && rel.length < file.length ? rel : file;
}
