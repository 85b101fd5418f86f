import { generateCode, parseExpression, parseModule } from 'magicast';

/** Internal: a Babel AST node, as magicast parses it. */
export interface AstNode {
  type: string;
  [key: string]: unknown;
}

/** Internal: where a node sits: its parent, the parent's key, and the index when that key holds a list. */
export interface Place {
  parent: AstNode;
  key: string;
  index: number | undefined;
}

const SKIPPED_KEYS = new Set([
  'loc',
  'start',
  'end',
  'original',
  'comments',
  'leadingComments',
  'trailingComments',
  'tokens',
  'extra',
]);

/** Internal: whether `value` is an AST node. */
export function isNode(value: unknown): value is AstNode {
  return typeof value === 'object' && value !== null && typeof Reflect.get(value, 'type') === 'string';
}

/** Internal: whether `value` is the identifier `name` (any identifier without `name`). */
export function isIdentifier(value: unknown, name?: string): value is AstNode {
  return isNode(value) && value.type === 'Identifier' && (name === undefined || value.name === name);
}

/** Internal: every node under `root` with where it sits, parents before children. */
export function places(root: AstNode): Map<AstNode, Place | undefined> {
  const found = new Map<AstNode, Place | undefined>([[root, undefined]]);
  const visit = (node: AstNode) => {
    for (const [key, value] of Object.entries(node)) {
      if (SKIPPED_KEYS.has(key)) continue;
      if (Array.isArray(value)) {
        value.forEach((item: unknown, index) => {
          if (isNode(item) && !found.has(item)) {
            found.set(item, { parent: node, key, index });
            visit(item);
          }
        });
      } else if (isNode(value) && !found.has(value)) {
        found.set(value, { parent: node, key, index: undefined });
        visit(value);
      }
    }
  };
  visit(root);
  return found;
}

/** `node` (a call) as `callee.use(...)`: the object `use` is called on, else undefined. */
function useTarget(node: AstNode): AstNode | undefined {
  if (node.type !== 'CallExpression') return undefined;
  const callee = node.callee;
  if (!isNode(callee) || callee.type !== 'MemberExpression' || !isIdentifier(callee.property, 'use')) return undefined;
  return isNode(callee.object) ? callee.object : undefined;
}

/** Replaces `node`'s content with `replacement`'s, keeping the object (so its parent still points at it). */
function replaceInPlace(node: AstNode, replacement: AstNode): void {
  for (const key of Object.keys(node)) Reflect.deleteProperty(node, key);
  Object.assign(node, replacement);
}

/** Internal: the AST of one expression. */
export function expression(code: string): AstNode {
  const ast: unknown = parseExpression<Record<string, unknown>>(code).$ast;
  if (!isNode(ast)) throw new Error(`could not parse ${code}`);
  return ast;
}

/**
 * Internal: adds `key: code` to the properties of an object expression, unless it has `key`
 * already; with `code` undefined, removes `key`.
 */
export function setProperty(properties: unknown[], key: string, code: string | undefined): void {
  const index = properties.findIndex(
    (property) => isNode(property) && property.type === 'ObjectProperty' && isIdentifier(property.key, key),
  );
  if (code === undefined) {
    if (index !== -1) properties.splice(index, 1);
    return;
  }
  if (index !== -1) return;
  const added = expression(`({ ${key}: ${code} })`).properties;
  if (Array.isArray(added)) properties.push(...added);
}

/** Internal: the statements of `code`, parsed as a module. */
export function statementsOf(code: string): AstNode[] {
  const body: unknown = Reflect.get(parseModule(code).$ast, 'body');
  return Array.isArray(body) ? body.filter(isNode) : [];
}

/** Internal: adds an import statement (`import config from '../framework.config.ts';`) after the last one. */
export function addImportStatement(root: AstNode, code: string): void {
  const body = root.body;
  const [declaration] = statementsOf(code);
  if (!Array.isArray(body) || declaration === undefined) return;
  let last = -1;
  body.forEach((statement: unknown, index) => {
    if (isNode(statement) && statement.type === 'ImportDeclaration') last = index;
  });
  body.splice(last + 1, 0, declaration);
}

/** Internal: an edit of one TypeScript module through its AST (magicast), formatting kept where untouched. */
export class ModuleSource {
  private readonly module: ReturnType<typeof parseModule>;
  private readonly root: AstNode;
  private readonly original: string;

  constructor(code: string) {
    this.original = code;
    this.module = parseModule(code);
    const root: unknown = this.module.$ast;
    if (!isNode(root)) throw new Error('magicast returned no AST');
    this.root = root;
  }

  /** The module's AST, for the edits of `app-wiring.ts`. */
  ast(): AstNode {
    return this.root;
  }

  /** The local name `imported` from `from` is bound to, if the module imports it. */
  importedAs(from: string, imported: string): string | undefined {
    return this.module.imports.$items.find((item) => item.from === from && item.imported === imported)?.local;
  }

  /** The local name of the default import of a module whose path ends with `suffix`, if there is one. */
  defaultImportOf(suffix: string): string | undefined {
    return this.module.imports.$items.find((item) => item.from.endsWith(suffix) && item.imported === 'default')?.local;
  }

  /** Adds `import { imported } from 'from'` after the module's last import. */
  addImport(from: string, imported: string): void {
    addImportStatement(this.root, `import { ${imported} } from '${from}';`);
  }

  removeImport(local: string): void {
    Reflect.deleteProperty(this.module.imports, local);
  }

