import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createLogger, defineConfig, isFrameworkError, redact } from '../src/index.ts';

let dir: string;
let cwd: string;
let savedEnv: NodeJS.ProcessEnv;

beforeEach(() => {
  cwd = process.cwd();
  savedEnv = { ...process.env };
  dir = mkdtempSync(join(tmpdir(), 'fw-config-'));
  process.chdir(dir);
  for (const name of ['NODE_ENV', 'PORT', 'HOST', 'DATABASE_URL', 'SESSION_SECRET', 'API_TOKEN'])
    delete process.env[name];
});

afterEach(() => {
  process.chdir(cwd);
  for (const name of Object.keys(process.env)) if (!(name in savedEnv)) delete process.env[name];
  Object.assign(process.env, savedEnv);
  rmSync(dir, { recursive: true, force: true });
});

function files(contents: Record<string, string>): void {
  for (const [name, text] of Object.entries(contents)) writeFileSync(join(dir, name), text);
}

function configError(load: () => unknown): string {
  try {
    load();
  } catch (error) {
    if (isFrameworkError(error) && error.code === 'FW_ERR_CONFIG') return error.message;
    throw error;
  }
  throw new Error('defineConfig() did not throw');
}

const SECRET = 'a-session-secret-of-at-least-32-characters';

describe('defineConfig() reads the .env files', () => {
  it('in the order .env, .env.local, .env.<NODE_ENV>, .env.<NODE_ENV>.local, the process environment winning', () => {
    files({
      '.env': 'A=env\nB=env\nC=env\nD=env\nE=env\n',
      '.env.local': 'B=local\nC=local\nD=local\n',
      '.env.production': 'C=production\nD=production\n',
      '.env.production.local': 'D=production-local\n',
      '.env.development': 'A=development\n',
      '.env.development.local': 'A=development-local\n',
    });
    process.env.NODE_ENV = 'production';
    process.env.E = 'process';
    const config = defineConfig({
      env: z.object({ A: z.string(), B: z.string(), C: z.string(), D: z.string(), E: z.string() }),
      shared: (env) => ({ values: [env.A, env.B, env.C, env.D, env.E] }),
    });
    expect(config.values).toEqual(['env', 'local', 'production', 'production-local', 'process']);
    // The variables are in the environment too, for code that reads process.env.
    expect(process.env.D).toBe('production-local');
    expect(process.env.E).toBe('process');
  });

  it('never takes NODE_ENV from a file', () => {
    files({ '.env': 'NODE_ENV=production\n' });
    const config = defineConfig({
      development: { mode: 'development' },
      production: { mode: 'production' },
      test: { mode: 'test' },
    });
    expect(config.mode).toBe('development');
    expect(process.env.NODE_ENV).toBeUndefined();
  });

  it('works without any file or schema', () => {
    process.env.PORT = '8080';
    const config = defineConfig({ shared: (env) => ({ port: Number(env.PORT) }) });
    expect(config.port).toBe(8080);
  });
});

describe('defineConfig() validates the environment', () => {
  const Env = z.object({
    PORT: z.coerce.number().int().positive(),
    DATABASE_URL: z.string().url(),
    SESSION_SECRET: z.string().min(32),
    API_TOKEN: z.string(),
  });

  it('throws one FW_ERR_CONFIG listing every missing or invalid variable, where it came from and what to write, without a value', () => {
    files({
      '.env': 'PORT=not-a-port\nDATABASE_URL=definitely not a url\n',
      '.env.local': 'SESSION_SECRET=too-short-secret\n',
    });
    const message = configError(() => defineConfig({ env: Env, secrets: ['SESSION_SECRET'] }));
    expect(message).toContain('4 variables need fixing');
    expect(message).toMatch(/PORT \(from \.env\) is invalid: .*write a value the schema accepts for PORT in \.env/);
    expect(message).toMatch(/DATABASE_URL \(from \.env\) is invalid/);
    expect(message).toMatch(/SESSION_SECRET \(from \.env\.local\) is invalid: .*32/);
    expect(message).toMatch(/API_TOKEN is missing .*add a line API_TOKEN=\.\.\. to \.env/);
    for (const value of ['not-a-port', 'definitely not a url', 'too-short-secret'])
      expect(message).not.toContain(value);
  });

  it('says when a variable set in the process itself is invalid', () => {
    Object.assign(process.env, {
      PORT: '-1',
      DATABASE_URL: 'https://db.example',
      SESSION_SECRET: SECRET,
      API_TOKEN: 't',
    });
    const message = configError(() => defineConfig({ env: Env }));
    expect(message).toContain('one variable needs fixing');
    expect(message).toMatch(/- PORT is invalid: .*in the environment/);
  });

  it('refuses a NODE_ENV that names no section, in the same list', () => {
    process.env.NODE_ENV = 'staging';
    const message = configError(() => defineConfig({ env: z.object({ HOST: z.string() }) }));
    expect(message).toMatch(/NODE_ENV is not development, production or test: set NODE_ENV=production/);
    expect(message).toMatch(/HOST is missing/);
  });

  it('refuses keys it does not know and sections that are not objects', () => {
    expect(configError(() => defineConfig({ staging: {} } as never))).toMatch(/no key "staging"/);
    expect(configError(() => defineConfig({ shared: () => 'text' } as never))).toMatch(
      /shared section must be an object/,
    );
  });
});

