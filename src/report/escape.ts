const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * Text for HTML and SVG, in content and in quoted attributes alike. Every string that came from a
 * user (names, descriptions, prompts, file names, errors) goes through here, so a hostile prompt
 * stays text. Control characters other than tab and newline are dropped: XML forbids them.
 */
export function esc(value: unknown): string {
  return String(value)
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
    .replace(/[&<>"']/g, (c) => ENTITIES[c]);
}
