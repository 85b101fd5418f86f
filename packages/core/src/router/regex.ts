/**
 * Safety checks and compilation of regex parameters (`/:id(\\d+)`), at registration time.
 */

import { invalid } from './errors.ts';

const QUANTIFIER_BRACES = /^\{(\d+)(,(\d*))?\}/;

/**
 * Most variable quantifiers (`*`, `+`, `?`, `{n,}`, `{n,m}`) one regex parameter may contain. Even
 * without nesting, k adjacent quantifiers over the same characters backtrack in O(n^k) on a failing
 * input (`\d*\d*\d*\d*\d*x` takes about a second on 100 digits), so k is capped.
 */
export const MAX_REGEX_QUANTIFIERS = 3;

interface GroupState {
  hasQuantifier: boolean;
  hasAlternation: boolean;
}

/**
 * Returns why `source` could backtrack catastrophically, or null when it is safe enough: no
 * quantifier applied to a group that contains a quantifier or an alternation, no backreference, no
 * lookaround, at most MAX_REGEX_QUANTIFIERS variable quantifiers. Syntax errors are left to the
 * RegExp constructor.
 */
export function unsafeRegexReason(source: string): string | null {
  const stack: GroupState[] = [{ hasQuantifier: false, hasAlternation: false }];
  // What a quantifier at the current position would apply to: null for nothing (start, after `(`, `|`
  // or another quantifier), else whether that atom contains a quantifier / alternation.
  let last: GroupState | null = null;
  let variable = 0;
  const plain: GroupState = { hasQuantifier: false, hasAlternation: false };
  let i = 0;
  while (i < source.length) {
    const ch = source[i];
    const top = stack[stack.length - 1] ?? plain;
    if (ch === '\\') {
      const next = source[i + 1] ?? '';
      if ((next >= '1' && next <= '9') || (next === 'k' && source[i + 2] === '<')) {
        return 'backreferences are not allowed; compare the values in the handler instead';
      }
      last = plain;
      i += 2;
    } else if (ch === '[') {
      i++;
      while (i < source.length && source[i] !== ']') i += source[i] === '\\' ? 2 : 1;
      i++;
      last = plain;
    } else if (ch === '(') {
      if (source.startsWith('(?=', i) || source.startsWith('(?!', i) || source.startsWith('(?<=', i)) {
        return 'lookaheads and lookbehinds are not allowed; check the value in the handler instead';
      }
      if (source.startsWith('(?<!', i)) {
        return 'lookaheads and lookbehinds are not allowed; check the value in the handler instead';
      }
      if (source[i + 1] === '?') {
        // `(?:`, `(?<name>` or modifiers `(?i:`: skip the prefix so its `?` is not read as a quantifier.
        const end = source[i + 2] === '<' ? source.indexOf('>', i) : source.indexOf(':', i);
        i = end === -1 ? i + 2 : end + 1;
      } else {
        i++;
      }
      stack.push({ hasQuantifier: false, hasAlternation: false });
      last = null;
    } else if (ch === ')') {
      const group = stack.length > 1 ? stack.pop() : undefined;
      const parent = stack[stack.length - 1] ?? plain;
      if (group !== undefined) {
        parent.hasQuantifier ||= group.hasQuantifier;
        parent.hasAlternation ||= group.hasAlternation;
      }
      last = group ?? plain;
      i++;
    } else if (ch === '|') {
      top.hasAlternation = true;
      last = null;
      i++;
    } else if (ch === '*' || ch === '+' || ch === '?' || (ch === '{' && QUANTIFIER_BRACES.test(source.slice(i)))) {
      let isVariable = true;
      let length = 1;
      if (ch === '{') {
        const m = QUANTIFIER_BRACES.exec(source.slice(i));
        // m cannot be null: the test above matched.
        if (m !== null) {
          length = m[0].length;
          isVariable = m[2] !== undefined && m[3] !== m[1];
        }
      }
      if (last !== null && (last.hasQuantifier || last.hasAlternation)) {
        return (
          'a quantified group contains a quantifier or an alternation (e.g. "(a+)+", "(\\w*)*", "(a|aa)+"), ' +
          'which can backtrack catastrophically; write one flat quantifier over a character class instead, ' +
          'e.g. "[a-z0-9-]+" rather than "[a-z0-9]+(-[a-z0-9]+)*", or "[ab]+" rather than "(a|b)+"'
        );
      }
      if (isVariable) variable++;
      top.hasQuantifier = true;
      i += length;
      if (source[i] === '?') i++;
      last = null;
    } else {
      last = plain;
      i++;
    }
  }
  if (variable > MAX_REGEX_QUANTIFIERS) {
    return (
      `it has ${variable} variable quantifiers (at most ${MAX_REGEX_QUANTIFIERS} are allowed, because adjacent ` +
      'quantifiers backtrack polynomially); merge them, e.g. "\\d+" rather than "\\d*\\d+", or check the value ' +
      'in the handler'
    );
  }
  return null;
}

/** Compiles a regex parameter's source, anchored, after the safety checks. */
export function compileParamRegex(pattern: string, name: string, source: string): RegExp {
  const reason = unsafeRegexReason(source);
  if (reason !== null) throw invalid(pattern, `the regular expression "${source}" of ":${name}" is unsafe: ${reason}.`);
  try {
    return new RegExp('^(?:' + source + ')$');
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw invalid(
      pattern,
      `the regular expression "${source}" of ":${name}" is invalid (${detail}); write a valid JavaScript ` +
        'regular expression without delimiters or flags, e.g. ":id(\\d+)".',
    );
  }
}
