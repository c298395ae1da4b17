import { type ActorScript, ConfigError, checkActorScript } from '@promethean-os/pantheon-core';

function keyOf(name: string, version: string | undefined): string {
  return `${name}\u0000${version ?? ''}`;
}

/**
 * The scripts a durable store can re-attach to stored actors. Scripts hold functions, so the
 * database keeps only a script's name, version and data; on load the actor gets the registered
 * script of the same name and version. Registering the same name and version again replaces the
 * earlier script.
 *
 * @example
 * const scripts = new ScriptRegistry().register(supportScript).register(triageScript);
 * const db = await openSqlitePersistence({ file: 'pantheon.db', scripts });
 */
export class ScriptRegistry {
  private readonly scripts = new Map<string, ActorScript>();

  /** Adds a script (validated); returns the registry for chaining. */
  register(script: ActorScript): this {
    checkActorScript(script);
    this.scripts.set(keyOf(script.name, script.version), script);
    return this;
  }

  /** The script registered under `name` and `version` (no version matches an unversioned script). */
  get(name: string, version?: string): ActorScript | undefined {
    return this.scripts.get(keyOf(name, version));
  }

  /**
   * Like `get`, but an unknown script is a `ConfigError` with code `SCRIPT_NOT_FOUND` naming
   * the registered versions of `name`.
   */
  resolve(name: string, version?: string, details: Record<string, unknown> = {}): ActorScript {
    const script = this.get(name, version);
    if (script) return script;
    const registered = this.list()
      .filter((entry) => entry.name === name)
      .map((entry) => entry.version ?? '(unversioned)');
    const label = version === undefined ? `"${name}"` : `"${name}" version "${version}"`;
    throw new ConfigError(
      `Script ${label} is not registered; register it with ScriptRegistry.register before opening the store`,
      { ...details, scriptName: name, scriptVersion: version, registered },
      { code: 'SCRIPT_NOT_FOUND' },
    );
  }

  /** Every registered script. */
  list(): ActorScript[] {
    return [...this.scripts.values()];
  }
}
