// `pantheon dev` as a user runs it: the built bin in a child process, on the app `pantheon init`
// makes and on small apps of the test's own. What a terminal shows is in
// cli-dev-terminal.test.ts (tmux).
import {
  appendFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../services.test-support';
import {
  type BuiltCli,
  buildCli,
  type CliResult,
  cleanEnvironment,
  killChildren,
  runCommand,
} from './built-cli.test-support';
import { killDevProcesses, startDev } from './dev-process.test-support';
import { newAppPath, scaffold } from './scaffold.test-support';

let cli: BuiltCli;
let emptyDir: string;

beforeAll(async () => {
  cli = await buildCli();
  emptyDir = mkdtempSync(join(tmpdir(), 'pantheon-dev-empty-'));
}, 60_000);

afterAll(() => {
  killDevProcesses();
  killChildren();
  rmSync(emptyDir, { recursive: true, force: true });
  cli?.remove();
});

/** Any free port for the app and for the inspector, no model key. */
const devEnvironment = (extra: Record<string, string> = {}) =>
  cleanEnvironment({ PANTHEON_PORT: '0', ...extra });

/** A user error: a message, no stack trace, the exit code. */
function expectUserError(result: CliResult, code: string, exit = 1): void {
  expect(result.code, result.stderr).toBe(exit);
  expect(result.stderr).toContain(`[${code}]`);
  expect(result.stderr).not.toMatch(/^\s+at /m);
  expect(result.stdout).not.toContain('[dev]');
}

/** A folder (in the build folder, where imports resolve) holding `files`. */
function appWith(files: Record<string, string>): string {
  const dir = newAppPath(cli, 'dev-app');
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  return dir;
}

const ECHO_APP = `import { defineApp } from '@promethean-os/pantheon';
import { llmBehavior } from '@promethean-os/pantheon-core';

export default defineApp({
  actors: [
    {
      id: 'echo',
      script: { name: 'echo', talents: [{ name: 'talk', behaviors: [llmBehavior({ name: 'answer' })] }], contextSources: [] },
      goals: ['Answer'],
    },
  ],
});
`;

function devCommand(args: string[], cwd: string, extra: Record<string, string> = {}) {
  return runCommand(cli, ['dev', ...args], { cwd, env: devEnvironment(extra) });
}

describe('pantheon dev on the app pantheon init makes', () => {
  it('runs it offline with the inspector, restarts it on a change, and stops on SIGINT', async () => {
    const { dir } = await scaffold(cli);
    const dev = startDev(cli, { cwd: dir, env: devEnvironment(), args: ['--inspector-port', '0'] });

    await dev.waitFor(/^Watching \. for changes\. Ctrl-C to stop\.$/m);
    expect(dev.output).toMatch(
      /^pantheon dev: src\/app\.ts \(configuration pantheon\.config\.ts\)$/m,
    );
    expect(dev.output).toMatch(
      /^ {2}model {7}OFFLINE: \[offline mock model\]: echoes the last user message, no model is called\n {14}\(OPENAI_API_KEY is not set; set it and run pantheon dev again to use OpenAI gpt-5\.4-mini\)$/m,
    );
    expect(dev.output).toMatch(/^ {2}persistence memory: actors and their messages start afresh/m);
    expect(dev.output).toMatch(/^ {2}actors {6}assistant$/m);
    const { app, inspector } = dev.urls();
    // The port is not the configuration's (PANTHEON_PORT=0), so the hint names it.
    expect(dev.output).toContain(`try: npx pantheon ask assistant "Hello" --url ${app}`);

    // The app answers pantheon ask, on the offline model, labelled as such.
    const asked = await runCommand(cli, ['ask', 'assistant', 'What time is it?', '--url', app], {
      cwd: dir,
    });
    expect(asked).toEqual({
      code: 0,
      stdout: '[offline mock model] You said: What time is it?\n',
      stderr: '',
    });
    // The inspector serves its page and sees the actor and its tick.
    const page = await fetch(inspector);
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<html/i);
    const actors = (await (await fetch(new URL('api/actors', inspector))).json()) as {
      id: string;
      lastTick?: unknown;
    }[];
    expect(actors).toMatchObject([{ id: 'assistant', lastTick: expect.any(Object) }]);

    // A second actor in the app: one restart, and it runs.
    let from = dev.output.length;
    const appFile = join(dir, 'src/app.ts');
    writeFileSync(
      appFile,
      readFileSync(appFile, 'utf8').replace(
        'actors: [assistant],',
        "actors: [assistant, { ...assistant, id: 'second' }],",
      ),
    );
    await dev.waitFor(/^\[dev\] restarting: src\/app\.ts changed$/m, { from });
    await dev.waitFor(/^\[dev\] restarted in \d+\.\d s: app http:\S+, inspector http:\S+$/m, {
      from,
    });
    const restarted = dev.output.slice(from);
    expect(restarted.match(/restarting/g)).toHaveLength(1);
    const newApp = /^\[dev\] restarted in .* s: app (http:\S+),/m.exec(restarted)![1]!;
    const listed = await runCommand(cli, ['actors', '--url', newApp], { cwd: dir });
    expect(listed.stdout).toMatch(/^second\s+second\s+assistant\s+idle\s+yes\s+0$/m);

    // A test file is not the app: no restart.
    from = dev.output.length;
    appendFileSync(join(dir, 'src/actors/assistant/assistant.test.ts'), '// more tests\n');
    // Then a syntax error: reported, and dev waits for the fix.
    writeFileSync(join(dir, 'src/actors/assistant/tools.ts'), 'export const broken = ;\n', {
      flag: 'a',
    });
    await dev.waitFor(/^\[dev\] restarting: src\/actors\/assistant\/tools\.ts changed$/m, { from });
    await dev.waitFor(/^\[dev\] the app did not start \(exit code 1\): fix the error above/m, {
      from,
    });
    const failed = dev.output.slice(from);
    expect(failed).toContain('[APP_INVALID]');
    expect(failed).toContain('Unexpected ";"');
    expect(failed).not.toContain('assistant.test.ts');
    expect(failed.match(/\[dev\] /g)).toHaveLength(2); // one restart line, one failure line
    expect(dev.child.exitCode).toBeNull();

    from = dev.output.length;
    const tools = join(dir, 'src/actors/assistant/tools.ts');
    writeFileSync(tools, readFileSync(tools, 'utf8').replace('export const broken = ;\n', ''));
    await dev.waitFor(/^\[dev\] restarted in /m, { from });
    const fixedApp = /^\[dev\] restarted in .* s: app (http:\S+),/m.exec(
      dev.output.slice(from),
    )![1]!;

    expect(await dev.stop('SIGINT')).toBe(0);
    expect(dev.output).toMatch(/^\[dev\] SIGINT: stopping the app\n\[dev\] stopped\n$/m);
    // The app process is gone with it.
    await expect(fetch(fixedApp)).rejects.toThrow();
  }, 180_000);
});

