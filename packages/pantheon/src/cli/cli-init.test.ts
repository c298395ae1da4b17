// `pantheon init` as a user runs it: the built bin in a child process. The app it writes is
// checked here file by file and loaded (configuration and app module); its own test
// (template/src/actors/assistant/assistant.test.ts) runs in this suite, and `npm install && npm
// test` in it runs from the packed tarballs in consumer-check/check.mjs.
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { MockLlmAdapter } from '@promethean-os/pantheon-test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import packageJson from '../../package.json' with { type: 'json' };
import { loadApp } from '../app/load-app';
import { startApp } from '../app/start-app';
import { loadConfig } from '../config/load-config';
import {
  type BuiltCli,
  buildCli,
  type CliResult,
  killChildren,
  runCommand,
} from './built-cli.test-support';
import { newAppPath, scaffold } from './scaffold.test-support';

const templateDir = new URL('../../template/', import.meta.url);
const repoPackageJson = JSON.parse(
  readFileSync(new URL('../../../../package.json', import.meta.url), 'utf8'),
) as { devDependencies: Record<string, string> };
const deploymentDoc = readFileSync(
  new URL('../../../../docs/deployment.md', import.meta.url),
  'utf8',
);

let cli: BuiltCli;

beforeAll(async () => {
  cli = await buildCli();
}, 60_000);

afterAll(() => {
  killChildren();
  cli?.remove();
});

function filesUnder(root: string, dir = root): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) =>
      entry.isDirectory()
        ? filesUnder(root, join(dir, entry.name))
        : [relative(root, join(dir, entry.name))],
    )
    .sort();
}

function snapshot(dir: string): Record<string, string> {
  return Object.fromEntries(
    filesUnder(dir).map((file) => [file, readFileSync(join(dir, file), 'utf8')]),
  );
}

/** A user error: a message, no stack trace, the exit code, nothing on standard output. */
function expectUserError(result: CliResult, code: string, exit: number): void {
  expect(result.code, result.stderr).toBe(exit);
  expect(result.stderr).toContain(`[${code}]`);
  expect(result.stderr).not.toMatch(/^\s+at /m);
  expect(result.stdout).toBe('');
}

const EXPECTED_FILES = [
  '.dockerignore',
  '.gitignore',
  'Dockerfile',
  'README.md',
  'package.json',
  'pantheon.config.ts',
  'src/actors/assistant/assistant.test.ts',
  'src/actors/assistant/behaviors.ts',
  'src/actors/assistant/index.ts',
  'src/actors/assistant/tools.ts',
  'src/app.ts',
  'tsconfig.json',
];

