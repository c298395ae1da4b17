import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@promethean-os/pantheon-core';
import { afterAll, describe, expect, it } from 'vitest';
import { TEST_APP } from '../cli/built-cli.test-support';
import { checkApp, loadApp } from './load-app';

const dir = mkdtempSync(join(tmpdir(), 'pantheon-app-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function module(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

async function refusal(entry: string) {
  const error = await loadApp(entry).catch((caught: unknown) => caught);
  expect(ConfigError.isInstance(error)).toBe(true);
  expect(error).toMatchObject({ code: 'APP_INVALID', details: { entry } });
  return error as ConfigError;
}

describe('loadApp', () => {
  it('loads a TypeScript app module and its actors', async () => {
    const app = await loadApp(TEST_APP);
    expect(app.actors?.map((actor) => actor.id)).toEqual(['echo', 'slow']);
  });

  it('loads a JavaScript module', async () => {
    const entry = module('app.mjs', 'export default { actors: [], setup() {} };\n');
    expect(Object.keys(await loadApp(entry))).toEqual(['actors', 'setup']);
  });

  it('is APP_INVALID for a module that is missing, throws, or exports no app', async () => {
    expect((await refusal(join(dir, 'missing.ts'))).message).toContain('does not exist');
    const throwing = module('throwing.mjs', 'throw new Error("broken app");\n');
    expect((await refusal(throwing)).message).toContain('could not be loaded: broken app');
    const named = module('named.mjs', 'export const app = {};\n');
    expect((await refusal(named)).message).toContain(
      'has no default export: export default defineApp({ actors: [...] })',
    );
  });

  it('passes on a typed error the module throws while loading, with its own code', async () => {
    const entry = module(
      'refusing.mjs',
      [
        "import { ConfigError } from '@promethean-os/pantheon-core';",
        "throw new ConfigError('orders.csv:3: the row has 1 field', { file: 'orders.csv', line: 3 }, { code: 'CONFIG_INVALID' });",
        '',
      ].join('\n'),
    );
    const error = await loadApp(entry).catch((caught: unknown) => caught);
    expect(ConfigError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({
      code: 'CONFIG_INVALID',
      message: 'orders.csv:3: the row has 1 field',
      details: { file: 'orders.csv', line: 3 },
    });
  });

  it('names every wrong field of the app', () => {
    const error = (() => {
      try {
        checkApp(
          {
            actors: [{ id: '', script: 'support', goals: 'help', extra: 1 }],
            tools: {},
            offlineModel: {},
            setup: 'later',
            routes: [],
          },
          '/app/src/app.ts',
        );
      } catch (caught) {
        return caught as ConfigError;
      }
      throw new Error('expected APP_INVALID');
    })();
    expect(error.code).toBe('APP_INVALID');
    const fields = (error.details as { issues: { field: string }[] }).issues.map(
      (issue) => issue.field,
    );
    expect(fields.sort()).toEqual([
      'actors.0.extra',
      'actors.0.goals',
      'actors.0.id',
      'actors.0.script',
      'offlineModel',
      'routes',
      'setup',
      'tools',
    ]);
    expect(error.message).toMatch(
      /^The app module \/app\/src\/app\.ts does not export a valid app/,
    );
  });
});
