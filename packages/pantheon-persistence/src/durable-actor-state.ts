import {
  type Actor,
  ActorError,
  type ActorPatch,
  type ActorScript,
  type ActorStatePort,
  type ConfigError,
  checkActorScript,
  PantheonError,
  type SpawnOptions,
} from '@promethean-os/pantheon-core';
import { actorExists, actorNotFound, guarded, tickEnded, versionConflict } from './errors';
import {
  ACTOR_COLUMNS,
  type ActorRow,
  type BufferedActor,
  type StoreCore,
  type StoredActor,
  type TickBuffer,
} from './store-core';

/** Options of `DurableActorState.update`. */
export interface UpdateOptions {
  /**
   * Apply the patch only if the stored actor still has this version (see `StoredActor.version`
   * and `getVersion`); otherwise reject with `ActorError` `VERSION_CONFLICT`. Without it the
   * update merges into whatever is stored, still never losing a concurrent writer's change.
   */
  expectedVersion?: number;
}

/** Options of `DurableActorState.list`. */
export interface ActorListOptions {
  /** Only the actors whose id passes (checked before their script is looked up). */
  where?: (id: string) => boolean;
  /**
   * Called with the `SCRIPT_NOT_FOUND` error of each listed actor whose script is not registered
   * in this process's `ScriptRegistry`, which is then left out. Without it such an actor fails
   * the whole listing with that error.
   */
  onUnknownScript?: (error: ConfigError) => void;
}

/** Retries of an update that raced another writer without an `expectedVersion`. */
const MAX_MERGE_ATTEMPTS = 20;

function validScript(script: ActorScript): void {
  checkActorScript(script);
}

/** A new actor of `script`, checked (`SCRIPT_INVALID`) and registered (`SCRIPT_NOT_FOUND`). */
function newActor(
  core: StoreCore,
  script: ActorScript,
  goal: string,
  options: SpawnOptions,
): Actor {
  validScript(script);
  const id = options.id ?? crypto.randomUUID();
  core.scripts.resolve(script.name, script.version, { actorId: id });
  const at = core.now();
  const actor: Actor = {
    id,
    script,
    goals: options.goals ?? [goal],
    state: 'idle',
    createdAt: at,
    updatedAt: at,
  };
  if (options.name !== undefined) actor.name = options.name;
  if (options.metadata !== undefined) actor.metadata = options.metadata;
  return actor;
}

/** Checks a patch's script like a spawned one. */
function checkPatch(core: StoreCore, id: string, patch: ActorPatch): void {
  if (patch.script !== undefined) {
    validScript(patch.script);
    core.scripts.resolve(patch.script.name, patch.script.version, { actorId: id });
  }
}

function merge(actor: StoredActor, patch: ActorPatch, now: number): StoredActor {
  const {
    version: _version,
    id: _id,
    ...fields
  } = patch as ActorPatch & {
    version?: number;
    id?: string;
  };
  return { ...actor, ...fields, id: actor.id, version: actor.version, updatedAt: now };
}

/**
 * The durable `ActorStatePort`: actors in the `pantheon_actors` table with an optimistic-concurrency
 * `version`. Scripts are re-attached from the `ScriptRegistry` by name and version, so every
 * script must be registered before it is spawned or loaded (`ConfigError` `SCRIPT_NOT_FOUND`).
 * Every call reads or writes the database at once; a tick's writes go through the `state` view
 * of its transaction (`db.mailbox.beginTick`) instead, and show here once it committed.
 *
 * @example
 * const db = await openSqlitePersistence({ file: 'pantheon.db', scripts });
 * const actor = await db.actors.spawn(script, 'Help customers');
 * await db.actors.update(actor.id, { state: 'paused' }, { expectedVersion: actor.version });
 */
export class DurableActorState implements ActorStatePort {
  constructor(private readonly core: StoreCore) {}

  async spawn(script: ActorScript, goal: string, options: SpawnOptions = {}): Promise<StoredActor> {
    const actor = newActor(this.core, script, goal, options);
    const insert = this.core.actorInsert(actor);
    const inserted = await guarded('state', actor.id, () =>
      this.core.driver.run(insert.sql, insert.params),
    );
    if (inserted === 0) throw actorExists(actor.id);
    return { ...actor, version: 1 };
  }

  /**
   * Every actor, in spawn order; with `options`, those `where` keeps, leaving out (and reporting
   * to `onUnknownScript`) those whose script this process does not have — e.g. a cluster
   * process restoring its partitions while another version of the application runs elsewhere.
   */
  async list(options: ActorListOptions = {}): Promise<StoredActor[]> {
    const rows = await guarded('state', undefined, () =>
      this.core.driver.all<ActorRow>(`SELECT ${ACTOR_COLUMNS} FROM pantheon_actors ORDER BY seq`),
    );
    const actors: StoredActor[] = [];
    for (const row of rows) {
      if (options.where && !options.where(row.id)) continue;
      try {
        actors.push(this.core.toActor(row));
      } catch (error) {
        const unknown = PantheonError.isInstance(error) && error.code === 'SCRIPT_NOT_FOUND';
        if (!unknown || !options.onUnknownScript) throw error;
        options.onUnknownScript(error as ConfigError);
      }
    }
    return actors;
  }

  async get(id: string): Promise<StoredActor | null> {
    const row = await guarded('state', id, () => this.core.loadActor(id));
    return row ? this.core.toActor(row) : null;
  }