describe('pantheon init <dir>', () => {
  it('writes the app: configuration, an actor with a tool and its test, README, Dockerfile', async () => {
    const { dir, result } = await scaffold(cli);
    const name = relative(dirname(dir), dir);

    expect(filesUnder(dir)).toEqual(EXPECTED_FILES);
    // The template as it is, `{{name}}` filled in, two files renamed (npm drops dotfiles).
    for (const file of filesUnder(templateDir.pathname)) {
      const target = file.replace(/^(git|docker)ignore$/, '.$1ignore');
      const template = readFileSync(new URL(file, templateDir), 'utf8');
      expect(readFileSync(join(dir, target), 'utf8'), file).toBe(
        template.replaceAll('{{name}}', name),
      );
    }
    const readme = readFileSync(join(dir, 'README.md'), 'utf8');
    expect(readme).toMatch(new RegExp(`^# ${name}\\n`));
    expect(readme).toContain(`docker build -t ${name} .`);
    expect(result.stdout).toBe(
      [
        `Created ${name} in ${dir}:`,
        ...EXPECTED_FILES.map((file) => `  ${file}`),
        '',
        'Next:',
        `  cd ${name}`,
        '  npm install',
        '  npm test',
        '  npx pantheon dev     # an offline mock model unless OPENAI_API_KEY is set',
        '',
      ].join('\n'),
    );
  });

  it('depends on the running versions of Pantheon, at ranges npm installs', async () => {
    const { dir } = await scaffold(cli);
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    const coreVersion = (
      JSON.parse(
        readFileSync(new URL('../../../pantheon-core/package.json', import.meta.url), 'utf8'),
      ) as { version: string }
    ).version;
    expect(manifest).toEqual({
      name: relative(dirname(dir), dir),
      version: '0.1.0',
      private: true,
      type: 'module',
      engines: { node: '>=22' },
      scripts: {
        dev: 'pantheon dev',
        start: 'pantheon start',
        test: 'vitest run',
        typecheck: 'tsc',
      },
      dependencies: {
        '@promethean-os/pantheon': `^${packageJson.version}`,
        '@promethean-os/pantheon-core': `^${coreVersion}`,
        zod: packageJson.dependencies.zod,
      },
      devDependencies: {
        '@promethean-os/pantheon-test': `^${coreVersion}`,
        // The toolchain this repository tests with.
        '@types/node': repoPackageJson.devDependencies['@types/node'],
        typescript: repoPackageJson.devDependencies.typescript,
        vitest: repoPackageJson.devDependencies.vitest,
      },
    });
  });

  it('writes a configuration that loads, naming an app that loads and answers', async () => {
    const { dir } = await scaffold(cli);
    const config = await loadConfig({ cwd: dir, env: {} });
    expect(config.entry).toBe(join(dir, 'src/app.ts'));
    expect(config.adapters.llm).toEqual({ type: 'openai', model: 'gpt-5.4-mini' });
    expect(config.adapters.persistence).toEqual({ type: 'memory' });

    const app = await loadApp(config.entry!);
    expect(app.actors?.map((actor) => actor.id)).toEqual(['assistant']);
    expect(app.tools?.map((tool) => tool.name)).toEqual(['current-time']);
    const llm = new MockLlmAdapter().setResponse({ role: 'assistant', content: 'Hello!' });
    const pantheon = await startApp(config, app, { llm, log: () => {} });
    try {
      expect((await pantheon.ask('assistant', 'Hi')).content).toBe('Hello!');
    } finally {
      await pantheon.shutdown();
    }
  });

  it('writes the Dockerfile of docs/deployment.md: two stages, the node user, its health check', async () => {
    const { dir } = await scaffold(cli);
    const dockerfile = readFileSync(join(dir, 'Dockerfile'), 'utf8');
    const instructions = (text: string, name: string) =>
      text.match(new RegExp(`^${name} .*(?:\\\\\\n.*)*$`, 'gm')) ?? [];
    const documented = /```dockerfile\n([\s\S]*?)```/.exec(deploymentDoc)?.[1] ?? '';
    expect(documented).not.toBe('');
    for (const name of ['HEALTHCHECK', 'CMD', 'USER', 'EXPOSE', 'STOPSIGNAL', 'ENV']) {
      expect(instructions(dockerfile, name), name).toEqual(instructions(documented, name));
    }
    expect(instructions(dockerfile, 'FROM')).toEqual([
      'FROM node:22-bookworm-slim AS build',
      'FROM node:22-bookworm-slim',
    ]);
    // The image copies what `pantheon start` runs: the TypeScript configuration and sources.
    expect(dockerfile).toContain('/app/pantheon.config.ts');
    expect(dockerfile).toContain('COPY --from=build --chown=node:node /app/src ./src');
  });

  it('takes the package name from --name, or from the folder made npm-safe', async () => {
    const named = await scaffold(cli, ['--name', 'time-desk']);
    expect(JSON.parse(readFileSync(join(named.dir, 'package.json'), 'utf8')).name).toBe(
      'time-desk',
    );
    const dir = join(dirname(cli.bin), 'My Time App!');
    const result = await runCommand(cli, ['init', 'My Time App!'], { cwd: dirname(cli.bin) });
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).name).toBe('my-time-app');
    expect(result.stdout).toContain('  cd "My Time App!"\n');
  });

  it('writes into the current folder without an argument, and into one holding only .git', async () => {
    const dir = newAppPath(cli);
    mkdirSync(join(dir, '.git'), { recursive: true });
    writeFileSync(join(dir, '.git', 'HEAD'), 'ref: refs/heads/main\n');
    const result = await runCommand(cli, ['init'], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).not.toContain('  cd ');
    expect(filesUnder(dir)).toEqual([...EXPECTED_FILES, '.git/HEAD'].sort());
  });

  it('--help explains it', async () => {
    const result = await runCommand(cli, ['init', '--help'], { cwd: dirname(cli.bin) });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: pantheon init \[dir\] \[options\]/);
    expect(result.stdout).toContain('--force');
    expect(result.stdout).toContain('--name <name>');
  });
});

