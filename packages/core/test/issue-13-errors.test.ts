import { errorCodesIn } from '@framework/test-helpers';
import { describe, expect, it, vi } from 'vitest';
import {
  BadRequestError,
  createApp,
  defineErrorCodes,
  ERROR_CODES,
  FrameworkError,
  HttpError,
  isFrameworkError,
  isHttpError,
  isValidationError,
  ServiceUnavailableError,
  ValidationError,
} from '../src/index.ts';

describe('one branded error base', () => {
  it('every HttpError is a FrameworkError, and the guards tell them apart', () => {
    const http = new BadRequestError('Send a name.');
    const usage = new FrameworkError('FW_ERR_INVALID_OPTION', 'port must be a number: pass port: 3000.');
    expect(isFrameworkError(http)).toBe(true);
    expect(isHttpError(http)).toBe(true);
    expect(isFrameworkError(usage)).toBe(true);
    expect(isHttpError(usage)).toBe(false);
    expect(http.code).toBe('FW_ERR_HTTP_400');
    expect(usage.code).toBe('FW_ERR_INVALID_OPTION');
    expect(isFrameworkError(new Error('plain'))).toBe(false);
    expect(isFrameworkError({ code: 'FW_ERR_CSRF', message: 'look-alike' })).toBe(false);
    expect(isFrameworkError(null)).toBe(false);
    expect(isFrameworkError('FW_ERR_CSRF')).toBe(false);
  });

  it('keeps cause, name and message', () => {
    const cause = new Error('socket closed');
    const error = new FrameworkError('FW_ERR_SERVER_STATE', 'Stop the server once.', { cause });
    expect(error.cause).toBe(cause);
    expect(error.name).toBe('FrameworkError');
    expect(error).toBeInstanceOf(Error);
    expect(new ServiceUnavailableError('down', { cause }).cause).toBe(cause);
    expect('cause' in new HttpError(400)).toBe(false);
  });

  it('recognises errors from a second copy of @framework/core', async () => {
    // With the module registry reset, the loader evaluates the error modules again: a second copy
    // of the classes, as when two versions of the package are installed.
    vi.resetModules();
    const copy: typeof import('../src/errors.ts') = await import('../src/errors.ts');
    expect(copy.FrameworkError).not.toBe(FrameworkError);
    const foreignHttp = new copy.ConflictError('Taken.');
    const foreignUsage = new copy.FrameworkError('FW_ERR_ROUTE_CONFLICT', 'Rename one route.');
    const foreignValidation = new copy.ValidationError('body', [
      { path: ['body', 'x'], message: 'no', code: 'invalid' },
    ]);
    expect(foreignHttp).not.toBeInstanceOf(HttpError);
    expect(isHttpError(foreignHttp)).toBe(true);
    expect(isFrameworkError(foreignHttp)).toBe(true);
    expect(isFrameworkError(foreignUsage)).toBe(true);
    expect(isFrameworkError(foreignUsage, ERROR_CODES)).toBe(true);
    expect(isValidationError(foreignValidation)).toBe(true);
    expect(copy.isFrameworkError(new ValidationError('query', []))).toBe(true);
  });

  it('narrows to a registry: an error of one package, not of another', () => {
    const MAIL = defineErrorCodes('FW_MAIL_', { FW_MAIL_CONFIG: 'The mailer options are invalid; fix the named one.' });
    class MailError extends FrameworkError<keyof typeof MAIL> {}
    const mail = new MailError('FW_MAIL_CONFIG', 'host is missing: pass host.');
    expect(isFrameworkError(mail, MAIL)).toBe(true);
    expect(isFrameworkError(mail, ERROR_CODES)).toBe(false);
    expect(isFrameworkError(new FrameworkError('FW_ERR_CSRF', 'x'), MAIL)).toBe(false);
    // Inherited keys of the registry object are not codes.
    expect(isFrameworkError(new FrameworkError<string>('toString', 'x'), MAIL)).toBe(false);
  });
});

describe('defineErrorCodes', () => {
  it('returns a frozen copy with the same codes', () => {
    const codes = { FW_MAIL_CONFIG: 'The mailer options are invalid; fix the named one.' };
    const registry = defineErrorCodes('FW_MAIL_', codes);
    expect(registry).toEqual(codes);
    expect(Object.isFrozen(registry)).toBe(true);
  });

  it('refuses a code outside the prefix, a malformed prefix and a code without a meaning', () => {
    // @ts-expect-error a code outside the prefix is a type error, and refused at load for JavaScript callers
    expect(() => defineErrorCodes('FW_MAIL_', { FW_DB_X: 'meaning' })).toThrow(/FW_DB_X.*must start with FW_MAIL_/);
    expect(() => defineErrorCodes('FW_mail_', {})).toThrow(/prefix "FW_mail_" must look like/);
    expect(() => defineErrorCodes('FW_MAIL_', { FW_MAIL_X: ' ' })).toThrow(/FW_MAIL_X needs a description/);
  });
});

describe("core's registry", () => {
  it('lists every FW_ERR_ code that core raises, each with a meaning', () => {
    const thrown = errorCodesIn(new URL('../src', import.meta.url));
    const missing = [...thrown].filter((code) => code.startsWith('FW_ERR_') && !(code in ERROR_CODES));
    expect(missing).toEqual([]);
    const foreign = [...thrown].filter((code) => !code.startsWith('FW_ERR_'));
    expect(foreign).toEqual([]);
    for (const [code, meaning] of Object.entries(ERROR_CODES)) {
      expect(code).toMatch(/^FW_ERR_[A-Z0-9_]+$/);
      expect(meaning.length, code).toBeGreaterThan(20);
    }
  });

  it('answers the request pipeline codes as before, now registered', async () => {
    const app = createApp({ logger: false });
    app.post('/echo', (ctx) => ctx.body);
    const notFound = await app.request('/nowhere');
    expect(notFound.status).toBe(404);
    expect(await notFound.json()).toMatchObject({ status: 404, code: 'FW_ERR_NOT_FOUND' });
    const badJson = await app.request('/echo', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{',
    });
    expect(badJson.status).toBe(400);
    const body = (await badJson.json()) as { code: keyof typeof ERROR_CODES };
    expect(body.code).toBe('FW_ERR_INVALID_JSON');
    expect(ERROR_CODES[body.code]).toMatch(/send valid JSON/);
  });
});
