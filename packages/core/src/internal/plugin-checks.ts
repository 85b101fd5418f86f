import { FrameworkError } from '../errors.ts';
import type { PluginInstance } from '../plugin.ts';

/** Throws when the app lacks a decoration `plugin` requires (`definePlugin({ requires })`) or has a wrong one. */
export function checkRequirements(plugin: PluginInstance, app: object, asyncPending: boolean): void {
  for (const [name, requirement] of Object.entries(plugin.requires)) {
    const { is, optional, from } = typeof requirement === 'function' ? { is: requirement } : requirement;
    const present = name in app;
    const value: unknown = present ? Reflect.get(app, name) : undefined;
    if (optional === true && value === undefined) continue;
    const provider = from === undefined ? 'the plugin that provides it' : from;
    if (!present) {
      throw new FrameworkError(
        'FW_ERR_PLUGIN_DEPENDENCY',
        `Plugin "${plugin.name}" needs app.${name}, which nothing registered before it provides. Register ${provider} before "${plugin.name}"` +
          (asyncPending
            ? ' (a plugin whose setup is still running asynchronously cannot provide it: make its setup synchronous and wait in app.onReady()).'
            : '.'),
      );
    }
    if (!is(value)) {
      throw new FrameworkError(
        'FW_ERR_PLUGIN_DEPENDENCY',
        `Plugin "${plugin.name}" needs app.${name} to be what ${provider} provides, but app.${name} is something else (${describe(value)}). Rename the other decoration, or register ${provider}.`,
      );
    }
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value !== 'object') return typeof value;
  const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof name === 'string' && name !== '' ? `a ${name}` : 'an object';
}

/**
 * Whether two plugin option values ask for the same thing: equal primitives, the same function or
 * instance, or plain objects and arrays whose members are the same, recursively.
 */
export function sameOptions(a: unknown, b: unknown, seen = new Set<unknown>()): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (seen.has(a)) return true;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    seen.add(a);
    return a.every((item, index) => sameOptions(item, b[index], seen));
  }
  const plain = (value: object) => {
    const proto = Object.getPrototypeOf(value);
    return proto === Object.prototype || proto === null;
  };
  if (a instanceof RegExp && b instanceof RegExp) return String(a) === String(b);
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  // Class instances (clients, pools, stores) are the same only when they are the same object.
  if (!plain(a) || !plain(b)) return false;
  const keysA = Object.keys(a).filter((key) => (a as Record<string, unknown>)[key] !== undefined);
  const keysB = Object.keys(b).filter((key) => (b as Record<string, unknown>)[key] !== undefined);
  if (keysA.length !== keysB.length) return false;
  seen.add(a);
  return keysA.every((key) =>
    sameOptions((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], seen),
  );
}
