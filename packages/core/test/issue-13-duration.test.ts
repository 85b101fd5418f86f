import { describe, expect, it } from 'vitest';
import { parseDuration } from '../src/index.ts';

describe('parseDuration: one parser for every time option', () => {
  it('reads strings with a unit and bare numbers in the unit the option names', () => {
    expect(parseDuration('500ms', 'x')).toBe(500);
    expect(parseDuration('10s', 'x')).toBe(10_000);
    expect(parseDuration('10m', 'x')).toBe(600_000);
    expect(parseDuration('1h', 'x')).toBe(3_600_000);
    expect(parseDuration('1d', 'x')).toBe(86_400_000);
    expect(parseDuration(250, 'x')).toBe(250);
    expect(parseDuration(600, 'ttl', 's')).toBe(600_000);
    expect(parseDuration('10m', 'ttl', 's')).toBe(600_000);
  });

  it('names the option, its bare-number unit and the accepted forms when the value is wrong', () => {
    expect(() => parseDuration('10 minutes', 'cache ttl', 's')).toThrow(
      /cache ttl must be a duration: seconds as a number, or a string such as '500ms'/,
    );
    expect(() => parseDuration(-1, 'timeout')).toThrow(/timeout must be a duration: milliseconds/);
    expect(() => parseDuration(Number.NaN, 'timeout')).toThrow(/FW_ERR_INVALID_OPTION|must be a duration/);
  });
});
