/** Where a configuration value came from. */
export type ConfigSource =
  | { kind: 'default' }
  | { kind: 'file'; path: string }
  | { kind: 'environment'; variable: string }
  | { kind: 'argument' };

/** A source in words, for error messages: `file /app/pantheon.config.ts`, `PANTHEON_PORT`, … */
export function describeSource(source: ConfigSource): string {
  switch (source.kind) {
    case 'default':
      return 'the default';
    case 'file':
      return `file ${source.path}`;
    case 'environment':
      return `environment variable ${source.variable}`;
    case 'argument':
      return 'the configuration given in code';
  }
}

/** Values from one source, in the shape of the configuration. */
export interface ConfigLayer {
  source: ConfigSource;
  values: Record<string, unknown>;
}

/**
 * Sections replaced as a whole when a later layer names another `type`: a file's `sqlite` file
 * means nothing once `PANTHEON_PERSISTENCE_URL` says `postgres://…`. With the same `type`, their
 * fields merge like any other object's.
 */
const VARIANT_SECTIONS = new Set([
  'adapters.context',
  'adapters.llm',
  'adapters.persistence',
  'adapters.bus',
]);

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** The merged values and, for every path a layer set, the source that set it last. */
export interface MergedLayers {
  values: Record<string, unknown>;
  sources: Map<string, ConfigSource>;
}

/** Merges the layers in order, later over earlier, remembering where each value came from. */
export function mergeLayers(layers: readonly ConfigLayer[]): MergedLayers {
  const values: Record<string, unknown> = {};
  const sources = new Map<string, ConfigSource>();
  for (const layer of layers) mergeInto(values, layer.values, '', layer.source, sources);
  return { values, sources };
}

function mergeInto(
  target: Record<string, unknown>,
  incoming: Record<string, unknown>,
  prefix: string,
  source: ConfigSource,
  sources: Map<string, ConfigSource>,
): void {
  for (const [key, value] of Object.entries(incoming)) {
    if (value === undefined) continue;
    const path = prefix === '' ? key : `${prefix}.${key}`;
    const current = target[key];
    if (isPlainObject(value)) {
      const replaced =
        !isPlainObject(current) ||
        (VARIANT_SECTIONS.has(path) && value.type !== undefined && current.type !== value.type);
      if (replaced) forget(sources, path);
      const next: Record<string, unknown> = replaced ? {} : { ...current };
      sources.set(path, source);
      mergeInto(next, value, path, source, sources);
      target[key] = next;
    } else {
      forget(sources, path);
      sources.set(path, source);
      target[key] = value;
    }
  }
}

/** Drops the sources of `path` and everything under it. */
function forget(sources: Map<string, ConfigSource>, path: string): void {
  for (const key of sources.keys()) {
    if (key === path || key.startsWith(`${path}.`)) sources.delete(key);
  }
}

/** The source of `path`, or of its nearest ancestor a layer set. */
export function sourceOf(
  sources: ReadonlyMap<string, ConfigSource>,
  path: string,
): ConfigSource | undefined {
  for (let at = path; at !== ''; at = at.includes('.') ? at.slice(0, at.lastIndexOf('.')) : '') {
    const source = sources.get(at);
    if (source) return source;
  }
  return undefined;
}
