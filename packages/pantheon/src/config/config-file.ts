import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, extname, isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError, PantheonError } from '@promethean-os/pantheon-core';
import { invalidConfig } from './config-errors';
import { type ConfigLayer, isPlainObject } from './config-layers';

/** The names `loadConfig` looks for in the working directory, in this order. */
export const CONFIG_FILE_NAMES = [
  'pantheon.config.ts',
  'pantheon.config.mts',
  'pantheon.config.js',
  'pantheon.config.mjs',
  'pantheon.config.json',
] as const;

const TYPESCRIPT = new Set(['.ts', '.mts', '.cts']);
const JAVASCRIPT = new Set(['.js', '.mjs', '.cjs']);

/** Key names that hold secrets: refused in a file, which ends up in version control and images. */
const SECRET_KEY = /^(api[-_]?key|secret|password|token)$/i;

/**
 * The configuration file to read: `file` when given (`CONFIG_NOT_FOUND` when it does not exist),
 * else the one of `CONFIG_FILE_NAMES` in `cwd` (two of them is `CONFIG_INVALID`), else none.
 */
export function findConfigFile(cwd: string, file?: string): string | undefined {
  if (file !== undefined) {
    const path = isAbsolute(file) ? file : resolve(cwd, file);
    if (!existsSync(path)) {
      throw new ConfigError(
        `Configuration file ${path} does not exist`,
        { file: path },
        { code: 'CONFIG_NOT_FOUND' },
      );
    }
    return path;
  }
  const found = CONFIG_FILE_NAMES.map((name) => join(cwd, name)).filter((path) => existsSync(path));
  if (found.length > 1) {
    throw new ConfigError(
      `Found ${found.length} configuration files in ${cwd} (${found.map((path) => path.slice(cwd.length + 1)).join(', ')}): keep one, or choose with --config`,
      { files: found },
      { code: 'CONFIG_INVALID' },
    );
  }
  return found[0];
}

/** Reads the file's configuration object as a layer, its relative paths resolved next to it. */
export async function readConfigFile(path: string): Promise<ConfigLayer> {
  const source = { kind: 'file', path } as const;
  const values = await loadValues(path);
  if (!isPlainObject(values)) {
    throw invalidConfig([
      {
        field: '(root)',
        source,
        message: `expected the file to ${extname(path) === '.json' ? 'hold' : 'export default'} a configuration object`,
      },
    ]);
  }
  const secrets = secretFields(values, '');
  if (secrets.length > 0) {
    throw invalidConfig(
      secrets.map((field) => ({
        field,
        source,
        message:
          'secrets are not read from files (they end up in version control and images): remove it and set the environment variable instead (OPENAI_API_KEY, ANTHROPIC_API_KEY, PANTHEON_API_TOKEN; a database password goes in PANTHEON_PERSISTENCE_URL)',
      })),
    );
  }
  return { source, values: withResolvedPaths(values, dirname(path)) };
}

async function loadValues(path: string): Promise<unknown> {
  const extension = extname(path);
  try {
    if (extension === '.json') return JSON.parse(await readFile(path, 'utf8'));
    let module: { default?: unknown };
    if (TYPESCRIPT.has(extension)) {
      // tsx compiles the file (and what it imports) in a namespace of its own: no loader stays
      // registered in the process.
      const { tsImport } = await import('tsx/esm/api');
      module = await tsImport(pathToFileURL(path).href, import.meta.url);
    } else if (JAVASCRIPT.has(extension)) {
      module = await import(pathToFileURL(path).href);
    } else {
      throw new ConfigError(
        `Configuration file ${path} must end in .ts, .mts, .cts, .js, .mjs, .cjs or .json`,
        { file: path },
        { code: 'CONFIG_INVALID' },
      );
    }
    return defaultExport(module);
  } catch (error) {
    if (PantheonError.isInstance(error)) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConfigError(
      `Configuration file ${path} could not be loaded: ${reason}`,
      { file: path },
      { code: 'CONFIG_INVALID', cause: error },
    );
  }
}

/**
 * The module's default export. A module compiled to CommonJS (a `.ts` file in a folder whose
 * package.json is not `"type": "module"`) arrives as `{ default: { default: … } }`: unwrapped.
 */
export function defaultExport(module: { default?: unknown }): unknown {
  const value = module.default;
  if (
    isPlainObject(value) &&
    'default' in value &&
    Object.keys(value).every((key) => key === 'default' || key === '__esModule')
  ) {
    return value.default;
  }
  return value;
}

function secretFields(values: Record<string, unknown>, prefix: string): string[] {
  return Object.entries(values).flatMap(([key, value]) => {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    if (SECRET_KEY.test(key)) return [path];
    return isPlainObject(value) ? secretFields(value, path) : [];
  });
}

/** `entry` and a SQLite `file` are relative to the configuration file's folder. */
function withResolvedPaths(values: Record<string, unknown>, folder: string) {
  const resolved = { ...values };
  if (typeof resolved.entry === 'string' && resolved.entry !== '')
    resolved.entry = resolve(folder, resolved.entry);
  const adapters = resolved.adapters;
  if (isPlainObject(adapters) && isPlainObject(adapters.persistence)) {
    const persistence = adapters.persistence;
    if (
      persistence.type === 'sqlite' &&
      typeof persistence.file === 'string' &&
      persistence.file !== '' &&
      persistence.file !== ':memory:'
    ) {
      resolved.adapters = {
        ...adapters,
        persistence: { ...persistence, file: resolve(folder, persistence.file) },
      };
    }
  }
  return resolved;
}
