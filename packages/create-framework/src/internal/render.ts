/**
 * What a template file is filled with: `{{token}}` values, and the lines that replace markers.
 * A marker is a comment (`// @fw:name`, `# @fw:name` or `<!-- @fw:name -->`) at the end of a line:
 * alone on its line it stands for a block of lines (none removes the line); after code it replaces
 * that line when given, and is only dropped when not.
 */
export interface RenderValues {
  tokens: Readonly<Record<string, string>>;
  markers: Readonly<Record<string, readonly string[] | undefined>>;
  /**
   * Identifiers written `__name__` in TypeScript templates (a valid identifier, so the template
   * still parses), replaced by their value: `__identifier__` → `auditLog`.
   */
  identifiers?: Readonly<Record<string, string>>;
}

const MARKER = /^(\s*)(.*?)\s*(?:\/\/|#|<!--) @fw:([a-z-]+)(?: -->)?$/;
const TOKEN = /\{\{([a-zA-Z ]+)\}\}/g;
const IDENTIFIER = /__([a-zA-Z]+)__/g;

/** Fills one template file; throws on a token it has no value for, so no `{{...}}` reaches a user. */
export function render(text: string, values: RenderValues, file: string): string {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const match = MARKER.exec(line);
    if (match === null) {
      out.push(line);
      continue;
    }
    const [, indent = '', code = '', name = ''] = match;
    const replacement = values.markers[name];
    if (replacement === undefined) {
      if (code !== '') out.push(indent + code);
      continue;
    }
    for (const added of replacement) out.push(added === '' ? '' : indent + added);
  }
  const identifiers = values.identifiers ?? {};
  return out
    .join('\n')
    .replace(TOKEN, (_, name: string) => {
      const value = values.tokens[name];
      if (value === undefined) throw new Error(`${file}: no value for the template token {{${name}}}`);
      return value;
    })
    .replace(IDENTIFIER, (whole, name: string) => identifiers[name] ?? whole);
}

/** Whether a file is copied as it is (no tokens or markers in it). */
export function isBinary(file: string): boolean {
  return /\.(png|jpe?g|gif|ico|webp|woff2?)$/i.test(file);
}
