import { resolve } from 'node:path';
import type { ConfigLayer } from './config-layers';

/** Environment variables, as `process.env` holds them. */
export type Environment = Readonly<Record<string, string | undefined>>;

/** One variable `loadConfig` reads: the field it sets and how. */
export interface ConfigVariable {
  name: string;
  /** The configuration field it sets. */
  field: string;
  /** What it takes, for `--help` and the docs. */
  description: string;
  /** The values it sets, or a reason it is invalid. */
  read(value: string, cwd: string): Record<string, unknown> | { invalid: string };
}

/** The API keys `createPantheon` reads, by `adapters.llm.type`; never taken from a file. */
export const API_KEY_VARIABLES = { openai: 'OPENAI_API_KEY', claude: 'ANTHROPIC_API_KEY' } as const;

/** The bearer token of `pantheon start`'s `/actors` endpoints; never taken from a file. */
export const API_TOKEN_VARIABLE = 'PANTHEON_API_TOKEN';

function at(path: string, value: unknown): Record<string, unknown> {
  const keys = path.split('.');
  let result: unknown = value;
  for (const key of keys.reverse()) result = { [key]: result };
  return result as Record<string, unknown>;
}

/** A whole number; anything else is named as invalid (not coerced). */
function integer(path: string) {
  return (value: string) =>
    /^\d+$/.test(value.trim())
      ? at(path, Number(value.trim()))
      : { invalid: `expected a whole number, got "${value}"` };
}

function text(path: string) {
  return (value: string) => at(path, value);
}

/** `true` or `false`; anything else is named as invalid. */
function boolean(path: string) {
  return (value: string) => {
    const word = value.trim().toLowerCase();
    if (word === 'true' || word === 'false') return at(path, word === 'true');
    return { invalid: `expected true or false, got "${value}"` };
  };
}

const isMemory = (value: string) => value === 'memory:' || value === 'memory://';

function persistenceFromUrl(value: string, cwd: string) {
  if (isMemory(value)) return at('adapters.persistence', { type: 'memory' });
  if (value.startsWith('sqlite:')) {
    let file = value.slice('sqlite:'.length);
    if (file.startsWith('//')) file = file.slice(2);
    if (file === '') return { invalid: 'expected sqlite:<file>, e.g. sqlite:./pantheon.db' };
    if (file !== ':memory:') file = resolve(cwd, file);
    return at('adapters.persistence', { type: 'sqlite', file });
  }
  if (/^postgres(ql)?:\/\//.test(value)) {
    return at('adapters.persistence', { type: 'postgres', url: value });
  }
  return {
    invalid: `expected memory:, sqlite:<file> or postgres://…, got "${redactUrl(value)}"`,
  };
}