describe('pantheon dev reports', () => {
  it('the configured model when its key is set, and a durable store as kept', async () => {
    const dir = appWith({
      'pantheon.config.json': JSON.stringify({
        entry: './app.ts',
        adapters: {
          llm: { type: 'openai', model: 'gpt-5.4-mini' },
          persistence: { type: 'sqlite', file: './data/dev.db' },
        },
      }),
      'app.ts': ECHO_APP,
    });
    const dev = startDev(cli, {
      cwd: dir,
      env: devEnvironment({ OPENAI_API_KEY: 'sk-test-not-called' }),
      args: ['--inspector-port', '0', '--config', 'pantheon.config.json'],
    });
    await dev.waitFor(/^Watching \. for changes/m);
    expect(dev.output).toMatch(
      /^ {2}model {7}OpenAI model gpt-5\.4-mini at https:\/\/api\.openai\.com\/v1$/m,
    );
    expect(dev.output).not.toContain('OFFLINE');
    expect(dev.output).toContain(
      `  persistence sqlite ${join(dir, 'data/dev.db')}: kept across restarts`,
    );
    expect(await dev.stop('SIGTERM')).toBe(0);
    expect(dev.output).toMatch(/^\[dev\] SIGTERM: stopping the app$/m);
  }, 60_000);

  it('the offline model, naming ANTHROPIC_API_KEY, for Claude without its key', async () => {
    const dir = appWith({
      'pantheon.config.json': JSON.stringify({
        entry: './app.ts',
        adapters: { llm: { type: 'claude' } },
      }),
      'app.ts': ECHO_APP,
    });
    const dev = startDev(cli, { cwd: dir, env: devEnvironment(), args: ['--inspector-port', '0'] });
    await dev.waitFor(/^Watching \. for changes/m);
    expect(dev.output).toContain(
      '(ANTHROPIC_API_KEY is not set; set it and run pantheon dev again to use Claude)',
    );
    const { app } = dev.urls();
    const asked = await runCommand(cli, ['ask', 'echo', 'hi', '--url', app], { cwd: dir });
    expect(asked.stdout).toBe('[offline mock model] You said: hi\n');
    expect(await dev.stop()).toBe(0);
  }, 60_000);

  it('an app that exits by itself, and starts it again after a change', async () => {
    const dir = appWith({
      'pantheon.config.json': JSON.stringify({ entry: './app.ts' }),
      'app.ts': `import { defineApp } from '@promethean-os/pantheon';
export default defineApp({
  setup() {
    if (process.env.CRASH_ONCE !== 'done') setTimeout(() => process.exit(3), 300);
  },
});
`,
    });
    const dev = startDev(cli, { cwd: dir, env: devEnvironment(), args: ['--inspector-port', '0'] });
    await dev.waitFor(
      /^\[dev\] the app exited \(code 3\): waiting for a change to start it again$/m,
    );
    const from = dev.output.length;
    writeFileSync(join(dir, 'app.ts'), "export { default } from './stable.ts';\n");
    writeFileSync(join(dir, 'stable.ts'), 'export default { actors: [] };\n');
    await dev.waitFor(/^\[dev\] restarting: app\.ts and 1 other file changed$/m, { from });
    await dev.waitFor(/^\[dev\] restarted in /m, { from });
    expect(await dev.stop()).toBe(0);
  }, 60_000);
});