describe('pantheon init refuses, saying what to do, and writes nothing', () => {
  it('a folder that is not empty: INIT_TARGET_INVALID; --force writes into it, keeping other files', async () => {
    const dir = newAppPath(cli);
    mkdirSync(dir);
    writeFileSync(join(dir, 'notes.md'), 'my notes\n');
    writeFileSync(join(dir, 'package.json'), '{ "name": "mine" }\n');
    const before = snapshot(dir);

    const refused = await runCommand(cli, ['init', dir], { cwd: dirname(dir) });
    expectUserError(refused, 'INIT_TARGET_INVALID', 1);
    expect(refused.stderr).toContain(`${dir} is not empty (notes.md, package.json)`);
    expect(refused.stderr).toContain('pass --force');
    expect(snapshot(dir)).toEqual(before);

    const forced = await runCommand(cli, ['init', dir, '--force'], { cwd: dirname(dir) });
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stdout).toContain('  package.json  (replaced)\n');
    expect(filesUnder(dir)).toEqual([...EXPECTED_FILES, 'notes.md'].sort());
    expect(readFileSync(join(dir, 'notes.md'), 'utf8')).toBe('my notes\n');
    expect(JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).name).toBe(
      relative(dirname(dir), dir),
    );
  });

  it('a file: INIT_TARGET_INVALID, the file untouched', async () => {
    const file = newAppPath(cli);
    writeFileSync(file, 'not a folder\n');
    const result = await runCommand(cli, ['init', file], { cwd: dirname(file) });
    expectUserError(result, 'INIT_TARGET_INVALID', 1);
    expect(result.stderr).toContain(`${file} is a file, not a folder`);
    expect(readFileSync(file, 'utf8')).toBe('not a folder\n');
  });

  it('a folder that cannot be created: INIT_TARGET_INVALID naming the reason', async () => {
    const file = newAppPath(cli);
    writeFileSync(file, 'a file where a folder should be\n');
    const result = await runCommand(cli, ['init', join(file, 'app')], { cwd: dirname(file) });
    expectUserError(result, 'INIT_TARGET_INVALID', 1);
    expect(result.stderr).toContain(`Cannot write the app into ${join(file, 'app')}`);
    expect(result.stderr).toContain('ENOTDIR');
    expect(statSync(file).isFile()).toBe(true);
  });

  it('an invalid package name: CLI_USAGE, exit 2', async () => {
    const dir = newAppPath(cli);
    const [upper, unnamed, extra] = await Promise.all([
      runCommand(cli, ['init', dir, '--name', 'My_App'], { cwd: dirname(dir) }),
      runCommand(cli, ['init', join(dirname(dir), '__')], { cwd: dirname(dir) }),
      runCommand(cli, ['init', dir, 'other'], { cwd: dirname(dir) }),
    ]);
    expectUserError(upper, 'CLI_USAGE', 2);
    expect(upper.stderr).toContain('--name "My_App" is not a valid npm package name');
    expectUserError(unnamed, 'CLI_USAGE', 2);
    expect(unnamed.stderr).toContain('pass --name <name>');
    expectUserError(extra, 'CLI_USAGE', 2);
    expect(extra.stderr).toContain('pantheon init takes 0 to 1 argument, got 2');
    expect(existsSync(dir)).toBe(false);
    expect(existsSync(join(dirname(dir), '__'))).toBe(false);
  });
});