  /** The stored version of the actor, or `undefined` for an unknown id. */
  async getVersion(id: string): Promise<number | undefined> {
    const rows = await guarded('state', id, () =>
      this.core.driver.all<{ version: number | string }>(
        'SELECT version FROM pantheon_actors WHERE id = ?',
        [id],
      ),
    );
    return rows[0] === undefined ? undefined : Number(rows[0].version);
  }

  /**
   * Merges `patch` into the stored actor. Rejects with `ACTOR_NOT_FOUND` for an unknown id and,
   * when `options.expectedVersion` is given and the actor changed since, with `VERSION_CONFLICT`.
   */
  async update(id: string, patch: ActorPatch, options: UpdateOptions = {}): Promise<StoredActor> {
    checkPatch(this.core, id, patch);
    const { expectedVersion } = options;
    return guarded('state', id, async () => {
      for (let attempt = 0; attempt < MAX_MERGE_ATTEMPTS; attempt++) {
        const row = await this.core.loadActor(id);
        if (!row) throw actorNotFound(id);
        const actor = this.core.toActor(row);
        if (expectedVersion !== undefined && expectedVersion !== actor.version) {
          throw versionConflict(id, expectedVersion, actor.version);
        }
        const updated = merge(actor, patch, this.core.now());
        // The statement a tick commit writes an actor with, run on its own rather than in a
        // batch, so its `expect` does not apply: a concurrent writer is handled below (merge
        // again, or VERSION_CONFLICT with the version now stored).
        const { sql, params } = this.core.actorUpdate(updated, actor.version, () =>
          versionConflict(id, actor.version, undefined),
        );
        const changed = await this.core.driver.run(sql, params);
        if (changed === 1) return { ...updated, version: actor.version + 1 };
        if (expectedVersion !== undefined) {
          throw versionConflict(id, expectedVersion, await this.getVersion(id));
        }
      }
      throw new ActorError(
        `Actor "${id}" kept changing under ${MAX_MERGE_ATTEMPTS} update attempts`,
        id,
        undefined,
        { code: 'VERSION_CONFLICT' },
      );
    });
  }

  /** Deletes the actor (not its history or mailbox, which retention prunes). */
  async remove(id: string): Promise<boolean> {
    const removed = await guarded('state', id, () =>
      this.core.driver.run('DELETE FROM pantheon_actors WHERE id = ?', [id]),
    );
    return removed > 0;
  }
}

/**
 * The `state` view of a tick transaction: reads see the tick's own writes over what is stored;
 * `spawn` and `update` go into the transaction, whose commit writes them — each actor checked
 * against the version the tick read (`VERSION_CONFLICT` when another writer changed it).
 */
export class TickActorState implements ActorStatePort {
  constructor(
    private readonly core: StoreCore,
    private readonly buffer: TickBuffer,
  ) {}

  async spawn(script: ActorScript, goal: string, options: SpawnOptions = {}): Promise<StoredActor> {
    this.writable('spawn');
    const actor = newActor(this.core, script, goal, options);
    if (options.id !== undefined && (await this.get(options.id)) !== null) {
      throw actorExists(actor.id);
    }
    const value = { ...actor, version: 1 };
    this.buffer.actors.set(actor.id, { value, baseVersion: undefined, dirty: true });
    return { ...value };
  }

  /** Every actor, in spawn order (those the tick spawned last). */
  async list(): Promise<StoredActor[]> {
    const rows = await guarded('state', undefined, () =>
      this.core.driver.all<ActorRow>(`SELECT ${ACTOR_COLUMNS} FROM pantheon_actors ORDER BY seq`),
    );
    const listed = rows.map((row) => {
      const buffered = this.buffer.actors.get(row.id);
      return buffered ? { ...buffered.value } : this.core.toActor(row);
    });
    for (const buffered of this.buffer.actors.values()) {
      if (buffered.baseVersion === undefined) listed.push({ ...buffered.value });
    }
    return listed;
  }

  async get(id: string): Promise<StoredActor | null> {
    const buffered = await this.load(id);
    return buffered ? { ...buffered.value } : null;
  }

  /** Merges `patch` into the tick's actor; `expectedVersion` is checked against the one it read. */
  async update(id: string, patch: ActorPatch, options: UpdateOptions = {}): Promise<StoredActor> {
    this.writable('update');
    checkPatch(this.core, id, patch);
    const current = await this.load(id);
    if (!current) throw actorNotFound(id);
    const { expectedVersion } = options;
    if (expectedVersion !== undefined && expectedVersion !== current.value.version) {
      throw versionConflict(id, expectedVersion, current.value.version);
    }
    current.value = merge(current.value, patch, this.core.now());
    current.dirty = true;
    return { ...current.value };
  }

  /** The tick's copy of the actor, read (and its version noted) on first use. */
  private async load(id: string): Promise<BufferedActor | undefined> {
    const known = this.buffer.actors.get(id);
    if (known) return known;
    const row = await guarded('state', id, () => this.core.loadActor(id));
    if (!row) return undefined;
    const value = this.core.toActor(row);
    const buffered: BufferedActor = {
      value,
      baseVersion: value.version,
      dirty: false,
      storedScript: value.script,
    };
    this.buffer.actors.set(id, buffered);
    return buffered;
  }

  private writable(operation: string): void {
    if (!this.buffer.open) throw tickEnded(this.buffer.actorId, operation);
  }
}
