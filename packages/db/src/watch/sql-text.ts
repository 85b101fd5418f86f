/**
 * Quoting for the few statements live queries must build as text (DDL and DO blocks take no
 * parameters). Private to the package.
 */

/**
 * Quotes an identifier: `posts` → `"posts"`, `My "Table"` → `"My ""Table"""`. A NUL byte cannot be
 * part of an identifier, so it is refused rather than silently cut.
 *
 * @example
 * ```ts
 * quoteIdent('Blog Posts'); // '"Blog Posts"'
 * ```
 */
export function quoteIdent(name: string): string {
  if (name.length === 0 || name.includes('\0')) {
    throw new TypeError(
      `${JSON.stringify(name)} is not a valid SQL identifier: use a non-empty name without NUL bytes.`,
    );
  }
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * Quotes a string literal for a server with `standard_conforming_strings` on (the default since
 * PostgreSQL 9.1), where a backslash is an ordinary character.
 *
 * @example
 * ```ts
 * quoteLiteral("O'Brien"); // "'O''Brien'"
 * ```
 */
export function quoteLiteral(value: string): string {
  if (value.includes('\0')) throw new TypeError('A SQL string literal cannot hold a NUL byte.');
  return `'${value.replaceAll("'", "''")}'`;
}

/**
 * Wraps a body in a dollar quote whose tag does not occur in the body, so nothing inside (a quoted
 * table name holding `$fw$`, say) can end the quote early.
 *
 * @example
 * ```ts
 * dollarQuote('BEGIN NULL; END', 'do'); // '$fw_do$BEGIN NULL; END$fw_do$'
 * ```
 */
export function dollarQuote(body: string, name: string): string {
  let tag = `$fw_${name}$`;
  for (let n = 1; body.includes(tag); n++) tag = `$fw_${name}${n}$`;
  return `${tag}${body}${tag}`;
}

/**
 * `"schema"."table"`.
 *
 * @example
 * ```ts
 * qualifiedName('public', 'posts'); // '"public"."posts"'
 * ```
 */
export function qualifiedName(schema: string, table: string): string {
  return `${quoteIdent(schema)}.${quoteIdent(table)}`;
}
