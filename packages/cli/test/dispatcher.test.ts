import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './helpers.ts';

describe('framework --help', () => {
  it("lists the built-in commands and the commands of the app's plugins", async () => {
    const { code, stdout } = await runCli(['--help']);
    expect(code).toBe(0);
    for (const name of ['dev', 'build', 'start', 'test', 'routes', 'health', 'generate:route', 'cache:clear']) {
      expect(stdout).toMatch(new RegExp(`^  ${name} +\\S`, 'm'));
    }
    expect(stdout).toContain("Commands from the app's plugins:");
    expect(stdout).toMatch(/^ {2}greet +Greet someone by name$/m);
    expect(stdout).toMatch(/^ {2}greet:fail +Fail with exit code 3$/m);
  });

  it('outside an app lists the built-in commands and says plugin commands need an app', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'framework-cli-empty-'));
    try {
      const { code, stdout } = await runCli(['--help'], { cwd: empty });
      expect(code).toBe(0);
      expect(stdout).toMatch(/^ {2}dev +Run the app/m);
      expect(stdout).not.toContain('greet');
      expect(stdout).toContain('Inside an app');
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });

  it("shows each built-in command's usage and options", async () => {
    const { code, stdout } = await runCli(['dev', '--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('Usage: framework dev [--port N] [--debug]');
    expect(stdout).toMatch(/-p, --port N +Port to serve on/);
    expect(stdout).toMatch(/--debug +Start the app with the inspector/);
  });

  it("shows a plugin command's usage", async () => {
    const { code, stdout } = await runCli(['greet', '--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('Usage: framework greet <name>');
    expect(stdout).toContain('Greet someone by name');
  });

  it('prints the version', async () => {
    const { code, stdout } = await runCli(['--version']);
    expect(code).toBe(0);
    expect(stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });
});

describe('usage errors', () => {
  it('an unknown command gets one line, a suggestion when close, the usage, and exit code 2', async () => {
    const { code, stdout, stderr } = await runCli(['rotues']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe(
      'framework: unknown command "rotues". Did you mean routes?\nUsage: framework <command> [options]   (framework --help lists the commands)\n',
    );
  });

  it('a close misspelling of a plugin command is suggested too', async () => {
    const { code, stderr } = await runCli(['gret', 'x']);
    expect(code).toBe(2);
    expect(stderr.split('\n')[0]).toBe('framework: unknown command "gret". Did you mean greet?');
  });

  it("an unknown flag gets one line, the command's usage and exit code 2", async () => {
    const { code, stderr } = await runCli(['routes', '--nope']);
    expect(code).toBe(2);
    expect(stderr).toBe('framework routes: unknown option --nope.\nUsage: framework routes [--json]\n');
  });

  it('a missing argument and an extra one are usage errors', async () => {
    const missing = await runCli(['generate:route']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe(
      'framework generate:route: missing argument: <name>.\nUsage: framework generate:route <name>\n',
    );
    const extra = await runCli(['routes', 'users']);
    expect(extra.code).toBe(2);
    expect(extra.stderr.split('\n')[0]).toBe('framework routes: unexpected argument users.');
  });

  it('a flag value that is not a port is a usage error', async () => {
    const { code, stderr } = await runCli(['start', '--port', 'eighty']);
    expect(code).toBe(2);
    expect(stderr.split('\n')[0]).toBe('framework start: --port takes a port number from 0 to 65535, not "eighty".');
  });

  it('no command at all is a usage error', async () => {
    const { code, stderr } = await runCli([]);
    expect(code).toBe(2);
    expect(stderr.split('\n')[0]).toBe('framework: no command given.');
  });

  it('outside an app, a name that is not built in is an unknown command', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'framework-cli-empty-'));
    try {
      const { code, stderr } = await runCli(['greet', 'x'], { cwd: empty });
      expect(code).toBe(2);
      expect(stderr.split('\n')[0]).toBe('framework: unknown command "greet".');
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });
});
