// Internal to the migrator: nothing here is exported from the package entry point.
import { type SQL, type SQLChunk, sql } from 'drizzle-orm';

/** drizzle-kit separates the statements of a generated file with this marker. */
export const STATEMENT_BREAKPOINT = '--> statement-breakpoint';

interface Scan {
  /** Offsets of top-level `;` (outside quotes, comments and dollar-quoted bodies). */
  semicolons: number[];
  /** `$n` placeholders outside quotes and comments: start offset, length, number. */
  placeholders: { at: number; length: number; index: number }[];
}

/**
 * Walks SQL text once and finds statement ends and `$n` placeholders, skipping string literals,
 * quoted identifiers, comments and dollar-quoted bodies (function bodies hold `;` of their own).
 */
function scan(text: string): Scan {
  const semicolons: number[] = [];
  const placeholders: Scan['placeholders'] = [];
  let i = 0;
  while (i < text.length) {
    const char = text[i];
    const next = text[i + 1];
    if (char === "'" || char === '"') {
      const end = text.indexOf(char, i + 1);
      // A doubled quote inside a literal ('it''s') is just two adjacent literals to this scanner.
      i = end === -1 ? text.length : end + 1;
    } else if (char === '-' && next === '-') {
      const end = text.indexOf('\n', i);
      i = end === -1 ? text.length : end + 1;
    } else if (char === '/' && next === '*') {
      let depth = 1;
      i += 2;
      while (i < text.length && depth > 0) {
        if (text.startsWith('/*', i)) {
          depth += 1;
          i += 2;
        } else if (text.startsWith('*/', i)) {
          depth -= 1;
          i += 2;
        } else i += 1;
      }
    } else if (char === '$') {
      const number = /^\$(\d+)/.exec(text.slice(i, i + 12));
      const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(text.slice(i, i + 66));
      if (number !== null && !/[A-Za-z0-9_]/.test(text[i - 1] ?? ' ')) {
        placeholders.push({ at: i, length: number[0].length, index: Number(number[1]) });
        i += number[0].length;
      } else if (tag !== null && !/[A-Za-z0-9_]/.test(text[i - 1] ?? ' ')) {
        const end = text.indexOf(tag[0], i + tag[0].length);
        i = end === -1 ? text.length : end + tag[0].length;
      } else i += 1;
    } else {
      if (char === ';') semicolons.push(i);
      i += 1;
    }
  }
  return { semicolons, placeholders };
}

/**
 * Splits a SQL file into statements: on drizzle-kit's `--> statement-breakpoint` markers when the
 * file has them, otherwise on top-level semicolons. Empty and comment-only pieces are dropped.
 */
export function splitStatements(text: string): string[] {
  const pieces: string[] = [];
  for (const chunk of text.split(STATEMENT_BREAKPOINT)) {
    let start = 0;
    for (const at of scan(chunk).semicolons) {
      pieces.push(chunk.slice(start, at + 1));
      start = at + 1;
    }
    pieces.push(chunk.slice(start));
  }
  return pieces.map((piece) => piece.trim()).filter((piece) => stripComments(piece).trim() !== '');
}

function stripComments(text: string): string {
  return text.replace(/--[^\n]*/g, '').replace(/\/\*[\s\S]*?\*\//g, '');
}

/**
 * Turns `text` with `$1..$n` placeholders and their values into a drizzle `SQL` whose parameters
 * are bound by the driver (never spliced into the text).
 */
export function toSql(text: string, params: readonly unknown[] = []): SQL {
  if (params.length === 0) return sql.raw(text);
  const chunks: SQLChunk[] = [];
  let last = 0;
  for (const placeholder of scan(text).placeholders) {
    if (placeholder.index < 1 || placeholder.index > params.length) {
      throw new RangeError(
        `The statement uses $${placeholder.index} but ${params.length} parameter(s) were given; pass one value per placeholder.`,
      );
    }
    chunks.push(sql.raw(text.slice(last, placeholder.at)), sql.param(params[placeholder.index - 1]));
    last = placeholder.at + placeholder.length;
  }
  chunks.push(sql.raw(text.slice(last)));
  return sql.join(chunks);
}