describe('defineConfig() builds the config for NODE_ENV', () => {
  const definition = () =>
    defineConfig({
      env: z.object({ PORT: z.coerce.number().default(3000), HOST: z.string().default('127.0.0.1') }),
      shared: (env) => ({
        server: { port: env.PORT, host: env.HOST },
        logging: { level: 'info', format: 'json' },
        origins: ['https://a.example', 'https://b.example'],
      }),
      development: { logging: { level: 'debug' }, origins: ['http://localhost:5173'] },
      production: (env) => ({ server: { host: '0.0.0.0', port: env.PORT } }),
      test: { logging: { level: 'silent' } },
    });

  it('deep-merges the section over shared: objects key by key, arrays replaced', () => {
    const config = definition();
    expect(config).toEqual({
      server: { port: 3000, host: '127.0.0.1' },
      logging: { level: 'debug', format: 'json' },
      origins: ['http://localhost:5173'],
    });
  });

  it('calls function sections with the validated env', () => {
    process.env.NODE_ENV = 'production';
    process.env.PORT = '8443';
    const config = definition();
    expect(config.server).toEqual({ host: '0.0.0.0', port: 8443 });
    expect(config.logging).toEqual({ level: 'info', format: 'json' });
    process.env.NODE_ENV = 'test';
    expect(definition().logging.level).toBe('silent');
  });

  it('returns a frozen config', () => {
    const config = definition();
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.server)).toBe(true);
    expect(Object.isFrozen(config.origins)).toBe(true);
    expect(() => {
      (config.server as { port: number }).port = 1;
    }).toThrow(TypeError);
  });
});

describe('secrets are never printed', () => {
  const load = () =>
    defineConfig({
      env: z.object({ SESSION_SECRET: z.string().min(32), SIGNING: z.string(), DATABASE_URL: z.string() }),
      secrets: ['SESSION_SECRET', 'SIGNING'],
      shared: (env) => ({
        session: { secret: env.SESSION_SECRET, cookie: 'sid' },
        auth: { signing: env.SIGNING },
        database: { url: env.DATABASE_URL, pool: { max: 10 } },
        payments: { apiKey: 'pk-live-123456' },
      }),
    });

  beforeEach(() => {
    files({
      '.env': `SESSION_SECRET=${SECRET}\nSIGNING=signing-key-value-xyz\nDATABASE_URL=postgres://app:db-password-42@db.internal:5432/app\n`,
    });
  });

  it('not in JSON.stringify, util.inspect or String() of the config or its parts', () => {
    const config = load();
    expect(config.session.secret).toBe(SECRET);
    const printed = [
      JSON.stringify(config),
      JSON.stringify({ msg: 'starting', config }),
      JSON.stringify(config.database),
      inspect(config, { depth: 10 }),
      String(config),
      `${config.auth}`,
    ].join('\n');
    for (const value of [SECRET, 'signing-key-value-xyz', 'db-password-42', 'pk-live-123456']) {
      expect(printed).not.toContain(value);
    }
    expect(JSON.parse(JSON.stringify(config))).toEqual({
      session: { secret: '[redacted]', cookie: 'sid' },
      auth: { signing: '[redacted]' },
      database: { url: 'postgres://app:[redacted]@db.internal:5432/app', pool: { max: 10 } },
      payments: { apiKey: '[redacted]' },
    });
    expect(Object.keys(config.session)).toEqual(['secret', 'cookie']);
    // A copy serializes the real values, for settings sent somewhere on purpose.
    expect(JSON.parse(JSON.stringify(structuredClone(config.payments)))).toEqual({ apiKey: 'pk-live-123456' });
  });

  it('not in a JSON log line of the default logger', () => {
    const config = load();
    const lines: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string) => {
      lines.push(String(chunk));
      return true;
    }) as typeof process.stderr.write;
    try {
      createLogger().info({ config }, 'configuration loaded');
    } finally {
      process.stderr.write = write;
    }
    expect(lines.join('')).toContain('configuration loaded');
    expect(lines.join('')).not.toContain(SECRET);
    expect(lines.join('')).not.toContain('db-password-42');
  });

  it('redact() hides them in anything else: copies, log fields, text that embeds them', () => {
    const config = load();
    const copy = { ...config.auth, header: `Bearer ${config.auth.signing}` };
    expect(redact(copy)).toEqual({ signing: '[redacted]', header: 'Bearer [redacted]' });
    expect(redact({ user: 'ann', password: 'p', nested: [{ token: 7 }], url: 'redis://:pw@cache:6379' })).toEqual({
      user: 'ann',
      password: '[redacted]',
      nested: [{ token: '[redacted]' }],
      url: 'redis://:[redacted]@cache:6379',
    });
  });
});
