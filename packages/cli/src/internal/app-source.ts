import { generateCode, parseExpression, parseModule } from 'magicast';

/** Internal: a Babel AST node, as magicast parses it. */
interface AstNode {
  type: string;
  [key: string]: unknown;
}

/** Where a node sits: its parent, the parent's key, and the index when that key holds a list. */
interface Place {
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

function isNode(value: unknown): value is AstNode {
  return typeof value === 'object' && value !== null && typeof Reflect.get(value, 'type') === 'string';
}

function isIdentifier(value: unknown, name?: string): value is AstNode {
  return isNode(value) && value.type === 'Identifier' && (name === undefined || value.name === name);
}

/** Every node under `root` with where it sits, parents before children. */
function places(root: AstNode): Map<AstNode, Place | undefined> {
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

function expression(code: string): AstNode {
  const ast: unknown = parseExpression<Record<string, unknown>>(code).$ast;
  if (!isNode(ast)) throw new Error(`could not parse ${code}`);
  return ast;
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

  /** The local name `imported` from `from` is bound to, if the module imports it. */
  importedAs(from: string, imported: string): string | undefined {
    return this.module.imports.$items.find((item) => item.from === from && item.imported === imported)?.local;
  }

  /** Adds `import { imported } from 'from'` after the module's last import. */
  addImport(from: string, imported: string): void {
    const body = this.root.body;
    const declaration: unknown = Reflect.get(parseModule(`import { ${imported} } from '${from}';`).$ast, 'body');
    const node: unknown = Array.isArray(declaration) ? declaration[0] : undefined;
    if (!Array.isArray(body) || !isNode(node)) {
      this.module.imports.$append({ from, imported, local: imported });
      return;
    }
    let last = -1;
    body.forEach((statement: unknown, index) => {
      if (isNode(statement) && statement.type === 'ImportDeclaration') last = index;
    });
    body.splice(last + 1, 0, node);
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
    if (!isNode(env) || env.type !== 'CallExpression' || !Array.isArray(env.arguments)) return false;
    const shape: unknown = env.arguments[0];
    if (!isNode(shape) || shape.type !== 'ObjectExpression' || !Array.isArray(shape.properties)) return false;
    const properties: unknown[] = shape.properties;
    const index = properties.findIndex(
      (property) => isNode(property) && property.type === 'ObjectProperty' && isIdentifier(property.key, name),
    );
    if (schema === undefined) {
      if (index !== -1) properties.splice(index, 1);
      return true;
    }
    if (index !== -1) return true;
    const added = expression(`({ ${name}: ${schema} })`).properties;
    if (Array.isArray(added)) properties.push(...added);
    return true;
  }

  /** The edited module. recast prints inserted imports with blank lines around them; they are closed up. */
  code(): string {
    let code = generateCode(this.module).code;
    for (;;) {
      const closed = code.replace(/^(import [^\n]*;\n)\n+(?=import )/m, '$1');
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
