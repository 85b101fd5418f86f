import { describe, expectTypeOf, it } from 'vitest';
import {
  defineErrorCodes,
  type ERROR_CODES,
  type ErrorCode,
  FrameworkError,
  HttpError,
  isFrameworkError,
} from '../src/index.ts';

const MAIL_ERROR_CODES = defineErrorCodes('FW_MAIL_', {
  FW_MAIL_CONFIG: 'The mailer options are invalid; fix the named one.',
  FW_MAIL_UNAVAILABLE: 'The SMTP server did not answer; retry later.',
});
type MailErrorCode = keyof typeof MAIL_ERROR_CODES;

describe('error codes', () => {
  it('a registry keeps its literal codes', () => {
    expectTypeOf<MailErrorCode>().toEqualTypeOf<'FW_MAIL_CONFIG' | 'FW_MAIL_UNAVAILABLE'>();
    expectTypeOf<ErrorCode>().toEqualTypeOf<keyof typeof ERROR_CODES>();
    expectTypeOf<'FW_ERR_NOT_FOUND'>().toExtend<ErrorCode>();
  });

  it('a key outside the prefix is refused', () => {
    // @ts-expect-error FW_CACHE_X does not start with FW_MAIL_
    defineErrorCodes('FW_MAIL_', { FW_CACHE_X: 'wrong package' });
    // @ts-expect-error a prefix is FW_<NAME>_
    defineErrorCodes('MAIL_', { MAIL_X: 'no FW_' });
  });

  it("a package's error class accepts only its codes", () => {
    class MailError extends FrameworkError<MailErrorCode> {}
    new MailError('FW_MAIL_CONFIG', 'host is missing: pass host.');
    // @ts-expect-error not a mail code
    new MailError('FW_MAIL_TYPO', 'x');
    // @ts-expect-error core's own errors take core's codes only
    new FrameworkError('FW_MAIL_CONFIG', 'x');
    expectTypeOf(new FrameworkError('FW_ERR_CSRF', 'x').code).toEqualTypeOf<ErrorCode>();
    expectTypeOf(new HttpError(418).code).toEqualTypeOf<string>();
  });

  it('the guard narrows the code to the registry', () => {
    const error: unknown = new Error('x');
    if (isFrameworkError(error, MAIL_ERROR_CODES)) expectTypeOf(error.code).toEqualTypeOf<MailErrorCode>();
    if (isFrameworkError(error)) expectTypeOf(error.code).toEqualTypeOf<string>();
  });
});
