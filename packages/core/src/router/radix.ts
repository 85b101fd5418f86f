/**
 * The HTTP router: static routes in a Map, dynamic ones in a segment tree (see node.ts) searched
 * depth-first in priority order, static > regex parameter > parameter > wildcard at every segment,
 * backtracking when a branch fails deeper down. Each tree node is visited at most once per lookup,
 * and each visit reads at most max(label length, maxParamLength + 1) characters, so a lookup costs
 * O(tree size) whatever the length of the path.
 *
 * Paths are matched raw (still percent-encoded): static segments are compared with the raw path, so
 * `/us%65rs` does not match `/users`; parameter values are decoded after matching, and regex
 * parameters are tested against the decoded segment. The path is split on raw `/` only, so `%2F`
 * inside a parameter decodes to `/` in its value without splitting segments.
 */

import { RouterError } from './errors.ts';
import { type Entry, Node, regexChild, staticChild } from './node.ts';
import { parsePattern, type Segment } from './pattern.ts';
import { compileParamRegex } from './regex.ts';

export { RouterError, type RouterErrorCode } from './errors.ts';

/** The result of `Router.find`. */
export interface RouteMatch<T> {
  value: T;
  /** Decoded parameter values by name; a wildcard's value is under `'*'`. */
  params: Record<string, string>;
}

/** Options of `Router`. */
export interface RouterOptions {
  /** Longest raw (still percent-encoded) segment a parameter matches. Default 100. */
  maxParamLength?: number;
  /** Treat `/x/` as `/x`, in patterns and in requests. Default false. */
  ignoreTrailingSlash?: boolean;
}

/** A route as returned by `Router.routes()`. */
export interface RouteInfo<T> {
  method: string;
  path: string;
  value: T;
}

/** The method of routes registered by `app.all()`: they match any method. */
export const ALL_METHODS = 'ALL';
/** What `allowed()` reports for a path matched by an `ALL` route. */
const COMMON_METHODS = ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT'];
const METHOD = /^[A-Z][A-Z0-9_-]*$/;
const SLASH = 0x2f;
/** The params of every static match: shared, so frozen. */
const NO_PARAMS: Record<string, string> = Object.freeze({});

function decodeParam(raw: string, name: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    const shown = raw.length > 64 ? raw.slice(0, 64) + '...' : raw;
    throw new RouterError(
      'FW_ERR_BAD_PATH',
      `Invalid percent-encoding in path parameter "${name}": "${shown}". Encode "%" as "%25".`,
    );
  }
}

/** Decodes a segment for a regex test; null when it is not valid percent-encoding (then no regex matches). */
function decodeForTest(raw: string): string | null {
  if (raw.indexOf('%') === -1) return raw;
  try {
    return decodeURIComponent(raw);
  } catch {
    return null;
  }
}

/**
 * A router mapping (method, path) to values.
 *
 * @example
 * ```ts
 * const router = new Router<Handler>();
 * router.add('GET', '/users/:id(\\d+)', showUser);
 * router.find('GET', '/users/42'); // { value: showUser, params: { id: '42' } }
 * ```
 */
export class Router<T> {
  readonly #maxParamLength: number;
  readonly #ignoreTrailingSlash: boolean;
  readonly #root = new Node<T>('');
  /** Fully static routes by normalized path, then method. */
  /** Static routes by path and method, each with its match object made once (no allocation per lookup). */
  readonly #static = new Map<string, Map<string, RouteMatch<T>>>();
  readonly #routes: RouteInfo<T>[] = [];
  /** Whether any route has a parameter or a wildcard; when not, the tree is never searched. */
  #dynamic = false;
  /** Scratch space for the raw start/end offsets of parameter values during a lookup. */
  readonly #starts: number[] = [];
  readonly #ends: number[] = [];

  constructor(options: RouterOptions = {}) {
    const max = options.maxParamLength ?? 100;
    if (!Number.isInteger(max) || max < 1) {
      throw new RangeError(`Router option maxParamLength must be a positive integer, got ${String(max)}.`);
    }
    this.#maxParamLength = max;
    this.#ignoreTrailingSlash = options.ignoreTrailingSlash ?? false;
  }

