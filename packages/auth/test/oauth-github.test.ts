import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createApp, isFrameworkError } from '@framework/core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { linkableEmail } from '../src/oauth/linkable-email.ts';
import { createOAuth } from '../src/oauth/oauth.ts';
import type { OAuthLogin } from '../src/oauth/types.ts';
import { MemoryAuthStore } from '../src/store/memory.ts';

const APP = 'http://localhost';
const CLIENT_ID = 'gh-client';
const CLIENT_SECRET = randomBytes(16).toString('hex');

interface GitHubUser {
  id: number;
  login: string;
  name: string | null;
  /** The public email on the profile: whatever the user typed, never checked. */
  email: string | null;
  emails: { email: string; primary: boolean; verified: boolean }[];
}

interface IssuedCode {
  challenge: string;
  redirectUri: string;
  user: GitHubUser;
}

/**
 * A loopback server speaking GitHub's OAuth web flow and the two REST endpoints the login reads,
 * as github.com answers them: a refused code is a 200 with an `error` member, PKCE S256 checked.
 */
class FakeGitHub {
  readonly server: Server;
  /** Who the next authorization signs in as; `undefined` refuses with access_denied. */
  next: GitHubUser | undefined;
  readonly codes = new Map<string, IssuedCode>();
  readonly tokens = new Map<string, GitHubUser>();
  origin = '';

  constructor() {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        res.statusCode = 500;
        res.end(String(error));
      });
    });
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    this.origin = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
  }

  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private json(res: ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.origin);
    if (req.method === 'GET' && url.pathname === '/login/oauth/authorize') {
      const redirect = new URL(url.searchParams.get('redirect_uri') ?? '');
      redirect.searchParams.set('state', url.searchParams.get('state') ?? '');
      const challenge = url.searchParams.get('code_challenge');
      if (this.next === undefined || url.searchParams.get('code_challenge_method') !== 'S256' || challenge === null) {
        redirect.searchParams.set('error', 'access_denied');
      } else {
        const code = randomBytes(10).toString('hex');
        this.codes.set(code, { challenge, redirectUri: url.searchParams.get('redirect_uri') ?? '', user: this.next });
        redirect.searchParams.set('code', code);
      }
      res.writeHead(302, { location: redirect.href });
      res.end();
      return;
    }
    if (req.method === 'POST' && url.pathname === '/login/oauth/access_token') {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(Buffer.from(chunk));
      const form = new URLSearchParams(Buffer.concat(chunks).toString());
      const basic = Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64');
      if (req.headers.authorization !== `Basic ${basic}`) {
        this.json(res, 200, { error: 'incorrect_client_credentials' });
        return;
      }
      const code = form.get('code') ?? '';
      const issued = this.codes.get(code);
      this.codes.delete(code);
      const verifier = form.get('code_verifier') ?? '';
      if (
        issued === undefined ||
        issued.redirectUri !== form.get('redirect_uri') ||
        createHash('sha256').update(verifier).digest('base64url') !== issued.challenge
      ) {
        this.json(res, 200, {
          error: 'bad_verification_code',
          error_description: 'The code passed is incorrect or expired.',
        });
        return;
      }
      const token = `gho_${randomBytes(16).toString('hex')}`;
      this.tokens.set(token, issued.user);
      this.json(res, 200, { access_token: token, token_type: 'bearer', scope: 'read:user,user:email' });
      return;
    }
    const user = this.tokens.get((req.headers.authorization ?? '').replace(/^Bearer /, ''));
    if (user === undefined || req.headers['user-agent'] === undefined) {
      this.json(res, 401, { message: 'Bad credentials' });
    } else if (url.pathname === '/api/v3/user') {
      const { emails: _emails, ...profile } = user;
      this.json(res, 200, { ...profile, avatar_url: `https://avatars.example/${user.id}` });
    } else if (url.pathname === '/api/v3/user/emails') {
      this.json(
        res,
        200,
        user.emails.map((entry) => ({ ...entry, visibility: null })),
      );
    } else {
      this.json(res, 404, { message: 'Not Found' });
    }
  }
}

const OCTOCAT: GitHubUser = {
  id: 583231,
  login: 'octocat',
  name: 'The Octocat',
  email: 'public@example.com',
  emails: [
    { email: 'public@example.com', primary: false, verified: false },
    { email: 'octocat@example.com', primary: true, verified: true },
  ],
};

const github = new FakeGitHub();

beforeAll(async () => {
  await github.start();
});

afterAll(async () => {
  await github.stop();
});

