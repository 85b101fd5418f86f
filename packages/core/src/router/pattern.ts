/**
 * Parsing and validation of route patterns (`/users/:id(\d+)/files/*`). Everything here runs at
 * registration time, never per request.
 */

import { invalid } from './errors.ts';

/** One segment of a parsed pattern. */
export type Segment =
  | { kind: 'static'; text: string }
  | { kind: 'param'; name: string; regex: string | null }
  | { kind: 'wildcard' };

/** Parameter names that would touch `Object.prototype` when assigned on a plain object. */
const RESERVED_NAMES = new Set(['__proto__', 'constructor', 'prototype']);

const NAME_CHAR = /[A-Za-z0-9_]/;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const HEX = /^[0-9A-Fa-f]{2}$/;

/**
 * Characters a WHATWG URL always percent-encodes in a path (controls, space, `"`, `#`, `<`, `>`,
 * `?`, backtick, `{`, `}`, and everything outside ASCII): they never reach the router raw, so a
 * static segment containing them could never match.
 */
function neverRaw(code: number): boolean {
  return (
    code <= 0x20 ||
    code >= 0x7f ||
    code === 0x22 ||
    code === 0x23 ||
    code === 0x3c ||
    code === 0x3e ||
    code === 0x3f ||
    code === 0x60 ||
    code === 0x7b ||
    code === 0x7d
  );
}

/** Checks a static segment; `start`/`end` delimit it in `pattern`. */
function checkStatic(pattern: string, start: number, end: number): void {
  const text = pattern.slice(start, end);
  for (let i = start; i < end; i++) {
    const ch = pattern[i] ?? '';
    const code = pattern.charCodeAt(i);
    if (ch === ':') {
      const param = pattern.slice(i, end);
      const prefix = pattern.slice(start, i).replace(/[^A-Za-z0-9]+$/, '');
      throw invalid(
        pattern,
        `segment "${text}" mixes static text and the parameter "${param}". A parameter must be a whole segment: ` +
          `use one parameter per segment (e.g. "${prefix === '' ? '' : '/' + prefix}/${param}"), or one regex parameter ` +
          `that matches the whole segment (e.g. "/:name(\\w+\\.\\w+)") and split the value in the handler.`,
      );
    }
    if (ch === '*') {
      throw invalid(
        pattern,
        `"*" is only allowed as the whole last segment (e.g. "/files/*"); segment "${text}" contains it. ` +
          'To match one segment write a parameter such as "/:name", or a regex parameter such as "/:name(a.*)".',
      );
    }
    if (ch === '?') {
      throw invalid(
        pattern,
        '"?" is not allowed: patterns match the path without its query string, and optional parameters are not ' +
          'supported. Register one route without the segment and one with it.',
      );
    }
    if (ch === '%') {
      const hex = pattern.slice(i + 1, i + 3);
      if (!HEX.test(hex)) {
        throw invalid(
          pattern,
          `"${pattern.slice(i, i + 3)}" is not valid percent-encoding; write "%25" for a literal "%".`,
        );
      }
      i += 2;
      continue;
    }
    if (neverRaw(code)) {
      const cp = pattern.codePointAt(i) ?? code;
      const char = String.fromCodePoint(cp);
      let encoded: string;
      try {
        encoded = encodeURIComponent(char);
      } catch {
        encoded = '(a valid UTF-16 string)';
      }
      throw invalid(
        pattern,
        `${JSON.stringify(char)} cannot appear unencoded in a request path, so segment "${text}" could never ` +
          `match. Write it percent-encoded, as a client sends it: ${JSON.stringify(encoded)}.`,
      );
    }
  }
}

/**
 * Returns the index just past the `)` that closes the `(` at `open`, or -1 when it is not closed.
 * Escapes and character classes are skipped exactly as the RegExp parser does, so the extracted
 * source is balanced and cannot escape the `^(?:...)$` wrapper.
 */
