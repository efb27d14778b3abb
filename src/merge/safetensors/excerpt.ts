import { printable } from '../../util/text.js';

/** Longest piece of a header value a message shows. */
export const EXCERPT_CHARS = 80;

/**
 * A header value as JSON for a message, cut to `max` characters with its full length: a hostile
 * file's 5 MB dtype or a tensor name of a million characters must not become a 5 MB message.
 * Serializes without recursion, since the value may be nested thousands of levels deep (where
 * JSON.stringify overflows the stack).
 */
export function excerpt(value: unknown, max = EXCERPT_CHARS): string {
  let head = '';
  let length = 0;
  const emit = (text: string) => {
    if (head.length < max + 1) head += text.slice(0, max + 1 - head.length);
    length += text.length;
  };
  // Pending work, last first: a value to serialize or literal text (brackets, commas, keys).
  const stack: Array<{ value: unknown } | string> = [{ value }];
  while (stack.length > 0) {
    const item = stack.pop()!;
    if (typeof item === 'string') {
      emit(item);
      continue;
    }
    const v = item.value;
    if (Array.isArray(v)) {
      stack.push(']');
      for (let i = v.length - 1; i >= 0; i--) stack.push({ value: v[i] }, ...(i > 0 ? [','] : []));
      emit('[');
    } else if (typeof v === 'object' && v !== null) {
      const entries = Object.entries(v);
      stack.push('}');
      for (let i = entries.length - 1; i >= 0; i--) stack.push({ value: entries[i][1] }, `${JSON.stringify(entries[i][0])}:`, ...(i > 0 ? [','] : []));
      emit('{');
    } else emit(v === undefined ? 'undefined' : JSON.stringify(v));
  }
  return shortened(head, length, max);
}

/** Plain text from a file (a tensor name) for a message, cut like `excerpt` but not quoted. */
export function clip(text: string, max = EXCERPT_CHARS): string {
  return shortened(text, text.length, max);
}

function shortened(head: string, length: number, max: number): string {
  return printable(length > max ? `${head.slice(0, max)}… (${length} characters)` : head);
}