function setup() {
  const service = createOAuth(
    {
      github: {
        clientId: CLIENT_ID,
        clientSecret: CLIENT_SECRET,
        endpoints: {
          authorization: `${github.origin}/login/oauth/authorize`,
          token: `${github.origin}/login/oauth/access_token`,
          api: `${github.origin}/api/v3`,
        },
      },
    },
    new MemoryAuthStore(),
  );
  const logins: OAuthLogin[] = [];
  const app = createApp();
  app.get('/auth/github', (ctx) => service.start(ctx, 'github'));
  app.get('/auth/github/callback', async (ctx) => {
    const login = await service.callback(ctx, 'github');
    logins.push(login);
    return { ...login.profile, linkable: linkableEmail(login.profile) ?? null };
  });
  return { app, logins };
}

type TestApp = ReturnType<typeof setup>['app'];

async function login(app: TestApp, as: GitHubUser | undefined) {
  const start = await app.request(`${APP}/auth/github`);
  expect(start.status).toBe(302);
  const cookie = start.headers.getSetCookie()[0]?.split(';')[0] ?? '';
  const authorizationUrl = new URL(start.headers.get('location') ?? '');
  github.next = as;
  const authorize = await fetch(authorizationUrl, { redirect: 'manual' });
  const callback = new URL(authorize.headers.get('location') ?? '');
  return { authorizationUrl, cookie, callback };
}

async function refusal(response: Response): Promise<{ status: number; reason: unknown }> {
  const body: unknown = await response.json();
  return {
    status: response.status,
    reason: typeof body === 'object' && body !== null ? Reflect.get(body, 'reason') : undefined,
  };
}

describe('a GitHub login against a loopback GitHub', () => {
  test('the authorization URL carries state and a PKCE S256 challenge, and the profile has the verified primary email', async () => {
    const { app, logins } = setup();
    const { authorizationUrl, cookie, callback } = await login(app, OCTOCAT);
    expect(authorizationUrl.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorizationUrl.searchParams.get('state')).toMatch(/^[\w-]{43}$/);
    expect(authorizationUrl.searchParams.get('scope')).toBe('read:user user:email');
    expect(authorizationUrl.searchParams.has('nonce')).toBe(false);
    const response = await app.request(callback.href, { headers: { cookie } });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      provider: 'github',
      subject: '583231',
      email: 'octocat@example.com',
      emailVerified: true,
      name: 'The Octocat',
      picture: 'https://avatars.example/583231',
      linkable: 'octocat@example.com',
    });
    expect(logins).toHaveLength(1);
  });

  test('an unverified primary email is not linkable', async () => {
    const { app } = setup();
    const unverified = { ...OCTOCAT, id: 7, emails: [{ email: 'victim@example.com', primary: true, verified: false }] };
    const { cookie, callback } = await login(app, unverified);
    const response = await app.request(callback.href, { headers: { cookie } });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ email: 'victim@example.com', emailVerified: false, linkable: null });
  });

  test('a replayed callback gets 400 and no second login', async () => {
    const { app, logins } = setup();
    const { cookie, callback } = await login(app, OCTOCAT);
    expect((await app.request(callback.href, { headers: { cookie } })).status).toBe(200);
    expect(await refusal(await app.request(callback.href, { headers: { cookie } }))).toEqual({
      status: 400,
      reason: 'state',
    });
    expect(logins).toHaveLength(1);
  });

  test("another login's code in this login's callback: GitHub refuses the verifier, 400 and no login", async () => {
    const { app, logins } = setup();
    const victim = await login(app, OCTOCAT);
    const attacker = await login(app, { ...OCTOCAT, id: 666, login: 'attacker' });
    const injected = new URL(victim.callback);
    injected.searchParams.set('code', attacker.callback.searchParams.get('code') ?? '');
    expect(await refusal(await app.request(injected.href, { headers: { cookie: victim.cookie } }))).toEqual({
      status: 400,
      reason: 'code',
    });
    expect(logins).toHaveLength(0);
  });

  test('access_denied from GitHub gets 400 and no login', async () => {
    const { app, logins } = setup();
    const { cookie, callback } = await login(app, undefined);
    expect(callback.searchParams.get('error')).toBe('access_denied');
    expect(await refusal(await app.request(callback.href, { headers: { cookie } }))).toEqual({
      status: 400,
      reason: 'provider',
    });
    expect(logins).toHaveLength(0);
  });

  test('endpoints must be https, except on a loopback host', () => {
    let caught: unknown;
    try {
      createOAuth(
        {
          github: {
            clientId: CLIENT_ID,
            clientSecret: CLIENT_SECRET,
            endpoints: {
              authorization: 'http://github.example.com/login/oauth/authorize',
              token: 'https://github.example.com/login/oauth/access_token',
              api: 'https://github.example.com/api/v3',
            },
          },
        },
        new MemoryAuthStore(),
      );
    } catch (error) {
      caught = error;
    }
    expect(isFrameworkError(caught) && caught.code).toBe('FW_AUTH_CONFIG');
    expect(String(caught)).toContain('endpoints.authorization');
  });
});