function closeParen(pattern: string, open: number): number {
  let depth = 0;
  let inClass = false;
  for (let i = open; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '\\') {
      i++;
    } else if (inClass) {
      if (ch === ']') inClass = false;
    } else if (ch === '[') {
      inClass = true;
    } else if (ch === '(') {
      depth++;
    } else if (ch === ')') {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
}

/**
 * Splits and validates a pattern. Throws RouterError FW_ERR_ROUTE_INVALID, with a message saying
 * what to write instead, for anything malformed.
 */
export function parsePattern(pattern: string): Segment[] {
  if (typeof pattern !== 'string' || pattern.charCodeAt(0) !== 0x2f) {
    const shown = typeof pattern === 'string' ? pattern : String(pattern);
    throw invalid(shown, `a pattern must start with "/"; write "/${shown.replace(/^\/*/, '')}".`);
  }
  const segments: Segment[] = [];
  const names = new Set<string>();
  let pos = 1;
  for (;;) {
    const ch = pattern[pos];
    if (ch === ':') {
      let end = pos + 1;
      while (end < pattern.length && NAME_CHAR.test(pattern[end] ?? '')) end++;
      const name = pattern.slice(pos + 1, end);
      if (name === '') {
        throw invalid(pattern, '":" must be followed by a parameter name, e.g. "/users/:id".');
      }
      if (!NAME.test(name)) {
        throw invalid(
          pattern,
          `parameter name "${name}" must start with a letter or "_" and contain only letters, digits and "_", ` +
            `e.g. ":p${name}".`,
        );
      }
      if (RESERVED_NAMES.has(name)) {
        throw invalid(
          pattern,
          `parameter name "${name}" is reserved; choose another name, e.g. ":${name.replace(/_/g, '')}Name".`,
        );
      }
      if (names.has(name)) {
        throw invalid(
          pattern,
          `parameter ":${name}" appears twice; give each parameter its own name, e.g. ":${name}" and ":${name}2".`,
        );
      }
      names.add(name);
      let regex: string | null = null;
      if (pattern[end] === '(') {
        const close = closeParen(pattern, end);
        if (close === -1) {
          throw invalid(pattern, `the regular expression after ":${name}" is not closed; write e.g. ":${name}(\\d+)".`);
        }
        regex = pattern.slice(end + 1, close - 1);
        if (regex === '') {
          throw invalid(
            pattern,
            `":${name}()" has an empty regular expression; remove "()" or write e.g. ":${name}(\\d+)".`,
          );
        }
        end = close;
      }
      if (end < pattern.length && pattern[end] !== '/') {
        const slash = pattern.indexOf('/', end);
        const rest = pattern.slice(end, slash === -1 ? pattern.length : slash);
        const others = rest.match(/:[A-Za-z_][A-Za-z0-9_]*/g);
        const next = others === null ? rest.replace(/^[^A-Za-z0-9]+/, '') || '...' : others.join('/');
        throw invalid(
          pattern,
          `"${rest}" follows the parameter ":${name}" in the same segment. A parameter must be a whole segment: ` +
            `use one parameter per segment (e.g. "/:${name}/${next}"), or one regex parameter that matches the whole ` +
            `segment (e.g. ":${name}(\\d+-\\d+)") and split the value in the handler.`,
        );
      }
      segments.push({ kind: 'param', name, regex });
      pos = end;
    } else if (ch === '*' && (pos + 1 === pattern.length || pattern[pos + 1] === '/')) {
      if (pos + 1 !== pattern.length) {
        throw invalid(
          pattern,
          '"*" is only allowed as the whole last segment (e.g. "/files/*"). To match one segment in the middle, ' +
            'use a parameter such as "/:name".',
        );
      }
      segments.push({ kind: 'wildcard' });
      pos++;
    } else {
      let end = pattern.indexOf('/', pos);
      if (end === -1) end = pattern.length;
      checkStatic(pattern, pos, end);
      segments.push({ kind: 'static', text: pattern.slice(pos, end) });
      pos = end;
    }
    if (pos >= pattern.length) return segments;
    pos++; // the '/' separator; a trailing '/' yields a last static segment ''.
  }
}
