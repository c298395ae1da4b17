// The built `pantheon` bin in child processes: help, malformed command lines, and the failures a
// user fixes — each a message saying what to do and a non-zero exit, never a stack trace.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, testSchema } from '../services.test-support';
import {
  appFolder,
  type BuiltCli,
  buildCli,
  type CliResult,
  cleanEnvironment,
  killChildren,
  runCommand,
  TEST_APP,
} from './built-cli.test-support';
import { COMMANDS } from './run-cli';

const commandNames = Object.keys(COMMANDS);

let cli: BuiltCli;
const folders: { remove(): void }[] = [];
let emptyDir: string;

beforeAll(async () => {
  cli = await buildCli();
  emptyDir = mkdtempSync(join(tmpdir(), 'pantheon-cli-empty-'));
}, 60_000);

afterAll(() => {
  killChildren();
  for (const folder of folders) folder.remove();
  rmSync(emptyDir, { recursive: true, force: true });
  cli?.remove();
});

function folder(config: Record<string, unknown>) {
  const created = appFolder({ entry: TEST_APP, http: { port: 0 }, ...config });
  folders.push(created);
  return created.dir;
}

/** A user error: a message, no stack trace, the exit code. */
function expectUserError(result: CliResult, code: string, exit = 1): void {
  expect(result.code, result.stderr).toBe(exit);
  expect(result.stderr).toContain(`[${code}]`);
  expect(result.stderr).not.toMatch(/^\s+at /m);
  expect(result.stdout).toBe('');
}

describe('pantheon --help', () => {
  it('lists the commands, and every command explains itself', async () => {
    const [main, ...commands] = await Promise.all([
      runCommand(cli, ['--help'], { cwd: emptyDir }),
      ...commandNames.map((name) => runCommand(cli, [name, '--help'], { cwd: emptyDir })),
    ]);
    expect(main.code).toBe(0);
    expect(main.stdout).toMatch(/^Usage: pantheon <command> \[options\]/);
    for (const name of commandNames) {
      expect(main.stdout).toMatch(new RegExp(`^  ${name} `, 'm'));
    }
    for (const [index, name] of commandNames.entries()) {
      const result = commands[index]!;
      expect(result.code, name).toBe(0);
      expect(result.stdout, name).toMatch(new RegExp(`^Usage: pantheon ${name}`));
      expect(result.stdout, name).toContain('-h, --help');
      expect(result.stderr, name).toBe('');
    }
  }, 60_000);

  it('prints the version of the package', async () => {
    const result = await runCommand(cli, ['--version'], { cwd: emptyDir });
    expect(result).toEqual({ code: 0, stdout: '0.0.0\n', stderr: '' });
  });
});

describe('a malformed command line', () => {
  it('is CLI_USAGE with exit code 2: an unknown command, option or argument count', async () => {
    const [unknown, option, missing, extra, timeout] = await Promise.all([
      runCommand(cli, ['deploy'], { cwd: emptyDir }),
      runCommand(cli, ['start', '--port', '3000'], { cwd: emptyDir }),
      runCommand(cli, ['ask', 'support'], { cwd: emptyDir }),
      runCommand(cli, ['actors', 'extra'], { cwd: emptyDir }),
      runCommand(cli, ['ask', 'a', 'b', '--timeout', 'soon', '--url', 'http://127.0.0.1:1'], {
        cwd: emptyDir,
      }),
    ]);
    expectUserError(unknown, 'CLI_USAGE', 2);
    expect(unknown.stderr).toContain(
      'unknown command "deploy"; the commands are init, dev, start, ask, actors, health',
    );
    expectUserError(option, 'CLI_USAGE', 2);
    expect(option.stderr).toContain("Unknown option '--port'");
    expectUserError(missing, 'CLI_USAGE', 2);
    expect(missing.stderr).toContain('pantheon ask takes 2 arguments, got 1');
    expect(missing.stderr).toContain('Usage: pantheon ask <actor> "<message>"');
    expectUserError(extra, 'CLI_USAGE', 2);
    expectUserError(timeout, 'CLI_USAGE', 2);
    expect(timeout.stderr).toContain(
      '--timeout must be a whole number of milliseconds, got "soon"',
    );
  }, 60_000);

  it('prints the commands and exits 2 without a command', async () => {
    const result = await runCommand(cli, [], { cwd: emptyDir });
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(/^Usage: pantheon <command>/);
  });
});

