import { describe, expect, it } from 'vitest';
import { runCli } from './helpers.ts';

describe('commands contributed by plugins', () => {
  it('run with the app loaded, get their arguments, and print what they print', async () => {
    const { code, stdout } = await runCli(['greet', 'world']);
    expect(code).toBe(0);
    expect(stdout).toBe('hello world\n');
  });

  it('see the app as configured from the environment', async () => {
    const { stdout } = await runCli(['greet', 'world'], { env: { GREETING: 'bonjour' } });
    expect(stdout).toBe('bonjour world\n');
  });

  it('set the exit code', async () => {
    const failed = await runCli(['greet:fail']);
    expect(failed.code).toBe(3);
    expect(failed.stderr).toBe('greet:fail failed on purpose\n');
    const usage = await runCli(['greet']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toBe('greet needs a name.\n');
  });
});

describe('framework routes', () => {
  it('prints a table of every route with its middleware, schemas, route options, summary and tags, and how many there are', async () => {
    const { code, stdout } = await runCli(['routes']);
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^METHOD +PATH +MIDDLEWARE +SCHEMAS +OPTIONS +SUMMARY$/);
    expect(lines).toContainEqual(expect.stringMatching(/^GET +\/users\/:id +0 +params +- +Read a user \[users\]$/));
    // the greeter plugin's `audit` route option, by name
    expect(lines).toContainEqual(expect.stringMatching(/^POST +\/users +0 +- +audit +Create a user$/));
    expect(lines).toContainEqual(expect.stringMatching(/^GET +\/ +0 +- +-$/));
    expect(lines).toContainEqual(expect.stringMatching(/^GET +\/slow +0 +- +-$/));
    expect(lines.at(-1)).toBe('5 route(s).');
  });

  it('prints them as JSON with --json', async () => {
    const { code, stdout } = await runCli(['routes', '--json']);
    expect(code).toBe(0);
    const routes: unknown = JSON.parse(stdout);
    expect(routes).toContainEqual(
      expect.objectContaining({
        method: 'GET',
        path: '/users/:id',
        schemas: ['params'],
        summary: 'Read a user [users]',
      }),
    );
    expect(routes).toContainEqual(expect.objectContaining({ method: 'POST', path: '/users', options: ['audit'] }));
  });
});

describe('framework health', () => {
  it('prints each check and exits 0 when all are up', async () => {
    const { code, stdout } = await runCli(['health']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^greeter +up +\d+ ms$/m);
    expect(stdout).toContain('Health: up');
  });

  it('exits 1 and prints the failure when a check is down', async () => {
    const { code, stdout } = await runCli(['health'], { env: { GREETER_DOWN: '1' } });
    expect(code).toBe(1);
    expect(stdout).toMatch(/^greeter +down +\d+ ms +the greeter is down$/m);
    expect(stdout).toContain('Health: down');
  });
});

describe('framework cache:clear', () => {
  it("empties the app's cache", async () => {
    const { code, stdout } = await runCli(['cache:clear']);
    expect(code).toBe(0);
    expect(stdout).toBe('framework cache:clear: the cache is empty.\n');
  });
});