describe('pantheon dev refuses to start, saying what to do', () => {
  it('without a configuration: CONFIG_NOT_FOUND, pointing at pantheon init', async () => {
    const result = await devCommand([], emptyDir);
    expectUserError(result, 'CONFIG_NOT_FOUND');
    expect(result.stderr).toContain(`No configuration file in ${emptyDir}`);
    expect(result.stderr).toContain('create an app with pantheon init');
    const named = await devCommand(['--config', 'missing.ts'], emptyDir);
    expectUserError(named, 'CONFIG_NOT_FOUND');
    expect(named.stderr).toContain(
      `Configuration file ${join(emptyDir, 'missing.ts')} does not exist`,
    );
  }, 30_000);

  it('with a malformed command line: CLI_USAGE, exit 2', async () => {
    const [port, extra, option] = await Promise.all([
      devCommand(['--inspector-port', 'high'], emptyDir),
      devCommand(['now'], emptyDir),
      devCommand(['--watch', 'src'], emptyDir),
    ]);
    expectUserError(port, 'CLI_USAGE', 2);
    expect(port.stderr).toContain(
      '--inspector-port must be a port number (0 to 65535), got "high"',
    );
    expectUserError(extra, 'CLI_USAGE', 2);
    expect(extra.stderr).toContain('pantheon dev takes 0 arguments, got 1');
    expectUserError(option, 'CLI_USAGE', 2);
    expect(option.stderr).toContain("Unknown option '--watch'");
  }, 30_000);

  it('with an invalid configuration, no entry, or a broken app module: exit 1 at the first start', async () => {
    const invalid = appWith({
      'pantheon.config.json': JSON.stringify({
        entry: './app.ts',
        adapters: { llm: { type: 'gemini' } },
      }),
      'app.ts': ECHO_APP,
    });
    const noEntry = appWith({
      'pantheon.config.json': JSON.stringify({ logging: { level: 'warn' } }),
    });
    const missingApp = appWith({
      'pantheon.config.json': JSON.stringify({ entry: './src/app.ts' }),
    });
    const notAnApp = appWith({
      'pantheon.config.json': JSON.stringify({ entry: './app.ts' }),
      'app.ts': 'export const actors = [];\n',
    });
    const [a, b, c, d] = await Promise.all(
      [invalid, noEntry, missingApp, notAnApp].map((dir) =>
        devCommand(['--inspector-port', '0'], dir),
      ),
    );
    expectUserError(a!, 'CONFIG_INVALID');
    expect(a!.stderr).toContain('adapters.llm.type (from file');
    expect(a!.stderr).toContain('expected one of mock, openai, claude, got "gemini"');
    expectUserError(b!, 'CONFIG_INVALID');
    expect(b!.stderr).toContain("has no entry: pantheon dev needs the app's module");
    expectUserError(c!, 'APP_INVALID');
    expect(c!.stderr).toContain(`The app module ${join(missingApp, 'src/app.ts')} does not exist`);
    expectUserError(d!, 'APP_INVALID');
    expect(d!.stderr).toContain('has no default export');
  }, 60_000);

  it('when the inspector port is taken: CONFIG_ERROR naming --inspector-port', async () => {
    const dir = appWith({
      'pantheon.config.json': JSON.stringify({ entry: './app.ts' }),
      'app.ts': ECHO_APP,
    });
    const taken: Server = createServer();
    const port = await new Promise<number>((resolve) =>
      taken.listen(0, '127.0.0.1', () => resolve((taken.address() as { port: number }).port)),
    );
    try {
      const result = await devCommand(['--inspector-port', String(port)], dir);
      expectUserError(result, 'CONFIG_ERROR');
      expect(result.stderr).toContain(
        `Port ${port} on 127.0.0.1 is in use, so the inspector cannot serve its page`,
      );
      expect(result.stderr).toContain('--inspector-port <port> (0 for any free one)');
    } finally {
      taken.close();
    }
  }, 30_000);

  it('when the database does not answer: STORE_UNAVAILABLE', async () => {
    const closed = await freePort();
    const dir = appWith({
      'pantheon.config.json': JSON.stringify({
        entry: './app.ts',
        adapters: {
          persistence: { type: 'postgres', url: `postgres://postgres@127.0.0.1:${closed}/test` },
        },
      }),
      'app.ts': ECHO_APP,
    });
    const result = await devCommand(['--inspector-port', '0'], dir);
    expectUserError(result, 'STORE_UNAVAILABLE');
    expect(result.stderr).toContain(`127.0.0.1:${closed}`);
  }, 60_000);
});
