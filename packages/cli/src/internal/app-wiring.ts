import {
  type AstNode,
  addImportStatement,
  isIdentifier,
  isNode,
  places,
  setProperty,
  statementsOf,
} from './app-source.ts';

function sourceOf(node: AstNode): unknown {
  const source = node.source;
  return isNode(source) ? source.value : undefined;
}

/** The statement list and index of the statement holding the `createApp()` call. */
function appBlock(root: AstNode): { list: unknown[]; index: number } | undefined {
  const all = places(root);
  const start = [...all.keys()].find(
    (node) => node.type === 'CallExpression' && isIdentifier(node.callee, 'createApp'),
  );
  let node = start;
  while (node !== undefined) {
    const place = all.get(node);
    if (place === undefined) return undefined;
    const list: unknown = place.parent[place.key];
    if (place.index !== undefined && Array.isArray(list) && place.key === 'body') return { list, index: place.index };
    node = place.parent;
  }
  return undefined;
}

/** Internal: the name the `createApp()` chain is assigned to (`const app = createApp()...`). */
export function appVariable(root: AstNode): string | undefined {
  const block = appBlock(root);
  const statement: unknown = block?.list[block.index];
  if (!isNode(statement) || statement.type !== 'VariableDeclaration' || !Array.isArray(statement.declarations)) {
    return undefined;
  }
  const declarator: unknown = statement.declarations[0];
  return isNode(declarator) && isIdentifier(declarator.id) ? String(declarator.id.name) : undefined;
}

/**
 * Internal: inserts `code` (statements) after the `createApp()` chain's statement and the ones
 * after it, before the block's `return` (the app's routes come before it is returned). False when
 * there is no `createApp()` call.
 */
export function insertStatements(root: AstNode, code: string): boolean {
  const block = appBlock(root);
  if (block === undefined) return false;
  const returns = block.list.findIndex((statement) => isNode(statement) && statement.type === 'ReturnStatement');
  block.list.splice(returns === -1 ? block.list.length : returns, 0, ...statementsOf(code));
  return true;
}

/** Whether `statement` is `<app>.<method>('<path>', ...)` for one of `paths`. */
function isRouteOf(statement: AstNode, app: string, paths: readonly string[]): boolean {
  const call = statement.expression;
  if (statement.type !== 'ExpressionStatement' || !isNode(call) || call.type !== 'CallExpression') return false;
  const callee = call.callee;
  const first: unknown = Array.isArray(call.arguments) ? call.arguments[0] : undefined;
  return (
    isNode(callee) &&
    callee.type === 'MemberExpression' &&
    isIdentifier(callee.object, app) &&
    isNode(first) &&
    first.type === 'StringLiteral' &&
    paths.includes(String(first.value))
  );
}

function declares(statement: AstNode, names: readonly string[]): boolean {
  if (statement.type !== 'VariableDeclaration' || !Array.isArray(statement.declarations)) return false;
  return statement.declarations.some(
    (declarator: unknown) =>
      isNode(declarator) && isIdentifier(declarator.id) && names.includes(String(declarator.id.name)),
  );
}

/**
 * Internal: removes, from the block holding the `createApp()` chain, the routes `<app>.<method>(path)`
 * for `paths` and the declarations of `names`. Resolves to how many statements went.
 */
export function removeStatements(root: AstNode, paths: readonly string[], names: readonly string[]): number {
  const block = appBlock(root);
  const app = appVariable(root);
  if (block === undefined || app === undefined) return 0;
  let removed = 0;
  for (let index = block.list.length - 1; index > block.index; index--) {
    const statement = block.list[index];
    if (isNode(statement) && (isRouteOf(statement, app, paths) || declares(statement, names))) {
      block.list.splice(index, 1);
      removed++;
    }
  }
  return removed;
}

/** Internal: whether `name` is referred to anywhere but in an import. */
export function isReferenced(root: AstNode, name: string): boolean {
  for (const [node, place] of places(root)) {
    if (!isIdentifier(node, name) || place === undefined) continue;
    if (!/^Import/.test(place.parent.type)) return true;
  }
  return false;
}

/**
 * Internal: adds `names` (`createUsers`, `type User`) to the module's import of `from`, or a new
 * import after the last one. Names it imports already are left alone.
 */
export function addNamedImports(root: AstNode, from: string, names: readonly string[]): void {
  const body = root.body;
  if (!Array.isArray(body)) return;
  const imports = body.filter(
    (statement): statement is AstNode => isNode(statement) && statement.type === 'ImportDeclaration',
  );
  const existing = imports.find(
    (statement) =>
      sourceOf(statement) === from &&
      statement.importKind !== 'type' &&
      Array.isArray(statement.specifiers) &&
      statement.specifiers.every((specifier: unknown) => isNode(specifier) && specifier.type === 'ImportSpecifier'),
  );
  const [declaration] = statementsOf(`import { ${names.join(', ')} } from '${from}';`);
  if (declaration === undefined || !Array.isArray(declaration.specifiers)) return;
  if (existing === undefined || !Array.isArray(existing.specifiers)) {
    addImportStatement(root, `import { ${names.join(', ')} } from '${from}';`);
    return;
  }
  const specifiers: unknown[] = existing.specifiers;
  const local = (specifier: unknown) =>
    isNode(specifier) && isIdentifier(specifier.local) ? specifier.local.name : '';
  for (const specifier of declaration.specifiers) {
    if (!specifiers.some((known) => local(known) === local(specifier))) specifiers.push(specifier);
  }
}

/** The object `shared` of `defineConfig({ shared })` returns, and the name its function calls the env. */
function sharedObject(root: AstNode): { object: AstNode; env: string } | undefined {
  const config = [...places(root).keys()].find(
    (node) => node.type === 'CallExpression' && isIdentifier(node.callee, 'defineConfig'),
  );
  const options: unknown = Array.isArray(config?.arguments) ? config.arguments[0] : undefined;
  if (!isNode(options) || !Array.isArray(options.properties)) return undefined;
  const shared: unknown = options.properties.find(
    (property: unknown) =>
      isNode(property) && property.type === 'ObjectProperty' && isIdentifier(property.key, 'shared'),
  );
  const section: unknown = isNode(shared) ? shared.value : undefined;
  if (!isNode(section) || section.type !== 'ArrowFunctionExpression' || !Array.isArray(section.params))
    return undefined;
  const [param] = section.params;
  const object = section.body;
  if (!isIdentifier(param) || !isNode(object) || object.type !== 'ObjectExpression') return undefined;
  return { object, env: String(param.name) };
}

/**
 * Internal: sets (or with `code` undefined removes) the entry `key` of the object that
 * `defineConfig({ shared: (env) => ({...}) })` returns; `code` reads the environment as `env`. False
 * when the config has no such function.
 */
export function setShared(root: AstNode, key: string, code: string | undefined): boolean {
  const found = sharedObject(root);
  if (found === undefined || !Array.isArray(found.object.properties)) return false;
  setProperty(found.object.properties, key, code?.replaceAll(/\benv\./g, `${found.env}.`));
  return true;
}
