import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, visit, type Document, type Node, type ScalarTag } from 'yaml';
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
/** Bytes per source file: honest experiments and payload lists are far smaller; /dev/zero or a model file is refused. */
const MAX_SOURCE_BYTES = 4 * 1024 * 1024;
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
    const text = readSource(file);
    if (file.endsWith('.txt')) return text;
    const lines = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lines, customTags: [includeTag], prettyErrors: false, uniqueKeys: true });
    const at = (offset: number) => {
      const { line, col } = lines.linePos(offset);
      return `${displayPath(file)}:${line}:${col}`;
    };
    // Warnings (an unknown tag such as !!js/function) are refused too: an experiment means exactly what it says.
    const problems = [...doc.errors.map((e) => ['YAML syntax error', e] as const), ...doc.warnings.map((e) => ['YAML problem', e] as const)];
    if (problems.length > 0) {
      const messages = problems.map(([kind, e]) => printable(`${at(e.pos[0])}: ${e.code === 'MULTIPLE_DOCS' ? MULTIPLE_DOCUMENTS : `${kind}: ${firstLine(e.message)}`}`));
      throw new UserInputError(messages[0], messages);
    }
    const proto = findKey(doc.contents, '__proto__');
    if (proto !== undefined) throw new UserInputError(`${at(proto)}: the key "__proto__" is not allowed`);
    const unsupported = unsupportedNode(doc);
    if (unsupported) throw new UserInputError(`${at(unsupported.offset)}: ${unsupported.message}`);
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
        if (e instanceof UnreadableSource) throw new UserInputError(`${here}!include ${value.target}: ${e.reason}`);
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

const MULTIPLE_DOCUMENTS = 'a second YAML document starts here (after "---"); an experiment file holds one document: remove the "---" line or split the file';

/** A source file that cannot be used, and why in a user's words; the message names the file. */
class UnreadableSource extends UserInputError {
  constructor(
    file: string,
    readonly reason: string,
  ) {
    super(`${displayPath(file)}: ${reason}`);
  }
}

/**
 * The text of an experiment or included file. Only regular files up to MAX_SOURCE_BYTES are read
 * (a device such as /dev/zero never ends), and only UTF-8: decoding anything else would silently
 * turn its bytes into U+FFFD and change what the experiment says.
 */
function readSource(file: string): string {
  let bytes: Buffer;
  try {
    const stat = statSync(file);
    if (stat.isDirectory()) throw new UnreadableSource(file, 'is a directory, not a file');
    if (!stat.isFile()) throw new UnreadableSource(file, 'is not a regular file (a device, pipe or socket)');
    if (stat.size > MAX_SOURCE_BYTES) throw new UnreadableSource(file, `is ${stat.size} bytes; experiment and included files are limited to ${MAX_SOURCE_BYTES} bytes`);
    bytes = readFileSync(file);
  } catch (e) {
    if (e instanceof UnreadableSource) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new UnreadableSource(file, code === 'ENOENT' ? `file not found (looked for ${displayPath(file)})` : `cannot read: ${code ?? (e as Error).message}`);
  }
  const bad = firstInvalidUtf8(bytes);
  if (bad !== undefined) {
    const before = bytes.subarray(0, bad);
    const line = before.filter((b) => b === 0x0a).length + 1;
    const col = before.subarray(before.lastIndexOf(0x0a) + 1).toString('utf8').length + 1;
    throw new UserInputError(
      `${displayPath(file)}:${line}:${col}: not UTF-8 text: byte 0x${bytes[bad].toString(16).toUpperCase().padStart(2, '0')} at offset ${bad}; save the file as UTF-8`,
    );
  }
  return bytes.toString('utf8');
}

/** Offset of the first byte that does not belong to a well-formed UTF-8 sequence (RFC 3629), if any. */
export function firstInvalidUtf8(bytes: Uint8Array): number | undefined {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i];
    if (b < 0x80) {
      i++;
      continue;
    }
    // Lead byte: sequence length and the allowed range of the second byte (no overlongs, no surrogates, nothing above U+10FFFF).
    const [n, lo, hi] = b >= 0xc2 && b <= 0xdf ? [2, 0x80, 0xbf] : b === 0xe0 ? [3, 0xa0, 0xbf] : b === 0xed ? [3, 0x80, 0x9f] : b >= 0xe1 && b <= 0xef ? [3, 0x80, 0xbf] : b === 0xf0 ? [4, 0x90, 0xbf] : b === 0xf4 ? [4, 0x80, 0x8f] : b >= 0xf1 && b <= 0xf3 ? [4, 0x80, 0xbf] : [0, 0, 0];
    if (n === 0) return i;
    for (let k = 1; k < n; k++) {
      const c = bytes[i + k];
      const ok = c !== undefined && (k === 1 ? c >= lo && c <= hi : c >= 0x80 && c <= 0xbf);
      if (!ok) return i;
    }
    i += n;
  }
  return undefined;
}

/**
 * YAML features an experiment does not support, found before the document is turned into data:
 * a merge key (`<<:`) would otherwise be read as a key named "<<" and fail the schema once per
 * branch, and an alias inside the node it names would build a cyclic value no check can walk.
 */
function unsupportedNode(doc: Document.Parsed): { offset: number; message: string } | undefined {
  let found: { offset: number; message: string } | undefined;
  visit(doc, {
    Pair(_key, pair) {
      if (isScalar(pair.key) && pair.key.value === '<<' && pair.key.type === 'PLAIN') {
        found = { offset: rangeStart(pair.key) ?? 0, message: 'YAML merge keys (<<) are not supported: write the keys out, or put the shared part in a file and !include it' };
        return visit.BREAK;
      }
      return undefined;
    },
    Alias(_key, alias, ancestors) {
      // Resolving searches the whole document, so only aliases under an anchor of their name are resolved.
      const underItsName = ancestors.some((a) => (a as { anchor?: string }).anchor === alias.source);
      if (underItsName && ancestors.includes(alias.resolve(doc) as never)) {
        found = { offset: rangeStart(alias) ?? 0, message: `YAML problem: the alias *${alias.source} is inside the node it names (&${alias.source}), which makes an endless value` };
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return found;
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