function busFromUrl(value: string) {
  if (isMemory(value)) return at('adapters.bus', { type: 'memory' });
  if (/^(nats|tls|wss?):\/\//.test(value)) return at('adapters.bus', { type: 'nats', url: value });
  return { invalid: `expected memory: or nats://host:port, got "${redactUrl(value)}"` };
}

function contextFromUrl(value: string) {
  if (isMemory(value)) return at('adapters.context', { type: 'memory' });
  if (/^https?:\/\//.test(value)) {
    return at('adapters.context', { type: 'elasticsearch', node: value });
  }
  return {
    invalid: `expected memory: or an Elasticsearch http(s):// URL, got "${redactUrl(value)}"`,
  };
}

/** A URL with its password replaced by `***`, for messages and logs. */
export function redactUrl(value: string): string {
  try {
    const url = new URL(value);
    if (url.password === '') return value;
    url.password = '***';
    return url.toString();
  } catch {
    return value.replace(/\/\/([^:/@]+):[^@/]*@/, '//$1:***@');
  }
}

/** Every variable `loadConfig` reads, in the order of the docs. */
export const CONFIG_VARIABLES: readonly ConfigVariable[] = [
  {
    name: 'PANTHEON_ENV',
    field: 'environment',
    description: 'development, production or test',
    read: text('environment'),
  },
  {
    name: 'PANTHEON_ENTRY',
    field: 'entry',
    description: "the app's module for `pantheon start` (relative to the working directory)",
    read: (value, cwd) => at('entry', resolve(cwd, value)),
  },
  {
    name: 'PANTHEON_LOG_LEVEL',
    field: 'logging.level',
    description: 'debug, info, warn or error',
    read: text('logging.level'),
  },
  {
    name: 'PANTHEON_LOG_FORMAT',
    field: 'logging.format',
    description: 'json or pretty',
    read: text('logging.format'),
  },
  {
    name: 'PANTHEON_LLM_PROVIDER',
    field: 'adapters.llm.type',
    description: 'mock, openai or claude',
    read: (value) => at('adapters.llm', { type: value }),
  },
  {
    name: 'PANTHEON_LLM_MODEL',
    field: 'adapters.llm.model',
    description: 'the model name (openai and claude)',
    read: text('adapters.llm.model'),
  },
  {
    name: 'PANTHEON_LLM_BASE_URL',
    field: 'adapters.llm.baseURL',
    description: 'the API base URL (openai and claude), e.g. an OpenAI-compatible server',
    read: text('adapters.llm.baseURL'),
  },
  {
    name: 'PANTHEON_CONTEXT_URL',
    field: 'adapters.context',
    description: 'memory: or an Elasticsearch node URL (http://…)',
    read: contextFromUrl,
  },
  {
    name: 'PANTHEON_PERSISTENCE_URL',
    field: 'adapters.persistence',
    description: 'memory:, sqlite:<file> or postgres://user@host:5432/db',
    read: persistenceFromUrl,
  },
  {
    name: 'PANTHEON_BUS_URL',
    field: 'adapters.bus',
    description: 'memory: or nats://host:4222 (comma-separated servers)',
    read: busFromUrl,
  },
  {
    name: 'PANTHEON_HOST',
    field: 'http.host',
    description: 'the interface `pantheon start` listens on',
    read: text('http.host'),
  },
  {
    name: 'PANTHEON_PORT',
    field: 'http.port',
    description: 'the port `pantheon start` listens on',
    read: integer('http.port'),
  },
  {
    name: 'PANTHEON_SHUTDOWN_TIMEOUT_MS',
    field: 'shutdown.timeoutMs',
    description: 'how long SIGTERM lets actors drain their mailboxes',
    read: integer('shutdown.timeoutMs'),
  },
  {
    name: 'PANTHEON_CLUSTER_NAME',
    field: 'cluster.name',
    description: "the cluster's name: run the actors across every process that has it",
    read: text('cluster.name'),
  },
  {
    name: 'PANTHEON_CLUSTER_PARTITIONS',
    field: 'cluster.partitions',
    description: 'the number of partitions, the same in every process',
    read: integer('cluster.partitions'),
  },
  {
    name: 'PANTHEON_CLUSTER_MEMBER',
    field: 'cluster.member',
    description: 'false for a process that sends and asks but runs no actor',
    read: boolean('cluster.member'),
  },
  {
    name: 'PANTHEON_CLUSTER_NODE_ID',
    field: 'cluster.nodeId',
    description: "this process's id in the cluster (e.g. the pod's name), unique per process",
    read: text('cluster.nodeId'),
  },
];

/** A variable whose value `loadConfig` refused. */
export interface RefusedVariable {
  variable: string;
  field: string;
  reason: string;
}

/** One layer per variable that is set (an empty variable counts as unset), and the refused ones. */
export function environmentLayers(
  env: Environment,
  cwd: string,
): { layers: ConfigLayer[]; refused: RefusedVariable[] } {
  const layers: ConfigLayer[] = [];
  const refused: RefusedVariable[] = [];
  for (const variable of CONFIG_VARIABLES) {
    const value = env[variable.name]?.trim();
    if (value === undefined || value === '') continue;
    const values = variable.read(value, cwd);
    if ('invalid' in values && typeof values.invalid === 'string') {
      refused.push({ variable: variable.name, field: variable.field, reason: values.invalid });
    } else {
      layers.push({ source: { kind: 'environment', variable: variable.name }, values });
    }
  }
  return { layers, refused };
}
