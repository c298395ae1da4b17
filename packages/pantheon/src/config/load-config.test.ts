import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, PantheonError } from '@promethean-os/pantheon-core';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from './config-defaults';
import type { ConfigIssue } from './config-errors';
import { defineConfig, loadConfig, loadConfigWithFile, resolveConfig } from './load-config';

const root = mkdtempSync(join(tmpdir(), 'pantheon-config-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let count = 0;
/** A fresh folder holding `files` (name → content). */
function folder(files: Record<string, string> = {}): string {
  const dir = join(root, `app-${count++}`);
  mkdirSync(dir);
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return dir;
}

const json = (value: unknown) => JSON.stringify(value, null, 2);

/** The `ConfigError` `loadConfig` rejects with (failing when it resolves). */
async function refusal(promise: Promise<unknown>): Promise<ConfigError> {
  const error = await promise.then(
    (value) => {
      throw new Error(`expected a ConfigError, got ${JSON.stringify(value)}`);
    },
    (caught: unknown) => caught,
  );
  expect(ConfigError.isInstance(error)).toBe(true);
  return error as ConfigError;
}

function issues(error: ConfigError): ConfigIssue[] {
  expect(error.code).toBe('CONFIG_INVALID');
  return (error.details as { issues: ConfigIssue[] }).issues;
}

describe('loadConfig merges defaults ← file ← environment', () => {
  it('is the defaults without a file or variables', async () => {
    const loaded = await loadConfigWithFile({ cwd: folder(), env: {} });
    expect(loaded).toEqual({ config: DEFAULT_CONFIG, file: undefined });
    expect(loaded.config).not.toBe(DEFAULT_CONFIG);
  });

  it('takes a JSON file over the defaults, field by field, with relative paths next to the file', async () => {
    const dir = folder({
      'pantheon.config.json': json({
        environment: 'production',
        entry: './src/app.ts',
        logging: { level: 'warn' },
        adapters: { persistence: { type: 'sqlite', file: './data/app.db' } },
        limits: { mailboxCapacity: 50, maxActionsPerTick: 5 },
        supervision: { maxFailures: 2 },
        http: { port: 8080 },
      }),
    });
    const loaded = await loadConfigWithFile({ cwd: dir, env: {} });
    expect(loaded.file).toBe(join(dir, 'pantheon.config.json'));
    expect(loaded.config).toEqual({
      ...DEFAULT_CONFIG,
      environment: 'production',
      entry: join(dir, 'src/app.ts'),
      logging: { level: 'warn', format: 'json' },
      adapters: {
        ...DEFAULT_CONFIG.adapters,
        persistence: { type: 'sqlite', file: join(dir, 'data/app.db') },
      },
      limits: { mailboxCapacity: 50, maxActionsPerTick: 5 },
      supervision: { maxFailures: 2 },
      http: { host: '127.0.0.1', port: 8080 },
    });
  });

  it('takes the variables over the file', async () => {
    const dir = folder({
      'pantheon.config.json': json({
        logging: { level: 'warn', format: 'pretty' },
        adapters: { llm: { type: 'claude', model: 'claude-x', maxTokens: 100 } },
        http: { port: 8080 },
      }),
    });
    const config = await loadConfig({
      cwd: dir,
      env: {
        PANTHEON_ENV: 'test',
        PANTHEON_ENTRY: 'app.js',
        PANTHEON_LOG_LEVEL: 'debug',
        PANTHEON_LLM_PROVIDER: 'openai',
        PANTHEON_LLM_MODEL: 'gpt-5.4-mini',
        PANTHEON_LLM_BASE_URL: 'http://127.0.0.1:11434/v1',
        PANTHEON_PERSISTENCE_URL: 'postgres://app:secret@db:5432/app',
        PANTHEON_BUS_URL: 'nats://nats:4222,nats://nats-2:4222',
        PANTHEON_CONTEXT_URL: 'memory:',
        PANTHEON_HOST: '0.0.0.0',
        PANTHEON_PORT: '9000',
        PANTHEON_SHUTDOWN_TIMEOUT_MS: '25000',
        PANTHEON_LOG_FORMAT: ' ',
      },
    });
    expect(config).toEqual({
      environment: 'test',
      entry: join(dir, 'app.js'),
      // An empty variable counts as unset: the file's format stays.
      logging: { level: 'debug', format: 'pretty' },
      adapters: {
        context: { type: 'memory' },
        // Another type replaces the file's section: claude's model and maxTokens are gone.
        llm: { type: 'openai', model: 'gpt-5.4-mini', baseURL: 'http://127.0.0.1:11434/v1' },
        persistence: { type: 'postgres', url: 'postgres://app:secret@db:5432/app' },
        bus: { type: 'nats', url: 'nats://nats:4222,nats://nats-2:4222' },
      },
      limits: {},
      supervision: {},
      http: { host: '0.0.0.0', port: 9000 },
      shutdown: { timeoutMs: 25_000 },
    });
  });

  it('keeps the fields of a section whose type a variable repeats', async () => {
    const dir = folder({
      'pantheon.config.json': json({
        adapters: {
          persistence: {
            type: 'postgres',
            url: 'postgres://localhost/dev',
            schema: 'support',
            poolSize: 4,
          },
          bus: { type: 'nats', url: 'nats://localhost:4222', stream: 'support' },
        },
      }),
    });
    const config = await loadConfig({
      cwd: dir,
      env: {
        PANTHEON_PERSISTENCE_URL: 'postgresql://db/prod',
        PANTHEON_BUS_URL: 'nats://nats:4222',
      },
    });
    expect(config.adapters.persistence).toEqual({
      type: 'postgres',
      url: 'postgresql://db/prod',
      schema: 'support',
      poolSize: 4,
    });
    expect(config.adapters.bus).toEqual({
      type: 'nats',
      url: 'nats://nats:4222',
      stream: 'support',
    });
  });

  it('reads sqlite: and memory: URLs, relative to the working directory', async () => {
    const dir = folder({
      'pantheon.config.json': json({ adapters: { persistence: { type: 'sqlite', file: 'a.db' } } }),
    });
    const sqlite = await loadConfig({
      cwd: dir,
      env: { PANTHEON_PERSISTENCE_URL: 'sqlite:./b.db' },
    });
    expect(sqlite.adapters.persistence).toEqual({ type: 'sqlite', file: join(dir, 'b.db') });
    const absolute = await loadConfig({
      cwd: dir,
      env: { PANTHEON_PERSISTENCE_URL: 'sqlite:///var/c.db' },
    });
    expect(absolute.adapters.persistence).toEqual({ type: 'sqlite', file: '/var/c.db' });
    const throwaway = await loadConfig({
      cwd: dir,
      env: { PANTHEON_PERSISTENCE_URL: 'sqlite::memory:' },
    });
    expect(throwaway.adapters.persistence).toEqual({ type: 'sqlite', file: ':memory:' });
    const memory = await loadConfig({ cwd: dir, env: { PANTHEON_PERSISTENCE_URL: 'memory:' } });
    expect(memory.adapters.persistence).toEqual({ type: 'memory' });
    const elastic = await loadConfig({
      cwd: folder(),
      env: { PANTHEON_CONTEXT_URL: 'https://es.internal:9200' },
    });
    expect(elastic.adapters.context).toEqual({
      type: 'elasticsearch',
      node: 'https://es.internal:9200',
    });
  });

  it('loads a TypeScript file with defineConfig (ESM or CommonJS folder), a .mjs and a .js file', async () => {
    const typescript = `import { defineConfig } from '@promethean-os/pantheon';
const port: number = 4000;
export default defineConfig({ http: { port }, adapters: { bus: { type: 'nats', url: 'nats://127.0.0.1:4222' } } });
`;
    const esm = folder({
      'package.json': json({ type: 'module' }),
      'pantheon.config.ts': typescript,
    });
    const commonjs = folder({ 'pantheon.config.ts': typescript });
    for (const dir of [esm, commonjs]) {
      const config = await loadConfig({ cwd: dir, env: {} });
      expect(config.http.port).toBe(4000);
      expect(config.adapters.bus).toEqual({ type: 'nats', url: 'nats://127.0.0.1:4222' });
    }
    const mjs = folder({ 'pantheon.config.mjs': 'export default { environment: "test" };\n' });
    expect((await loadConfig({ cwd: mjs, env: {} })).environment).toBe('test');
    const js = folder({
      'package.json': json({ type: 'module' }),
      'settings.js': 'export default { http: { port: 5000 } };\n',
    });
    expect((await loadConfig({ cwd: js, file: 'settings.js', env: {} })).http.port).toBe(5000);
  });

  it('types a configuration with defineConfig and returns it as given', () => {
    const input = { adapters: { llm: { type: 'mock' as const } } };
    expect(defineConfig(input)).toBe(input);
  });

  it('validates a configuration given in code the same way (resolveConfig)', () => {
    expect(resolveConfig({ http: { port: 1234 } }).http).toEqual({ host: '127.0.0.1', port: 1234 });
    const error = (() => {
      try {
        resolveConfig({ http: { port: -1 } });
      } catch (caught) {
        return caught as ConfigError;
      }
      throw new Error('expected a ConfigError');
    })();
    expect(issues(error)).toEqual([
      {
        field: 'http.port',
        source: { kind: 'argument' },
        message: 'Too small: expected number to be >=0, got -1',
      },
    ]);
    expect(error.message).toContain('http.port (from the configuration given in code)');
  });
});

describe('an invalid configuration is one ConfigError naming each field and its source', () => {
  it('an unknown key, at any depth, in the file', async () => {
    const dir = folder({
      'pantheon.config.json': json({
        logs: { level: 'info' },
        adapters: { llm: { type: 'openai', temperature: 0.2 }, cache: { type: 'memory' } },
      }),
    });
    const file = { kind: 'file', path: join(dir, 'pantheon.config.json') };
    const found = issues(await refusal(loadConfig({ cwd: dir, env: {} })));
    expect(found.sort((a, b) => a.field.localeCompare(b.field))).toEqual([
      { field: 'adapters.cache', source: file, message: 'unknown key' },
      { field: 'adapters.llm.temperature', source: file, message: 'unknown key' },
      { field: 'logs', source: file, message: 'unknown key' },
    ]);
  });

  it('a value of the wrong type or out of range in the file', async () => {
    const dir = folder({
      'pantheon.config.json': json({
        environment: 'staging',
        logging: { format: 'xml' },
        limits: { mailboxCapacity: 0, tickTimeoutMs: 1.5 },
        supervision: { backoffMs: 'fast' },
        http: { port: 70_000 },
        shutdown: { timeoutMs: null },
      }),
    });
    const file = { kind: 'file', path: join(dir, 'pantheon.config.json') };
    const error = await refusal(loadConfig({ cwd: dir, env: {} }));
    expect(issues(error)).toEqual([
      {
        field: 'environment',
        source: file,
        message: 'expected one of development, production, test, got "staging"',
      },
      { field: 'logging.format', source: file, message: 'expected one of json, pretty, got "xml"' },
      {
        field: 'limits.mailboxCapacity',
        source: file,
        message: 'Too small: expected number to be >0, got 0',
      },
      { field: 'limits.tickTimeoutMs', source: file, message: 'expected int, got 1.5' },
      { field: 'supervision.backoffMs', source: file, message: 'expected number, got "fast"' },
      {
        field: 'http.port',
        source: file,
        message: 'Too big: expected number to be <=65535, got 70000',
      },
      { field: 'shutdown.timeoutMs', source: file, message: 'expected number, got null' },
    ]);
    expect(error.message).toBe(
      [
        'Invalid Pantheon configuration:',
        ...issues(error).map(
          (issue) => `  - ${issue.field} (from file ${file.path}): ${issue.message}`,
        ),
        'See docs/configuration.md for every field and variable.',
      ].join('\n'),
    );
  });

  it('an unknown adapter type, a missing field, a malformed URL', async () => {
    const dir = folder({
      'pantheon.config.json': json({
        adapters: {
          context: { type: 'redis' },
          llm: { type: 'openai', baseURL: 'not a url' },
          persistence: { type: 'postgres' },
          bus: { type: 'nats', url: 'http://nats:4222', stream: 'a.b' },
        },
      }),
    });
    const file = { kind: 'file', path: join(dir, 'pantheon.config.json') };
    expect(issues(await refusal(loadConfig({ cwd: dir, env: {} })))).toEqual([
      {
        field: 'adapters.context.type',
        source: file,
        message: 'expected one of memory, elasticsearch, got "redis"',
      },
      {
        field: 'adapters.llm.baseURL',
        source: file,
        message: 'expected a http:// or https:// URL, got "not a url"',
      },
      { field: 'adapters.persistence.url', source: file, message: 'missing: a value is required' },
      {
        field: 'adapters.bus.url',
        source: file,
        message:
          'expected nats:// (or tls://, ws://, wss://) URLs, comma-separated, got "http://nats:4222"',
      },
      {
        field: 'adapters.bus.stream',
        source: file,
        message: 'expected letters, digits, "_" or "-", got "a.b"',
      },
    ]);
  });

  it('a variable that cannot be read, or whose value is invalid', async () => {
    const error = await refusal(
      loadConfig({
        cwd: folder(),
        env: {
          PANTHEON_PORT: '80a',
          PANTHEON_SHUTDOWN_TIMEOUT_MS: '-5',
          PANTHEON_PERSISTENCE_URL: 'mysql://root:hunter2hunter2@db/app',
          PANTHEON_BUS_URL: 'kafka://broker:9092',
          PANTHEON_CONTEXT_URL: 'redis://cache',
          PANTHEON_LLM_PROVIDER: 'gemini',
          PANTHEON_LOG_LEVEL: 'verbose',
          PANTHEON_ENV: 'staging',
        },
      }),
    );
    const variable = (name: string) => ({ kind: 'environment', variable: name });
    expect(issues(error)).toEqual([
      {
        field: 'adapters.context',
        source: variable('PANTHEON_CONTEXT_URL'),
        message: 'expected memory: or an Elasticsearch http(s):// URL, got "redis://cache"',
      },
      {
        field: 'adapters.persistence',
        source: variable('PANTHEON_PERSISTENCE_URL'),
        message: 'expected memory:, sqlite:<file> or postgres://…, got "mysql://root:***@db/app"',
      },
      {
        field: 'adapters.bus',
        source: variable('PANTHEON_BUS_URL'),
        message: 'expected memory: or nats://host:port, got "kafka://broker:9092"',
      },
      {
        field: 'http.port',
        source: variable('PANTHEON_PORT'),
        message: 'expected a whole number, got "80a"',
      },
      {
        field: 'shutdown.timeoutMs',
        source: variable('PANTHEON_SHUTDOWN_TIMEOUT_MS'),
        message: 'expected a whole number, got "-5"',
      },
      {
        field: 'environment',
        source: variable('PANTHEON_ENV'),
        message: 'expected one of development, production, test, got "staging"',
      },
      {
        field: 'logging.level',
        source: variable('PANTHEON_LOG_LEVEL'),
        message: 'expected one of debug, info, warn, error, got "verbose"',
      },
      {
        field: 'adapters.llm.type',
        source: variable('PANTHEON_LLM_PROVIDER'),
        message: 'expected one of mock, openai, claude, got "gemini"',
      },
    ]);
    // The password of a refused URL is masked in the message.
    expect(error.message).not.toContain('hunter2');
  });

  it('a variable that sets a field the section of another type does not have', async () => {
    const error = await refusal(
      loadConfig({ cwd: folder(), env: { PANTHEON_LLM_MODEL: 'gpt-5.4-mini' } }),
    );
    expect(issues(error)).toEqual([
      {
        field: 'adapters.llm.model',
        source: { kind: 'environment', variable: 'PANTHEON_LLM_MODEL' },
        message: 'unknown key',
      },
    ]);
  });

  it('Elasticsearch context next to a durable store, naming both sources', async () => {
    const dir = folder({
      'pantheon.config.json': json({
        adapters: { context: { type: 'elasticsearch', node: 'http://es:9200' } },
      }),
    });
    const error = await refusal(
      loadConfig({ cwd: dir, env: { PANTHEON_PERSISTENCE_URL: 'sqlite:./x.db' } }),
    );
    expect(issues(error)).toEqual([
      {
        field: 'adapters.context.type',
        source: { kind: 'file', path: join(dir, 'pantheon.config.json') },
        message: expect.stringContaining(
          '"elasticsearch" cannot be combined with sqlite persistence',
        ),
      },
    ]);
  });

  it('a secret in the file, even a valid-looking one: keys come from the environment only', async () => {
    const dir = folder({
      'pantheon.config.json': json({
        adapters: { llm: { type: 'openai', apiKey: 'sk-proj-0123456789abcdefghij' } },
        http: { token: 'a-token-of-sixteen-chars' },
      }),
    });
    const error = await refusal(loadConfig({ cwd: dir, env: { OPENAI_API_KEY: 'sk-env' } }));
    expect(issues(error).map((issue) => issue.field)).toEqual([
      'adapters.llm.apiKey',
      'http.token',
    ]);
    expect(issues(error)[0]!.message).toContain(
      'set the environment variable instead (OPENAI_API_KEY',
    );
    expect(error.message).not.toContain('sk-proj-0123456789abcdefghij');
  });

  it('a file that is not a configuration object, or does not parse or load', async () => {
    const notObject = folder({ 'pantheon.config.json': '[1, 2]' });
    expect(issues(await refusal(loadConfig({ cwd: notObject, env: {} })))).toEqual([
      {
        field: '(root)',
        source: { kind: 'file', path: join(notObject, 'pantheon.config.json') },
        message: 'expected the file to hold a configuration object',
      },
    ]);
    const noDefault = folder({ 'pantheon.config.mjs': 'export const config = {};\n' });
    expect(issues(await refusal(loadConfig({ cwd: noDefault, env: {} })))[0]!.message).toBe(
      'expected the file to export default a configuration object',
    );
    const broken = folder({ 'pantheon.config.json': '{ "http": { "port": 3000, } }' });
    const parse = await refusal(loadConfig({ cwd: broken, env: {} }));
    expect(parse.code).toBe('CONFIG_INVALID');
    expect(parse.message).toMatch(
      new RegExp(
        `^Configuration file ${join(broken, 'pantheon.config.json')} could not be loaded: .*JSON`,
      ),
    );
    const throwing = folder({ 'pantheon.config.ts': 'throw new Error("no config today");\n' });
    const thrown = await refusal(loadConfig({ cwd: throwing, env: {} }));
    expect(thrown.message).toContain('could not be loaded: no config today');
    const yaml = folder({ 'settings.yaml': 'http: {}\n' });
    const extension = await refusal(loadConfig({ cwd: yaml, file: 'settings.yaml', env: {} }));
    expect(extension.message).toContain('must end in .ts, .mts, .cts, .js, .mjs, .cjs or .json');
  });

  it('two configuration files in one folder, and a named file that does not exist', async () => {
    const dir = folder({
      'pantheon.config.ts': 'export default {};\n',
      'pantheon.config.json': '{}',
    });
    const twice = await refusal(loadConfig({ cwd: dir, env: {} }));
    expect(twice.code).toBe('CONFIG_INVALID');
    expect(twice.message).toContain('Found 2 configuration files');
    expect(twice.message).toContain('pantheon.config.ts, pantheon.config.json');
    const missing = await refusal(loadConfig({ cwd: dir, file: 'other.json', env: {} }));
    expect(missing.code).toBe('CONFIG_NOT_FOUND');
    expect(missing.details).toEqual({ file: join(dir, 'other.json') });
  });

  it('applies nothing of an invalid configuration: the next load starts from the defaults', async () => {
    const dir = folder({
      'pantheon.config.json': json({ http: { port: 'eighty' }, environment: 'production' }),
    });
    const error = await refusal(loadConfig({ cwd: dir, env: {} }));
    expect(PantheonError.isInstance(error)).toBe(true);
    expect(await loadConfig({ cwd: folder(), env: {} })).toEqual(DEFAULT_CONFIG);
    expect(DEFAULT_CONFIG.environment).toBe('development');
  });
});

describe('the cluster section', () => {
  const services = {
    persistence: { type: 'postgres', url: 'postgres://app@db:5432/app' },
    bus: { type: 'nats', url: 'nats://nats:4222' },
  } as const;

  it('takes the file, then the PANTHEON_CLUSTER_* variables', async () => {
    const dir = folder({
      'pantheon.config.json': json({
        adapters: services,
        cluster: { name: 'support', partitions: 8, timing: { leaseMs: 3_000 } },
      }),
    });
    const config = await loadConfig({
      cwd: dir,
      env: {
        PANTHEON_CLUSTER_NAME: 'support-eu',
        PANTHEON_CLUSTER_NODE_ID: 'app-7d9f-2',
        PANTHEON_CLUSTER_MEMBER: 'False',
      },
    });
    expect(config.cluster).toEqual({
      name: 'support-eu',
      partitions: 8,
      member: false,
      nodeId: 'app-7d9f-2',
      timing: { leaseMs: 3_000 },
    });
    // Variables alone make a cluster too.
    const fromVariables = await loadConfig({
      cwd: folder(),
      env: {
        PANTHEON_PERSISTENCE_URL: 'postgres://app@db:5432/app',
        PANTHEON_BUS_URL: 'nats://nats:4222',
        PANTHEON_CLUSTER_NAME: 'support',
        PANTHEON_CLUSTER_PARTITIONS: '32',
      },
    });
    expect(fromVariables.cluster).toEqual({ name: 'support', partitions: 32 });
    // Without one, there is no cluster section at all.
    expect((await loadConfig({ cwd: folder(), env: {} })).cluster).toBeUndefined();
  });

  it('needs postgres and nats, naming the field of each and where it came from', async () => {
    const dir = folder({
      'pantheon.config.json': json({
        adapters: { persistence: { type: 'sqlite', file: './app.db' } },
        cluster: { name: 'support' },
      }),
    });
    const error = await refusal(loadConfig({ cwd: dir, env: {} }));
    expect(issues(error)).toEqual([
      {
        field: 'adapters.persistence.type',
        source: { kind: 'file', path: join(dir, 'pantheon.config.json') },
        message: expect.stringContaining(
          'a cluster (cluster.name is set) keeps its actors, mailboxes and leases in PostgreSQL: set adapters.persistence to postgres (or PANTHEON_PERSISTENCE_URL=postgres://…), got "sqlite"',
        ),
      },
      {
        field: 'adapters.bus.type',
        source: { kind: 'default' },
        message: expect.stringContaining(
          'carries its messages on NATS JetStream: set adapters.bus to nats (or PANTHEON_BUS_URL=nats://…), got "memory"',
        ),
      },
    ]);
    expect(error.message).toContain(
      `adapters.persistence.type (from file ${join(dir, 'pantheon.config.json')}): a cluster`,
    );
    expect(error.message).toContain('adapters.bus.type (from the default): a cluster');

    // In code, through resolveConfig (what createPantheonCluster and startApp do).
    expect(() =>
      resolveConfig({
        adapters: { persistence: { type: 'sqlite', file: ':memory:' }, bus: services.bus },
        cluster: { name: 'support' },
      }),
    ).toThrow(/adapters\.persistence\.type \(from the configuration given in code\): a cluster/);
  });

  it('refuses a stream of its own next to the cluster, and a heartbeat as long as the lease', async () => {
    const dir = folder({
      'pantheon.config.json': json({
        adapters: { ...services, bus: { ...services.bus, stream: 'app' } },
        cluster: { name: 'support', timing: { heartbeatMs: 2_000 } },
      }),
    });
    const error = await refusal(loadConfig({ cwd: dir, env: {} }));
    const file = { kind: 'file', path: join(dir, 'pantheon.config.json') };
    expect(issues(error)).toEqual([
      {
        field: 'adapters.bus.stream',
        source: file,
        message: `a cluster's stream is named after cluster.name ("support"): remove adapters.bus.stream, got "app"`,
      },
      {
        field: 'cluster.timing.heartbeatMs',
        source: file,
        message:
          'must be shorter than the lease (cluster.timing.leaseMs, 1500 ms), or the processes lose their partitions between two renewals, got 2000',
      },
    ]);
    // A lease set shorter than the default heartbeat names the lease.
    const lease = await refusal(
      loadConfig({
        cwd: folder({
          'pantheon.config.json': json({
            adapters: services,
            cluster: { name: 'support', timing: { leaseMs: 200 } },
          }),
        }),
        env: {},
      }),
    );
    expect(issues(lease).map((issue) => [issue.field, issue.message])).toEqual([
      [
        'cluster.timing.leaseMs',
        'must be longer than the heartbeat (cluster.timing.heartbeatMs, 250 ms), or the processes lose their partitions between two renewals, got 200',
      ],
    ]);
  });

  it('a missing or malformed name, a variable that cannot be read, an unknown key', async () => {
    const dir = folder({
      'pantheon.config.json': json({
        adapters: services,
        cluster: { partitions: 0, replicas: 3, timing: { leaseMs: -1 } },
      }),
    });
    const file = { kind: 'file', path: join(dir, 'pantheon.config.json') };
    const error = await refusal(
      loadConfig({
        cwd: dir,
        env: { PANTHEON_CLUSTER_MEMBER: 'maybe', PANTHEON_CLUSTER_NODE_ID: 'node-1' },
      }),
    );
    expect(issues(error)).toEqual([
      {
        field: 'cluster.member',
        source: { kind: 'environment', variable: 'PANTHEON_CLUSTER_MEMBER' },
        message: 'expected true or false, got "maybe"',
      },
      {
        field: 'cluster.name',
        // The last layer that set the section.
        source: { kind: 'environment', variable: 'PANTHEON_CLUSTER_NODE_ID' },
        message:
          'missing: name the cluster (cluster.name or PANTHEON_CLUSTER_NAME), the same in every process',
      },
      {
        field: 'cluster.partitions',
        source: file,
        message: 'Too small: expected number to be >0, got 0',
      },
      {
        field: 'cluster.timing.leaseMs',
        source: file,
        message: 'Too small: expected number to be >0, got -1',
      },
      { field: 'cluster.replicas', source: file, message: 'unknown key' },
    ]);

    // A name from a variable that is not a stream name; partitions that are not a number.
    const fromVariables = await refusal(
      loadConfig({
        cwd: folder({ 'pantheon.config.json': json({ adapters: services }) }),
        env: { PANTHEON_CLUSTER_NAME: 'support.eu', PANTHEON_CLUSTER_PARTITIONS: 'many' },
      }),
    );
    expect(issues(fromVariables)).toEqual([
      {
        field: 'cluster.partitions',
        source: { kind: 'environment', variable: 'PANTHEON_CLUSTER_PARTITIONS' },
        message: 'expected a whole number, got "many"',
      },
      {
        field: 'cluster.name',
        source: { kind: 'environment', variable: 'PANTHEON_CLUSTER_NAME' },
        message: 'expected letters, digits, "_" or "-", got "support.eu"',
      },
    ]);
  });
});
