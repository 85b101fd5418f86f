import type { Context } from '@framework/core';
import type { SessionConfig } from './options.ts';
import { signSessionId, verifySessionCookie } from './session-id.ts';

/**
 * What sessions need of a request's context: its cookies and whether it came over HTTPS. Every
 * handler's `ctx` is one.
 *
 * @example
 * ```ts
 * app.get('/me', async (ctx) => (await sessions.load(ctx))?.user ?? null);
 * ```
 */
export type SessionContext = Pick<Context, 'cookies' | 'protocol'>;

/**
 * Reads and writes the signed session cookie: `HttpOnly`, `Path=/`, `SameSite`, no `Domain`, and
 * `Secure` with the `__Host-` prefix (by default) on HTTPS.
 *
 * @example
 * ```ts
 * const cookie = new SessionCookie(config);
 * cookie.write(ctx, id, 7 * 24 * 3600);
 * ```
 */
export class SessionCookie {
  private readonly config: SessionConfig;

  constructor(config: SessionConfig) {
    this.config = config;
  }

  secure(ctx: SessionContext): boolean {
    return this.config.secure ?? ctx.protocol === 'https';
  }

  /** The cookie's name for this request: the configured one, else `__Host-sid` when secure, else `sid`. */
  name(ctx: SessionContext): string {
    return this.config.cookieName ?? (this.secure(ctx) ? '__Host-sid' : 'sid');
  }

  /** The session id of a cookie whose signature verifies, else `undefined`. Only the cookie is read. */
  read(ctx: SessionContext): string | undefined {
    return verifySessionCookie(ctx.cookies.get(this.name(ctx)), this.config.keys);
  }

  write(ctx: SessionContext, id: string, maxAgeSeconds: number): void {
    ctx.cookies.set(this.name(ctx), signSessionId(id, this.config.keys), {
      maxAge: Math.max(1, Math.round(maxAgeSeconds)),
      path: '/',
      httpOnly: true,
      secure: this.secure(ctx),
      sameSite: this.config.sameSite,
    });
  }

  clear(ctx: SessionContext): void {
    ctx.cookies.delete(this.name(ctx), { path: '/', secure: this.secure(ctx), sameSite: this.config.sameSite });
  }
}
