import { existsSync } from 'node:fs';
import { extname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError, PantheonError } from '@promethean-os/pantheon-core';
import { errorMessage } from '@promethean-os/pantheon-core/adapter-kit';
import { z } from 'zod';
import { defaultExport } from '../config/config-file';
import type { PantheonApp } from './define-app';

const isObject = (value: unknown) => typeof value === 'object' && value !== null;
const isFunction = (value: unknown) => typeof value === 'function';

const AppSchema = z.strictObject({
  actors: z
    .array(
      z.strictObject({
        id: z.string().min(1),
        name: z.string().min(1).optional(),
        script: z.custom(isObject, 'expected an ActorScript'),
        goals: z.array(z.string()),
        metadata: z.record(z.string(), z.unknown()).optional(),
        declaredActors: z.array(z.string()).optional(),
        start: z.boolean().optional(),
        intervalMs: z.number().int().positive().optional(),
      }),
    )
    .optional(),
  scripts: z.array(z.custom(isObject, 'expected an ActorScript')).optional(),
  tools: z.array(z.custom(isObject, 'expected a ToolSpec')).optional(),
  offlineModel: z
    .custom((value) => isObject(value) && isFunction((value as { complete?: unknown }).complete), {
      message: 'expected an LlmPort (an object with complete)',
    })
    .optional(),
  setup: z.custom(isFunction, 'expected a function').optional(),
});

const TYPESCRIPT = new Set(['.ts', '.mts', '.cts', '.tsx']);
let typescriptLoader: Promise<unknown> | undefined;

function invalidApp(
  entry: string,
  message: string,
  details: Record<string, unknown> = {},
  cause?: unknown,
) {
  return new ConfigError(
    `The app module ${entry} ${message}`,
    { entry, ...details },
    { code: 'APP_INVALID', cause },
  );
}

/**
 * Checks that `value` is an app (the default export of `defineApp`); `APP_INVALID` naming each
 * wrong field otherwise.
 */
export function checkApp(value: unknown, entry: string): PantheonApp {
  const parsed = AppSchema.safeParse(value);
  if (parsed.success) return value as PantheonApp;
  const issues = parsed.error.issues.flatMap((issue) => {
    const keys = issue.code === 'unrecognized_keys' ? issue.keys : [undefined];
    return keys.map((key) => {
      const path = key === undefined ? issue.path : [...issue.path, key];
      const field = path.map(String).join('.') || '(default export)';
      return { field, message: key === undefined ? issue.message : 'unknown key' };
    });
  });
  const lines = issues.map((issue) => `  - ${issue.field}: ${issue.message}`).join('\n');
  throw invalidApp(entry, `does not export a valid app (defineApp):\n${lines}`, { issues });
}

/**
 * Imports the app module at `entry` (an absolute path) and returns its default export, checked.
 * A TypeScript module is compiled by tsx, registered once in this process so that the app and
 * Pantheon share one copy of every package. A `PantheonError` the module throws while it loads
 * (an app's own typed refusal, e.g. a data file it cannot read) is rethrown as it is; any other
 * failure is `APP_INVALID`.
 */
export async function loadApp(entry: string): Promise<PantheonApp> {
  if (!existsSync(entry))
    throw invalidApp(entry, 'does not exist: check entry in the configuration');
  let module: { default?: unknown };
  try {
    if (TYPESCRIPT.has(extname(entry))) {
      typescriptLoader ??= import('tsx/esm/api').then(({ register }) => register());
      await typescriptLoader;
    }
    module = await import(pathToFileURL(entry).href);
  } catch (error) {
    // The app's own typed refusal (e.g. a data file it cannot read) already says what to fix.
    if (PantheonError.isInstance(error)) throw error;
    throw invalidApp(entry, `could not be loaded: ${errorMessage(error)}`, {}, error);
  }
  const app = defaultExport(module);
  if (app === undefined) {
    throw invalidApp(entry, 'has no default export: export default defineApp({ actors: [...] })');
  }
  return checkApp(app, entry);
}
