import { type PluginCommand, parseDuration } from '@framework/core';
import type { AuthApi } from './auth-api.ts';
import type { AuthUser } from './types.ts';

/** The value after `--name` in a command's arguments. */
function flag(args: readonly string[], name: string): string | undefined {
  const index = args.indexOf(`--${name}`);
  return index === -1 ? undefined : args[index + 1];
}

/**
 * The CLI commands auth adds: `framework auth:keys:create` and `framework auth:sessions:clear`.
 *
 * @example
 * ```ts
 * const commands = authCommands(app.auth); // { 'auth:keys:create': ..., 'auth:sessions:clear': ... }
 * ```
 */
export function authCommands(api: AuthApi<object, AuthUser, unknown>): Record<string, PluginCommand> {
  return {
    'auth:keys:create': {
      description: 'Create an API key for a user; the key is printed once and only its hash is kept',
      usage: 'auth:keys:create <name> --user <id> [--permissions read:reports,write:reports] [--expires 90d]',
      async run(args, io) {
        const name = args[0];
        const userId = flag(args, 'user');
        if (api.apiKeys === undefined) {
          io.stderr('API keys are not configured: add apiKey: {} to auth({ strategies }).');
          return 1;
        }
        if (name === undefined || name.startsWith('--') || userId === undefined) {
          io.stderr('Usage: framework auth:keys:create <name> --user <id> [--permissions a:b,c:d] [--expires 90d]');
          return 1;
        }
        const permissions = (flag(args, 'permissions') ?? '').split(',').filter((permission) => permission !== '');
        const expires = flag(args, 'expires');
        const expiresIn = expires === undefined ? undefined : parseDuration(expires, '--expires');
        const { id, key } = await api.apiKeys.create({
          userId,
          name,
          permissions,
          ...(expiresIn === undefined ? {} : { expiresIn }),
        });
        io.stdout(`Created API key ${id} for user ${userId}. It is shown once; store it now:`);
        io.stdout(key);
        return 0;
      },
    },
    'auth:sessions:clear': {
      description: 'End every session and refresh token of a user (log them out everywhere)',
      usage: 'auth:sessions:clear <user id>',
      async run(args, io) {
        const userId = args[0];
        if (userId === undefined || userId.startsWith('--')) {
          io.stderr('Usage: framework auth:sessions:clear <user id>');
          return 1;
        }
        await api.logoutEverywhere(userId);
        io.stdout(`Ended every session and refresh token of user ${userId}.`);
        return 0;
      },
    },
  };
}
