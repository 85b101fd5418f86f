/**
 * The segment tree behind `Router`. A node is the position after some number of whole path
 * segments. Its children are, in priority order:
 *
 * - static children, whose `label` is one or more whole static segments joined by `/` (chains of
 *   static segments are compressed into one label). Siblings always have different first segments,
 *   so at most one static child can match a given path;
 * - regex parameter edges, in the order they were first registered;
 * - one plain parameter child;
 * - a wildcard, stored directly on the node as its per-method entries.
 *
 * Param names are stored per route (in `Entry.names`), not per node, so `/u/:id` and `/u/:name/x`
 * share the parameter node.
 */

/** A registered route as stored in the tree. */
export interface Entry<T> {
  readonly method: string;
  readonly path: string;
  readonly value: T;
  /** Parameter names in path order, then `'*'` for a wildcard route. */
  readonly names: readonly string[];
}

/** An edge to the subtree of a regex parameter. */
export interface RegexEdge<T> {
  readonly source: string;
  readonly regex: RegExp;
  readonly node: Node<T>;
}

const SLASH = 0x2f;

/** Above this many static children a node indexes them by first character. */
const INDEX_THRESHOLD = 8;

/** The char code a path must have at a segment start to enter a label: -1 for an empty first segment. */
export function keyOf(label: string): number {
  const code = label.charCodeAt(0);
  return label.length === 0 || code === SLASH ? -1 : code;
}

export class Node<T> {
  /** Static text consumed by this node (whole segments joined by `/`); '' for the root and param nodes. */
  label: string;
  /** `keyOf(label)`. */
  key: number;
  statics: Node<T>[] | null = null;
  /** Static children by `key`, built when there are many of them. */
  staticIndex: Map<number, Node<T>[]> | null = null;
  regexes: RegexEdge<T>[] | null = null;
  param: Node<T> | null = null;
  /** Routes that end at this node, by method (including 'ALL'). */
  handlers: Map<string, Entry<T>> | null = null;
  /** Wildcard routes (`.../*`) starting at this node, by method. */
  wildcard: Map<string, Entry<T>> | null = null;

  constructor(label: string) {
    this.label = label;
    this.key = keyOf(label);
  }
}

function reindex<T>(node: Node<T>): void {
  const statics = node.statics;
  if (statics === null || statics.length <= INDEX_THRESHOLD) {
    node.staticIndex = null;
    return;
  }
  const index = new Map<number, Node<T>[]>();
  for (const child of statics) {
    const bucket = index.get(child.key);
    if (bucket === undefined) index.set(child.key, [child]);
    else bucket.push(child);
  }
  node.staticIndex = index;
}

function firstSegment(label: string): string {
  const slash = label.indexOf('/');
  return slash === -1 ? label : label.slice(0, slash);
}

/**
 * Returns the node reached from `node` by the static segments `segments` (non-empty). With `create`
 * false, returns null when it does not exist yet; with `create` true, creates (and splits) nodes as
 * needed.
 */
export function staticChild<T>(node: Node<T>, segments: readonly string[], create: boolean): Node<T> | null {
  let parent = node;
  let rest = segments;
  for (;;) {
    const first = rest[0] ?? '';
    const siblings = parent.statics ?? [];
    const index = siblings.findIndex((child) => firstSegment(child.label) === first);
    let child = siblings[index];
    if (child === undefined) {
      if (!create) return null;
      child = new Node<T>(rest.join('/'));
      siblings.push(child);
      parent.statics = siblings;
      reindex(parent);
      return child;
    }
    const own = child.label.split('/');
    let common = 0;
    while (common < own.length && common < rest.length && own[common] === rest[common]) common++;
    if (common < own.length) {
      if (!create) return null;
      const middle = new Node<T>(own.slice(0, common).join('/'));
      child.label = own.slice(common).join('/');
      child.key = keyOf(child.label);
      middle.statics = [child];
      siblings[index] = middle;
      reindex(parent);
      child = middle;
    }
    if (common === rest.length) return child;
    parent = child;
    rest = rest.slice(common);
  }
}

/** Returns the subtree of the regex parameter `source` at `node` (creating it when asked). */
export function regexChild<T>(node: Node<T>, source: string, regex: RegExp, create: boolean): Node<T> | null {
  const edges = node.regexes ?? [];
  const edge = edges.find((candidate) => candidate.source === source);
  if (edge !== undefined) return edge.node;
  if (!create) return null;
  const child = new Node<T>('');
  edges.push({ source, regex, node: child });
  node.regexes = edges;
  return child;
}
