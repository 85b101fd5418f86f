import { checkOptions, type KnownOptions } from '@framework/core';
import { AuthConfigError } from '../errors.ts';
import type { OAuthOptions, ProviderOptions } from './types.ts';

/** One provider's options, checked and with defaults applied. */
export interface ProviderConfig {
  readonly name: string;
  readonly kind: 'oidc' | 'github';
  readonly clientId: string;
  readonly clientSecret: string;
  /** As configured: a path (made absolute per request) or an absolute URL. */
  readonly callbackUrl: string;
  readonly callbackPath: string;
  readonly scopes: readonly string[];
  /** OIDC only. */
  readonly issuer: URL | undefined;
  /** GitHub only. */
  readonly endpoints: { readonly authorization: URL; readonly token: URL; readonly api: URL } | undefined;
  /** Where the options came from, for messages: `oauth.google in auth({ strategies: { oauth } })`. */
  readonly where: string;
}

const GOOGLE_ISSUER = 'https://accounts.google.com';
const NAME = /^[a-z][a-z0-9-]{0,31}$/;
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

const OIDC_KEYS: KnownOptions<Omit<ProviderOptions, 'endpoints'>> = {
  clientId: true,
  clientSecret: true,
  callbackUrl: true,
  scopes: true,
  issuer: true,
};
const GITHUB_KEYS: KnownOptions<Omit<ProviderOptions, 'issuer'>> = {
  clientId: true,
  clientSecret: true,
  callbackUrl: true,
  scopes: true,
  endpoints: true,
};
const ENDPOINT_KEYS = { authorization: true, token: true, api: true } as const;

/**
 * True for a URL on this machine (`127.0.0.1`, `localhost`, `[::1]`): the only place plain `http:`
 * is accepted, since nothing else can read the traffic there.
 */
export function isLoopback(url: URL): boolean {
  return LOOPBACK.has(url.hostname);
}

function envName(provider: string, what: string): string {
  return `${provider.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_${what}`;
}

function secureUrl(value: unknown, option: string, where: string, example: string): URL {
  let url: URL | undefined;
  try {
    url = typeof value === 'string' ? new URL(value) : undefined;
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback(url)))) {
    throw new AuthConfigError(
      `${where}: ${option} must be an https:// URL (http:// only on 127.0.0.1 or localhost), got ${JSON.stringify(value)}. Write e.g. ${option}: '${example}'.`,
    );
  }
  return url;
}

function credential(value: unknown, option: 'clientId' | 'clientSecret', name: string, where: string): string {
  if (typeof value === 'string' && value.trim() !== '') return value;
  const variable = envName(name, option === 'clientId' ? 'CLIENT_ID' : 'CLIENT_SECRET');
  throw new AuthConfigError(
    `${where} needs ${option}: set ${variable} to the ${option === 'clientId' ? 'client id' : 'client secret'} ` +
      `the provider issued for this app, and write ${name}: { ${option}: process.env.${variable}, ... }.`,
  );
}

function callback(value: unknown, name: string, where: string): { url: string; path: string } {
  const configured = value ?? `/auth/${name}/callback`;
  if (typeof configured === 'string' && configured.startsWith('/') && !/^\/[/\\]/.test(configured)) {
    return { url: configured, path: new URL(configured, 'http://localhost').pathname };
  }
  const url = secureUrl(configured, 'callbackUrl', where, `/auth/${name}/callback`);
  return { url: url.href, path: url.pathname };
}

function scopes(value: unknown, kind: 'oidc' | 'github', where: string): readonly string[] {
  if (value === undefined) return kind === 'oidc' ? ['openid', 'email', 'profile'] : ['read:user', 'user:email'];
  if (
    !Array.isArray(value) ||
    !value.every((scope) => typeof scope === 'string' && /^[\x21\x23-\x5B\x5D-\x7E]+$/.test(scope))
  ) {
    throw new AuthConfigError(`${where}: scopes must be an array of scope names, e.g. scopes: ['openid', 'email'].`);
  }
  const list: string[] = value;
  return kind === 'oidc' && !list.includes('openid') ? ['openid', ...list] : list;
}

