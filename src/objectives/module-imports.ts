import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';

/** Local files one module objective may be made of; more means the module bundles a project, not an objective. */
export const MAX_MODULE_FILES = 200;

const SCRIPT = /\.(?:[cm]?[jt]s|[jt]sx)$/;
/** Extensions tried for a specifier without one, in TypeScript's order (then JavaScript's, then JSON). */
const EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts', '.d.ts', '.js', '.jsx', '.mjs', '.cjs', '.json'];
/** TypeScript sources are imported under the name of the JavaScript they compile to (`./util.js` is util.ts). */
const COMPILED_FROM: Record<string, string[]> = { '.js': ['.ts', '.tsx'], '.jsx': ['.tsx'], '.mjs': ['.mts'], '.cjs': ['.cts'] };

export interface ModuleClosure {
  /** Absolute paths: the module first, then every local file it reaches, in discovery order. */
  files: string[];
  /** Relative specifiers that name no file, with the file that wrote them. */
  unresolved: Array<{ importer: string; specifier: string }>;
  /** The closure reached MAX_MODULE_FILES and was cut there. */
  truncated: boolean;
}

/**
 * The module and the local files it imports through relative specifiers, recursively: the code a
 * module objective runs besides its packages. Packages (bare specifiers) are left out: they are
 * the environment's, like the Node version.
 */
export function moduleClosure(entry: string): ModuleClosure {
  const files = [entry];
  const seen = new Set(files);
  const unresolved: ModuleClosure['unresolved'] = [];
  for (let i = 0; i < files.length; i++) {
    const importer = files[i];
    if (!SCRIPT.test(importer)) continue;
    for (const specifier of importSpecifiers(readFileSync(importer, 'utf8'))) {
      if (!specifier.startsWith('./') && !specifier.startsWith('../')) continue;
      const target = resolveRelative(importer, specifier);
      if (target === undefined) unresolved.push({ importer, specifier });
      else if (!seen.has(target)) {
        if (files.length === MAX_MODULE_FILES) return { files, unresolved, truncated: true };
        seen.add(target);
        files.push(target);
      }
    }
  }
  return { files, unresolved, truncated: false };
}

/** The file a relative specifier names, resolved as tsx and TypeScript do (extension mapping, index files). */
export function resolveRelative(importer: string, specifier: string): string | undefined {
  const target = path.resolve(path.dirname(importer), specifier.replace(/[?#].*$/, ''));
  const ext = path.extname(target);
  const mapped = (COMPILED_FROM[ext] ?? []).map((e) => target.slice(0, -ext.length) + e);
  const candidates = [target, ...mapped, ...EXTENSIONS.map((e) => target + e), ...EXTENSIONS.map((e) => path.join(target, `index${e}`))];
  return candidates.find(isFile);
}

function isFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/**
 * Every module specifier written as a string literal in JavaScript or TypeScript source:
 * `import … from`, `export … from`, `import '…'`, `import('…')` and `require('…')`. Comments,
 * template literals and regular expressions are blanked first, so text inside them is not taken
 * for an import.
 */
export function importSpecifiers(source: string): string[] {
  const { code, strings } = blankLiterals(source);
  const found: string[] = [];
  const patterns = [/(?<![\w$.])from\s*"#(\d+)"/g, /(?<![\w$.])import\s*(?:\(\s*)?"#(\d+)"/g, /(?<![\w$.])require\s*\(\s*"#(\d+)"\s*\)/g];
  for (const pattern of patterns) for (const m of code.matchAll(pattern)) found.push(strings[Number(m[1])]);
  return found;
}

/** Tokens after which a `/` starts a regular expression rather than a division. */
const BEFORE_REGEX = /(?:^|[(,=:[!&|?{};+\-*%<>~^]|\b(?:return|typeof|case|do|else|in|of|new|delete|void|throw|yield|await))\s*$/;

/**
 * The source with comments, template literals and regular expressions replaced by spaces and each
 * quoted string by `"#n"`, n indexing `strings`. Line structure is kept; precision beyond finding
 * import specifiers is not the aim.
 */
function blankLiterals(source: string): { code: string; strings: string[] } {
  const strings: string[] = [];
  let code = '';
  let i = 0;
  const skipQuoted = (end: string): string => {
    let text = '';
    i++;
    while (i < source.length && source[i] !== end) {
      if (source[i] === '\\') i++;
      else if (end !== '`' && source[i] === '\n') break;
      text += source[i] ?? '';
      i++;
    }
    i++;
    return text;
  };
  while (i < source.length) {
    const c = source[i];
    const next = source[i + 1];
    if (c === '/' && next === '/') {
      while (i < source.length && source[i] !== '\n') i++;
    } else if (c === '/' && next === '*') {
      const end = source.indexOf('*/', i + 2);
      i = end < 0 ? source.length : end + 2;
      code += ' ';
    } else if (c === '"' || c === "'") {
      strings.push(skipQuoted(c));
      code += `"#${strings.length - 1}"`;
    } else if (c === '`') {
      skipQuoted('`');
      code += ' ';
    } else if (c === '/' && BEFORE_REGEX.test(code.slice(-12))) {
      let inClass = false;
      i++;
      while (i < source.length && source[i] !== '\n' && (inClass || source[i] !== '/')) {
        if (source[i] === '\\') i++;
        else if (source[i] === '[') inClass = true;
        else if (source[i] === ']') inClass = false;
        i++;
      }
      i++;
      code += ' ';
    } else {
      code += c;
      i++;
    }
  }
  return { code, strings };
}