  /**
   * Appends `.use(<call>)` to the end of the `createApp(...)` chain (so it registers after the
   * plugins already there, which it may depend on). False when there is no `createApp()` call.
   */
  appendUse(call: string): boolean {
    const all = places(this.root);
    const start = [...all.keys()].find(
      (node) => node.type === 'CallExpression' && isIdentifier(node.callee, 'createApp'),
    );
    if (start === undefined) return false;
    let top = start;
    for (;;) {
      const member = all.get(top);
      if (member === undefined || member.parent.type !== 'MemberExpression' || member.key !== 'object') break;
      const outer = all.get(member.parent);
      if (outer === undefined || outer.parent.type !== 'CallExpression' || outer.key !== 'callee') break;
      top = outer.parent;
    }
    const inner: AstNode = { ...top };
    const wrapped = expression(`x.use(${call})`);
    const callee = wrapped.callee;
    if (!isNode(callee)) return false;
    callee.object = inner;
    replaceInPlace(top, wrapped);
    return true;
  }

  /**
   * Takes every `.use(<factory>(...))` out: in a chain the call is dropped, as a statement
   * (`app.use(cache());`) the statement goes. Resolves to how many were removed.
   */
  removeUse(factory: string): number {
    let removed = 0;
    for (;;) {
      const all = places(this.root);
      const node = [...all.keys()].find((candidate) => {
        const args = candidate.arguments;
        const first: unknown = Array.isArray(args) ? args[0] : undefined;
        return (
          useTarget(candidate) !== undefined &&
          isNode(first) &&
          first.type === 'CallExpression' &&
          isIdentifier(first.callee, factory)
        );
      });
      if (node === undefined) return removed;
      const target = useTarget(node);
      const place = all.get(node);
      if (target === undefined) return removed;
      const statement = place?.parent;
      const container = statement === undefined ? undefined : all.get(statement);
      const list: unknown = container === undefined ? undefined : container.parent[container.key];
      if (
        statement?.type === 'ExpressionStatement' &&
        container?.index !== undefined &&
        Array.isArray(list) &&
        (target.type === 'Identifier' || target.type === 'ThisExpression')
      ) {
        list.splice(container.index, 1);
      } else {
        // A comment trailing the kept part describes the link taken out (it sits on the line before
        // `.use(...)`), while the removed call's own comments describe the next link: keep those.
        const leading = Array.isArray(target.comments)
          ? target.comments.filter((comment: unknown) => !(isNode(comment) && comment.trailing === true))
          : [];
        const own = Array.isArray(node.comments) ? node.comments : [];
        replaceInPlace(node, { ...target, comments: [...leading, ...own] });
      }
      removed++;
    }
  }

  /**
   * Adds (or with `schema` undefined removes) `name` in the object of the `z.object({...})` that
   * `defineConfig({ env })` takes, inline or through a module-level `const`. False when the module
   * has no such object.
   */
  setEnv(name: string, schema: string | undefined): boolean {
    const all = places(this.root);
    const config = [...all.keys()].find(
      (node) => node.type === 'CallExpression' && isIdentifier(node.callee, 'defineConfig'),
    );
    const args = config?.arguments;
    const options: unknown = Array.isArray(args) ? args[0] : undefined;
    if (!isNode(options) || options.type !== 'ObjectExpression' || !Array.isArray(options.properties)) return false;
    const envProperty: unknown = options.properties.find(
      (property: unknown) =>
        isNode(property) && property.type === 'ObjectProperty' && isIdentifier(property.key, 'env'),
    );
    let env: unknown = isNode(envProperty) ? envProperty.value : undefined;
    if (isIdentifier(env)) {
      const name = env.name;
      const declarator = [...all.keys()].find(
        (node) => node.type === 'VariableDeclarator' && isIdentifier(node.id, String(name)),
      );
      env = declarator?.init;
    }
    // z.object({...}).refine(...).refine(...): the shape is in the innermost call.
    while (
      isNode(env) &&
      env.type === 'CallExpression' &&
      isNode(env.callee) &&
      env.callee.type === 'MemberExpression'
    ) {
      if (isIdentifier(env.callee.property, 'object')) break;
      env = env.callee.object;
    }
    if (!isNode(env) || env.type !== 'CallExpression' || !Array.isArray(env.arguments)) return false;
    const shape: unknown = env.arguments[0];
    if (!isNode(shape) || shape.type !== 'ObjectExpression' || !Array.isArray(shape.properties)) return false;
    setProperty(shape.properties, name, schema);
    return true;
  }

  /** The edited module. recast prints inserted imports with blank lines around them; they are closed up. */
  code(): string {
    // Two spaces, as Biome and create-framework write: detected, the indent would be the one space
    // that starts each line of a JSDoc comment, and reprinted blocks would come out indented by one.
    let code = generateCode(this.module, { format: { tabWidth: 2, useTabs: false } }).code;
    // Several imports inserted side by side may even come out on one line.
    for (;;) {
      const closed = code
        .replace(/^(import [^\n]*?;)(?=import )/m, '$1\n')
        .replace(/^(import [^\n]*;\n)\n+(?=import )/m, '$1');
      if (closed === code) break;
      code = closed;
    }
    return this.original.endsWith('\n') && !code.endsWith('\n') ? `${code}\n` : code;
  }

  /** Whether the edits changed the module's text. */
  changed(): boolean {
    return this.code() !== this.original;
  }
}
