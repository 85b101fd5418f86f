/**
 * What a `Browser` sends requests through: `app.request`, or `fetch` to a served app.
 *
 * @example
 * ```ts
 * const overSocket: RequestFunction = (path, init) => fetch(`${url}${path}`, { ...init, redirect: 'manual' });
 * ```
 */
export type RequestFunction = (path: string, init: RequestInit) => Promise<Response>;

/**
 * A request as a test writes it: a JSON body is serialised and its content type set.
 *
 * @example
 * ```ts
 * await browser.send('/todos', { method: 'POST', body: { title: 'x' }, headers: { 'x-csrf-token': token } });
 * ```
 */
export interface BrowserRequest {
  method?: string;
  body?: unknown;
  headers?: Record<string, string>;
}

/**
 * A browser as far as cookies go, for tests of sessions and CSRF: it keeps the cookies the app
 * sets (and drops those it expires), sends them back, and sends unsafe requests with the CSRF
 * token a page of the app gives it.
 *
 * @example
 * ```ts
 * const browser = new Browser((path, init) => app.request(path, init), { csrfPath: '/auth/csrf' });
 * await browser.post('/auth/login', { email, password });
 * const me = await browser.send('/auth/me');
 * ```
 */
export class Browser {
  /** The cookies it holds, by name. */
  readonly cookies = new Map<string, string>();
  /** Every `Set-Cookie` line it received, in order, attributes included. */
  readonly setCookies: string[] = [];
  private readonly request: RequestFunction;
  private readonly csrfPath: string;

  /** `csrfPath` answers `{ token }` (a route returning `ctx.csrfToken`); default `/csrf`. */
  constructor(request: RequestFunction, options: { csrfPath?: string } = {}) {
    this.request = request;
    this.csrfPath = options.csrfPath ?? '/csrf';
  }

  /** The `Cookie` header it would send. */
  cookieHeader(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  /** Sends a request with its cookies, and keeps the cookies of the answer. */
  async send(path: string, init: BrowserRequest = {}): Promise<Response> {
    const headers: Record<string, string> = { ...init.headers };
    if (this.cookies.size > 0) headers.cookie = this.cookieHeader();
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    const res = await this.request(path, {
      method: init.method ?? 'GET',
      headers,
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });
    for (const line of res.headers.getSetCookie()) {
      this.setCookies.push(line);
      const [pair = '', ...attributes] = line.split(';');
      const name = pair.slice(0, pair.indexOf('='));
      const value = pair.slice(pair.indexOf('=') + 1);
      const expired = attributes.some((attribute) => /^\s*max-age=0$/i.test(attribute));
      if (expired || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return res;
  }

  /** A cookie-authenticated unsafe request, with the CSRF token the app gives this browser. */
  async post(path: string, body: unknown = {}): Promise<Response> {
    const answer: unknown = await (await this.send(this.csrfPath)).json();
    const token = typeof answer === 'object' && answer !== null ? Reflect.get(answer, 'token') : undefined;
    if (typeof token !== 'string')
      throw new Error(`GET ${this.csrfPath} gave no { token }: point csrfPath at a route returning ctx.csrfToken.`);
    return this.send(path, { method: 'POST', body, headers: { 'x-csrf-token': token } });
  }
}
