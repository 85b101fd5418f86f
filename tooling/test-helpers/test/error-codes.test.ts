import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { closedPort, errorCodesIn } from '../src/index.ts';

describe('errorCodesIn', () => {
  it('finds the codes in the code of every file, subfolders included, and none in comments', () => {
    const codes = errorCodesIn(new URL('./fixtures/package/src', import.meta.url));
    expect([...codes].sort()).toEqual(['FW_FIXTURE_NAME', 'FW_FIXTURE_STORE']);
  });
});

describe('closedPort', () => {
  it('gives a loopback port that refuses connections', async () => {
    const port = await closedPort();
    const error = await new Promise<unknown>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => resolve(undefined));
      socket.on('error', resolve);
    });
    expect(error).toMatchObject({ code: 'ECONNREFUSED' });
  });
});