describe('pantheon start refuses to start, saying what to do', () => {
  it('without a configuration', async () => {
    const result = await runCommand(cli, ['start'], { cwd: emptyDir });
    expectUserError(result, 'CONFIG_NOT_FOUND');
    expect(result.stderr).toContain(`No configuration file in ${emptyDir}`);
    expect(result.stderr).toContain('pantheon.config.ts, pantheon.config.mts');
    expect(result.stderr).toContain('Create pantheon.config.ts (or .json) in the app folder');
    const named = await runCommand(cli, ['start', '--config', 'missing.json'], { cwd: emptyDir });
    expectUserError(named, 'CONFIG_NOT_FOUND');
    expect(named.stderr).toContain(
      `Configuration file ${join(emptyDir, 'missing.json')} does not exist`,
    );
  }, 30_000);

  it('with an invalid configuration, naming each field and its source', async () => {
    const dir = folder({ adapters: { llm: { type: 'gemini' } }, http: { port: 0, tls: true } });
    const result = await runCommand(cli, ['start'], {
      cwd: dir,
      env: cleanEnvironment({ PANTHEON_LOG_LEVEL: 'loud' }),
    });
    expectUserError(result, 'CONFIG_INVALID');
    const file = join(dir, 'pantheon.config.json');
    expect(result.stderr).toContain(
      `adapters.llm.type (from file ${file}): expected one of mock, openai, claude, got "gemini"`,
    );
    expect(result.stderr).toContain(`http.tls (from file ${file}): unknown key`);
    expect(result.stderr).toContain(
      'logging.level (from environment variable PANTHEON_LOG_LEVEL): expected one of debug, info, warn, error, got "loud"',
    );
  }, 30_000);

  it('without the API key of the configured model', async () => {
    const dir = folder({ adapters: { llm: { type: 'openai', model: 'gpt-5.4-mini' } } });
    const result = await runCommand(cli, ['start'], { cwd: dir });
    expectUserError(result, 'CONFIG_ERROR');
    expect(result.stderr).toContain('adapters.llm.type is "openai" but OPENAI_API_KEY is not set');
    const claude = await runCommand(cli, ['start'], {
      cwd: dir,
      env: cleanEnvironment({ PANTHEON_LLM_PROVIDER: 'claude' }),
    });
    expectUserError(claude, 'CONFIG_ERROR');
    expect(claude.stderr).toContain('ANTHROPIC_API_KEY is not set');
  }, 30_000);

  it('when the database cannot be reached', async () => {
    const port = await freePort();
    const dir = folder({
      adapters: {
        persistence: {
          type: 'postgres',
          url: `postgres://postgres@127.0.0.1:${port}/test`,
          schema: testSchema(),
        },
      },
    });
    const result = await runCommand(cli, ['start'], { cwd: dir });
    expectUserError(result, 'STORE_UNAVAILABLE');
    expect(result.stderr).toContain(
      `Cannot open the database (postgres postgres://postgres@127.0.0.1:${port}/test schema`,
    );
    expect(result.stderr).toContain('ECONNREFUSED');
    expect(result.stderr).toContain('Check that it is running and reachable');
  }, 30_000);

  it('when NATS cannot be reached', async () => {
    const port = await freePort();
    const dir = folder({});
    const result = await runCommand(cli, ['start'], {
      cwd: dir,
      env: cleanEnvironment({ PANTHEON_BUS_URL: `nats://127.0.0.1:${port}` }),
    });
    expectUserError(result, 'BUS_UNAVAILABLE');
    expect(result.stderr).toContain(
      `Cannot use the NATS message bus (nats nats://127.0.0.1:${port}`,
    );
    expect(result.stderr).toContain('nats-server runs with JetStream');
  }, 30_000);

  it('when the entry module is not an app', async () => {
    const dir = folder({ entry: join(emptyDir, 'nowhere.ts') });
    const result = await runCommand(cli, ['start'], { cwd: dir });
    expectUserError(result, 'APP_INVALID');
    expect(result.stderr).toContain(
      `The app module ${join(emptyDir, 'nowhere.ts')} does not exist`,
    );
  }, 30_000);

  it('when it would listen beyond loopback without a token', async () => {
    const dir = folder({});
    const result = await runCommand(cli, ['start'], {
      cwd: dir,
      env: cleanEnvironment({ PANTHEON_HOST: '0.0.0.0' }),
    });
    expectUserError(result, 'CONFIG_ERROR');
    expect(result.stderr).toContain('set PANTHEON_API_TOKEN (16 characters or more');
  }, 30_000);

  it('when its port is taken', async () => {
    const { createServer } = await import('node:net');
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    try {
      const dir = folder({ http: { port } });
      const result = await runCommand(cli, ['start'], { cwd: dir });
      expectUserError(result, 'CONFIG_ERROR');
      expect(result.stderr).toContain(`Port ${port} on 127.0.0.1 is in use`);
    } finally {
      server.close();
    }
  }, 30_000);
});

describe('the client commands without an instance', () => {
  it('say that nothing answers and exit 1', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const [asked, listed, health] = await Promise.all([
      runCommand(cli, ['ask', 'echo', 'hello', '--url', url], { cwd: emptyDir }),
      runCommand(cli, ['actors', '--url', url], { cwd: emptyDir }),
      runCommand(cli, ['health', '--url', url], { cwd: emptyDir }),
    ]);
    for (const result of [asked, listed, health]) {
      expectUserError(result, 'INSTANCE_UNREACHABLE');
      expect(result.stderr).toContain(
        `No Pantheon instance answers at ${url} (connect ECONNREFUSED`,
      );
      expect(result.stderr).toContain('Start one with `pantheon start`');
    }
  }, 30_000);

  it('read the address from the configuration when no --url is given', async () => {
    const port = await freePort();
    const dir = folder({ http: { port } });
    const result = await runCommand(cli, ['actors'], { cwd: dir });
    expectUserError(result, 'INSTANCE_UNREACHABLE');
    expect(result.stderr).toContain(`No Pantheon instance answers at http://127.0.0.1:${port}`);
  }, 30_000);
});
