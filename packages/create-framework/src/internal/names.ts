// npm's rules for a package name: lowercase, URL-safe, at most 214 characters, an optional scope.
const PACKAGE_NAME = /^(?:@[a-z0-9-~][a-z0-9-._~]*\/)?[a-z0-9-~][a-z0-9-._~]*$/;

/** Why `name` cannot be an npm package name, or `undefined` when it can. */
export function packageNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'it is empty';
  if (name.length > 214) return 'it is longer than 214 characters';
  if (name.toLowerCase() !== name) return 'it has uppercase letters';
  if (name.startsWith('.') || name.startsWith('_')) return 'it starts with a dot or an underscore';
  if (!PACKAGE_NAME.test(name)) return 'it has characters other than lowercase letters, digits, -, ., _ and ~';
  return undefined;
}

/** A name npm accepts, made from a directory name: `My App` → `my-app`. */
export function suggestPackageName(name: string): string {
  const cleaned = name
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9-._~]+/g, '-')
    .replace(/^[._-]+|-+$/g, '');
  return cleaned === '' ? 'my-app' : cleaned;
}

// Words that cannot name a constant, and names the generated plugin's own code or the app use.
const TAKEN = new Set([
  'app',
  'api',
  'await',
  'break',
  'case',
  'catch',
  'checkOptions',
  'class',
  'const',
  'continue',
  'createApp',
  'debugger',
  'default',
  'definePlugin',
  'delete',
  'describe',
  'do',
  'else',
  'enum',
  'export',
  'expect',
  'extends',
  'false',
  'finally',
  'for',
  'function',
  'if',
  'implements',
  'import',
  'in',
  'instanceof',
  'interface',
  'it',
  'let',
  'mounted',
  'new',
  'null',
  'options',
  'package',
  'private',
  'protected',
  'public',
  'return',
  'static',
  'super',
  'switch',
  'this',
  'throw',
  'true',
  'try',
  'typeof',
  'var',
  'void',
  'while',
  'with',
  'yield',
  // The app's own members: a decoration may not shadow them.
  'all',
  'commands',
  'fetch',
  'get',
  'group',
  'head',
  'health',
  'hook',
  'logger',
  'patch',
  'post',
  'put',
  'ready',
  'request',
  'route',
  'routes',
  'start',
  'stop',
  'use',
]);

/**
 * The identifier a plugin package exports, from its npm name: `framework-plugin-audit-log` →
 * `auditLog`, `@acme/greeter` → `greeter`.
 */
export function pluginIdentifier(packageName: string): string {
  const base = packageName
    .replace(/^@[^/]+\//, '')
    .replace(/^(?:framework-plugin-|framework-|plugin-)/, '')
    .replace(/-plugin$/, '');
  const words = base.split(/[^a-zA-Z0-9]+/).filter((word) => word !== '');
  let identifier = words.map((word, index) => (index === 0 ? word : word[0]!.toUpperCase() + word.slice(1))).join('');
  if (!/^[a-zA-Z]/.test(identifier)) identifier = `plugin${identifier[0]?.toUpperCase() ?? ''}${identifier.slice(1)}`;
  return TAKEN.has(identifier) ? `${identifier}Plugin` : identifier;
}