  /**
   * Registers `value` for `method` (upper-case, or 'ALL' for any method) and the pattern `path`.
   * Throws RouterError FW_ERR_ROUTE_INVALID for a malformed method or pattern, and
   * FW_ERR_ROUTE_CONFLICT when the method already has an equivalent pattern.
   */
  add(method: string, path: string, value: T): void {
    if (typeof method !== 'string' || !METHOD.test(method)) {
      const upper = typeof method === 'string' ? method.toUpperCase() : 'GET';
      throw new RouterError(
        'FW_ERR_ROUTE_INVALID',
        `Invalid route method ${JSON.stringify(method)} for "${String(path)}": write an upper-case HTTP method ` +
          `such as "${METHOD.test(upper) ? upper : 'GET'}", or "ALL" for every method.`,
      );
    }
    const segments = parsePattern(path);
    const last = segments[segments.length - 1];
    if (this.#ignoreTrailingSlash && segments.length > 1 && last?.kind === 'static' && last.text === '') {
      segments.pop();
    }
    const names: string[] = [];
    const regexes: Array<RegExp | null> = [];
    for (const segment of segments) {
      if (segment.kind === 'param') {
        names.push(segment.name);
        regexes.push(segment.regex === null ? null : compileParamRegex(path, segment.name, segment.regex));
      } else if (segment.kind === 'wildcard') {
        names.push('*');
      }
    }

    // Look the target up without creating nodes first, so a conflict leaves the tree untouched.
    const wildcard = segments[segments.length - 1]?.kind === 'wildcard';
    const existingNode = this.#locate(segments, regexes, false);
    const existing = (wildcard ? existingNode?.wildcard : existingNode?.handlers)?.get(method);
    if (existing !== undefined) {
      throw new RouterError(
        'FW_ERR_ROUTE_CONFLICT',
        `Route ${method} ${path} conflicts with ${existing.method} ${existing.path}, registered earlier. ` +
          'Two routes for one method cannot match the same paths; rename one or merge them.',
      );
    }

    const node = this.#locate(segments, regexes, true) ?? this.#root;
    const entry: Entry<T> = { method, path, value, names };
    if (wildcard) {
      node.wildcard ??= new Map();
      node.wildcard.set(method, entry);
    } else {
      node.handlers ??= new Map();
      node.handlers.set(method, entry);
    }
    if (names.length === 0) {
      const key = '/' + segments.map((segment) => (segment.kind === 'static' ? segment.text : '')).join('/');
      let byMethod = this.#static.get(key);
      if (byMethod === undefined) {
        byMethod = new Map();
        this.#static.set(key, byMethod);
      }
      byMethod.set(method, { value, params: NO_PARAMS });
    } else {
      this.#dynamic = true;
    }
    while (this.#starts.length < names.length) {
      this.#starts.push(0);
      this.#ends.push(0);
    }
    this.#routes.push({ method, path, value });
  }

  /**
   * Finds the best route for `method` and `path` (without the query string, still percent-encoded),
   * or null. Throws RouterError FW_ERR_BAD_PATH when a parameter value of the match is not valid
   * percent-encoding.
   */
  find(method: string, path: string): RouteMatch<T> | null {
    const normalized = this.#normalize(path);
    const byMethod = this.#static.get(normalized);
    if (byMethod !== undefined) {
      const match = byMethod.get(method) ?? byMethod.get(ALL_METHODS);
      if (match !== undefined) return match;
    }
    if (!this.#dynamic || normalized.charCodeAt(0) !== SLASH) return null;
    const entry = this.#match(this.#root, normalized, 1, 0, method);
    if (entry === null) return null;
    const params: Record<string, string> = {};
    const names = entry.names;
    for (let k = 0; k < names.length; k++) {
      const name = names[k]!;
      const raw = normalized.slice(this.#starts[k]!, this.#ends[k]!);
      params[name] = raw.indexOf('%') === -1 ? raw : decodeParam(raw, name);
    }
    return { value: entry.value, params };
  }

  /**
   * The methods (upper-case, sorted) with a route matching `path`, for a 405 `Allow` header or
   * OPTIONS; HEAD is included whenever GET is, and an 'ALL' route contributes COMMON_METHODS.
   * Empty when no route matches.
   */
  allowed(path: string): string[] {
    const normalized = this.#normalize(path);
    const found = new Set<string>();
    if (normalized.charCodeAt(0) === SLASH) this.#collect(this.#root, normalized, 1, found);
    if (found.delete(ALL_METHODS)) for (const method of COMMON_METHODS) found.add(method);
    if (found.has('GET')) found.add('HEAD');
    return [...found].sort();
  }

  /** Every registered route, in registration order. */
  routes(): RouteInfo<T>[] {
    return this.#routes.map((route) => ({ method: route.method, path: route.path, value: route.value }));
  }

  #normalize(path: string): string {
    if (this.#ignoreTrailingSlash && path.length > 1 && path.charCodeAt(path.length - 1) === SLASH) {
      return path.slice(0, -1);
    }
    return path;
  }

  /** The node where `segments` end (the node holding the wildcard for a wildcard pattern). */
  #locate(segments: readonly Segment[], regexes: ReadonlyArray<RegExp | null>, create: boolean): Node<T> | null {
    let node: Node<T> | null = this.#root;
    let param = 0;
    let run: string[] = [];
    for (let k = 0; k <= segments.length && node !== null; k++) {
      const segment = segments[k];
      if (segment?.kind === 'static') {
        run.push(segment.text);
        continue;
      }
      if (run.length > 0) {
        node = staticChild(node, run, create);
        run = [];
        if (node === null) return null;
      }
      if (segment?.kind === 'param') {
        const regex = regexes[param++] ?? null;
        if (segment.regex !== null && regex !== null) {
          node = regexChild(node, segment.regex, regex, create);
        } else if (node.param === null && create) {
          node.param = new Node<T>('');
          node = node.param;
        } else {
          node = node.param;
        }
      }
    }
    return node;
  }