function endpoints(value: unknown, where: string): ProviderConfig['endpoints'] {
  if (value === undefined) {
    return {
      authorization: new URL('https://github.com/login/oauth/authorize'),
      token: new URL('https://github.com/login/oauth/access_token'),
      api: new URL('https://api.github.com'),
    };
  }
  if (typeof value !== 'object' || value === null) {
    throw new AuthConfigError(`${where}: endpoints must be an object { authorization, token, api }.`);
  }
  checkOptions(`${where}.endpoints`, value, ENDPOINT_KEYS);
  const read = (key: keyof typeof ENDPOINT_KEYS, example: string): URL =>
    secureUrl(Object.hasOwn(value, key) ? Reflect.get(value, key) : undefined, `endpoints.${key}`, where, example);
  return {
    authorization: read('authorization', 'https://github.example.com/login/oauth/authorize'),
    token: read('token', 'https://github.example.com/login/oauth/access_token'),
    api: read('api', 'https://github.example.com/api/v3'),
  };
}

function resolveOne(name: string, options: ProviderOptions, where: string): ProviderConfig {
  const at = `oauth.${name} in ${where}`;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new AuthConfigError(`${at} must be an object: { clientId, clientSecret, callbackUrl }.`);
  }
  const kind = name === 'github' ? 'github' : 'oidc';
  if (kind === 'github') checkOptions(at, options, GITHUB_KEYS);
  else checkOptions(at, options, OIDC_KEYS);
  if (kind === 'oidc' && name !== 'google' && options.issuer === undefined) {
    throw new AuthConfigError(
      `${at} needs issuer: "${name}" is not a preset (google, github), so it is found by OpenID discovery. ` +
        `Write ${name}: { issuer: 'https://login.example.com', clientId, clientSecret }.`,
    );
  }
  const { url, path } = callback(options.callbackUrl, name, at);
  return {
    name,
    kind,
    clientId: credential(options.clientId, 'clientId', name, at),
    clientSecret: credential(options.clientSecret, 'clientSecret', name, at),
    callbackUrl: url,
    callbackPath: path,
    scopes: scopes(options.scopes, kind, at),
    issuer: kind === 'oidc' ? secureUrl(options.issuer ?? GOOGLE_ISSUER, 'issuer', at, GOOGLE_ISSUER) : undefined,
    endpoints: kind === 'github' ? endpoints(options.endpoints, at) : undefined,
    where: at,
  };
}

/**
 * Checks every provider's options and applies the defaults; throws `AuthConfigError` (or core's
 * unknown-option error) naming the provider, the option and what to write.
 */
export function resolveProviders(options: OAuthOptions, where: string): ProviderConfig[] {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new AuthConfigError(
      `${where}: oauth must be an object of providers, e.g. { google: { clientId, clientSecret, callbackUrl: '/auth/google/callback' } }.`,
    );
  }
  const names = Object.keys(options);
  if (names.length === 0) {
    throw new AuthConfigError(
      `${where}: oauth lists no provider; add one, e.g. { google: { clientId, clientSecret } }.`,
    );
  }
  const configs = names.map((name) => {
    if (!NAME.test(name)) {
      throw new AuthConfigError(
        `${where}: the provider name ${JSON.stringify(name)} must be lower-case letters, digits and '-' (it becomes the path /auth/${name.toLowerCase()}).`,
      );
    }
    const provider = options[name];
    if (provider === undefined)
      throw new AuthConfigError(`${where}: oauth.${name} is undefined; remove it or set its options.`);
    return resolveOne(name, provider, where);
  });
  const seen = new Map<string, string>();
  for (const config of configs) {
    const other = seen.get(config.callbackPath);
    if (other !== undefined) {
      throw new AuthConfigError(
        `${where}: oauth.${other} and oauth.${config.name} share the callback path ${config.callbackPath}; give each its own callbackUrl.`,
      );
    }
    seen.set(config.callbackPath, config.name);
  }
  return configs;
}
