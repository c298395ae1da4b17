import type { z } from 'zod';
import { DEFAULT_CONFIG } from './config-defaults';
import { type Environment, environmentLayers, redactUrl } from './config-environment';
import { type ConfigIssue, invalidConfig } from './config-errors';
import { findConfigFile, readConfigFile } from './config-file';
import { type ConfigLayer, type ConfigSource, mergeLayers, sourceOf } from './config-layers';
import {
  type PantheonConfig,
  type PantheonConfigInput,
  PantheonConfigSchema,
} from './config-schema';

/** Options of `loadConfig`. */
export interface LoadConfigOptions {
  /** Where to look for the file and resolve relative paths of variables. Default `process.cwd()`. */
  cwd?: string;
  /**
   * The configuration file; a missing one is `CONFIG_NOT_FOUND`. Default: the one of
   * `pantheon.config.ts`, `.mts`, `.js`, `.mjs` or `.json` in `cwd`, if any.
   */
  file?: string;
  /** The environment variables. Default `process.env`. */
  env?: Environment;
}

/** A loaded configuration and the file it came from. */
export interface LoadedConfig {
  config: PantheonConfig;
  /** The configuration file read, when there was one. */
  file: string | undefined;
}

const DISCRIMINATED = new Map([
  ['adapters.context.type', 'memory, elasticsearch'],
  ['adapters.llm.type', 'mock, openai, claude'],
  ['adapters.persistence.type', 'memory, sqlite, postgres'],
  ['adapters.bus.type', 'memory, nats'],
]);

/** A value as an error message shows it: JSON, a URL's password masked. */
function shown(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(redactUrl(value)) : JSON.stringify(value);
}

/** What to do about a required field that no layer set, when more than "set it" helps. */
const MISSING = new Map([
  [
    'cluster.name',
    'missing: name the cluster (cluster.name or PANTHEON_CLUSTER_NAME), the same in every process',
  ],
]);

function issueMessage(issue: z.core.$ZodIssue, field: string, value: unknown): string {
  if (issue.code === 'unrecognized_keys') return 'unknown key';
  if (value === undefined) return MISSING.get(field) ?? 'missing: a value is required';
  const choices = DISCRIMINATED.get(field);
  if (choices !== undefined && issue.code === 'invalid_union') {
    return `expected one of ${choices}, got ${shown(value)}`;
  }
  if (issue.code === 'invalid_type') return `expected ${issue.expected}, got ${shown(value)}`;
  if (issue.code === 'invalid_value') {
    return `expected one of ${issue.values.map((choice) => String(choice)).join(', ')}, got ${shown(value)}`;
  }
  return `${issue.message}, got ${shown(value)}`;
}

function valueAt(values: unknown, path: readonly PropertyKey[]): unknown {
  let at = values;
  for (const key of path) {
    if (typeof at !== 'object' || at === null) return undefined;
    at = (at as Record<PropertyKey, unknown>)[key];
  }
  return at;
}

/**
 * Merges the layers over the defaults and validates the result: any invalid value, missing
 * field or unknown key is one `ConfigError` `CONFIG_INVALID` naming each field and its source.
 */
function validate(layers: readonly ConfigLayer[], extra: readonly ConfigIssue[]): PantheonConfig {
  const merged = mergeLayers([
    { source: { kind: 'default' }, values: structuredClone(DEFAULT_CONFIG) },
    ...layers,
  ]);
  const parsed = PantheonConfigSchema.safeParse(merged.values);
  const issues = [...extra];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const keys = issue.code === 'unrecognized_keys' ? issue.keys : [undefined];
      for (const key of keys) {
        const path = key === undefined ? issue.path : [...issue.path, key];
        const field = path.map(String).join('.') || '(root)';
        const source: ConfigSource = sourceOf(merged.sources, field) ?? { kind: 'default' };
        issues.push({
          field,
          source,
          message: issueMessage(issue, field, valueAt(merged.values, path)),
        });
      }
    }
  }
  if (issues.length > 0) throw invalidConfig(issues);
  return (parsed as { data: PantheonConfig }).data;
}

/**
 * Loads the configuration: the defaults, then the file (`pantheon.config.ts`, `.mts`, `.js`,
 * `.mjs` or `.json` in `cwd`, or `options.file`), then the `PANTHEON_*` environment variables —
 * each over the one before. A `.ts` file is compiled with tsx. Relative paths (`entry`, a SQLite
 * `file`) are resolved next to the file, or in `cwd` for variables.
 *
 * API keys are never read here: `createPantheon` takes them from `OPENAI_API_KEY` or
 * `ANTHROPIC_API_KEY`, and a secret in the file is refused.
 *
 * @throws ConfigError `CONFIG_INVALID` naming every invalid field and where it came from (the
 * file, a variable, the default), `CONFIG_NOT_FOUND` for a missing `options.file`. Nothing is
 * returned then: no part of an invalid configuration is applied.
 *
 * @example
 * const config = await loadConfig(); // ./pantheon.config.ts, then PANTHEON_* variables
 * const pantheon = await createPantheon(config, { scripts: [supportScript] });
 */
export async function loadConfig(options: LoadConfigOptions = {}): Promise<PantheonConfig> {
  return (await loadConfigWithFile(options)).config;
}

/** `loadConfig`, also saying which file it read. */
export async function loadConfigWithFile(options: LoadConfigOptions = {}): Promise<LoadedConfig> {
  const cwd = options.cwd ?? process.cwd();
  const file = findConfigFile(cwd, options.file);
  const layers = file === undefined ? [] : [await readConfigFile(file)];
  const environment = environmentLayers(options.env ?? process.env, cwd);
  const refused = environment.refused.map(
    (entry): ConfigIssue => ({
      field: entry.field,
      source: { kind: 'environment', variable: entry.variable },
      message: entry.reason,
    }),
  );
  return { config: validate([...layers, ...environment.layers], refused), file };
}

/**
 * A configuration given in code (`createPantheon`'s argument) over the defaults, validated like
 * a file; no file or variable is read.
 */
export function resolveConfig(input: PantheonConfigInput | PantheonConfig): PantheonConfig {
  return validate([{ source: { kind: 'argument' }, values: { ...input } }], []);
}

/**
 * Types a configuration file: returns `config` as it is.
 *
 * @example
 * // pantheon.config.ts
 * import { defineConfig } from '@promethean-os/pantheon';
 *
 * export default defineConfig({
 *   entry: './src/app.ts',
 *   adapters: { llm: { type: 'openai', model: 'gpt-5.4-mini' }, persistence: { type: 'sqlite', file: './pantheon.db' } },
 * });
 */
export function defineConfig(config: PantheonConfigInput): PantheonConfigInput {
  return config;
}