  /** Depth-first search for the best entry for `method`; `i` is where the next segment starts. */
  #match(node: Node<T>, path: string, i: number, pc: number, method: string): Entry<T> | null {
    const len = path.length;
    if (i > len) {
      // The whole path is consumed: routes ending here, else a wildcard matching ''.
      const handlers = node.handlers;
      if (handlers !== null) {
        const entry = handlers.get(method) ?? handlers.get(ALL_METHODS);
        if (entry !== undefined) return entry;
      }
      return this.#wildcard(node, len, len, pc, method);
    }
    const statics = node.statics;
    if (statics !== null) {
      const code = i < len ? path.charCodeAt(i) : -1;
      const key = code === SLASH ? -1 : code;
      const bucket = node.staticIndex === null ? statics : node.staticIndex.get(key);
      if (bucket !== undefined) {
        for (let k = 0; k < bucket.length; k++) {
          const child = bucket[k]!;
          if (child.key !== key || !path.startsWith(child.label, i)) continue;
          const end = i + child.label.length;
          if (end !== len && path.charCodeAt(end) !== SLASH) continue;
          // Siblings have different first segments, so no other static child can match.
          const entry = this.#match(child, path, end + 1, pc, method);
          if (entry !== null) return entry;
          break;
        }
      }
    }
    const regexes = node.regexes;
    const param = node.param;
    if (regexes !== null || param !== null) {
      const max = this.#maxParamLength;
      const limit = Math.min(len, i + max + 1);
      let end = i;
      while (end < limit && path.charCodeAt(end) !== SLASH) end++;
      if (end > i && end - i <= max) {
        if (regexes !== null) {
          const value = decodeForTest(path.slice(i, end));
          if (value !== null) {
            for (let k = 0; k < regexes.length; k++) {
              const edge = regexes[k]!;
              if (!edge.regex.test(value)) continue;
              this.#starts[pc] = i;
              this.#ends[pc] = end;
              const entry = this.#match(edge.node, path, end + 1, pc + 1, method);
              if (entry !== null) return entry;
            }
          }
        }
        if (param !== null) {
          this.#starts[pc] = i;
          this.#ends[pc] = end;
          const entry = this.#match(param, path, end + 1, pc + 1, method);
          if (entry !== null) return entry;
        }
      }
    }
    return this.#wildcard(node, i, len, pc, method);
  }

  #wildcard(node: Node<T>, start: number, end: number, pc: number, method: string): Entry<T> | null {
    const wildcard = node.wildcard;
    if (wildcard === null) return null;
    const entry = wildcard.get(method) ?? wildcard.get(ALL_METHODS);
    if (entry === undefined) return null;
    this.#starts[pc] = start;
    this.#ends[pc] = end;
    return entry;
  }

  /** Adds the methods of every route matching the path from `node` on to `found`. */
  #collect(node: Node<T>, path: string, i: number, found: Set<string>): void {
    const len = path.length;
    if (node.wildcard !== null) for (const method of node.wildcard.keys()) found.add(method);
    if (i > len) {
      if (node.handlers !== null) for (const method of node.handlers.keys()) found.add(method);
      return;
    }
    for (const child of node.statics ?? []) {
      const end = i + child.label.length;
      if (path.startsWith(child.label, i) && (end === len || path.charCodeAt(end) === SLASH)) {
        this.#collect(child, path, end + 1, found);
      }
    }
    const max = this.#maxParamLength;
    const limit = Math.min(len, i + max + 1);
    let end = i;
    while (end < limit && path.charCodeAt(end) !== SLASH) end++;
    if (end === i || end - i > max) return;
    const value = node.regexes === null ? null : decodeForTest(path.slice(i, end));
    for (const edge of node.regexes ?? []) {
      if (value !== null && edge.regex.test(value)) this.#collect(edge.node, path, end + 1, found);
    }
    if (node.param !== null) this.#collect(node.param, path, end + 1, found);
  }
}
