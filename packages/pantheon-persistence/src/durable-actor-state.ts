import {
  type Actor,
  ActorError,
  type ActorPatch,
  type ActorScript,
  type ActorStatePort,
  checkActorScript,
  type SpawnOptions,
} from '@promethean-os/pantheon-core';
import { actorNotFound, guarded, versionConflict } from './errors';
import type { ActorRow, StoreCore, StoredActor } from './store-core';

/** Options of `DurableActorState.update`. */
export interface UpdateOptions {
  /**
   * Apply the patch only if the stored actor still has this version (see `StoredActor.version`
   * and `getVersion`); otherwise reject with `ActorError` `VERSION_CONFLICT`. Without it the
   * update merges into whatever is stored, still never losing a concurrent writer's change.
   */
  expectedVersion?: number;
}

/** Retries of an update that raced another writer without an `expectedVersion`. */
const MAX_MERGE_ATTEMPTS = 20;

function validScript(script: ActorScript): void {
  checkActorScript(script);
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
 * During a tick (`MailboxStore.beginTick`) the actor's updates are buffered and reads see them;
 * the tick's commit writes them.
 *
 * @example
 * const db = await openSqlitePersistence({ file: 'pantheon.db', scripts });
 * const actor = await db.actors.spawn(script, 'Help customers');
 * await db.actors.update(actor.id, { state: 'paused' }, { expectedVersion: actor.version });
 */
export class DurableActorState implements ActorStatePort {
  constructor(private readonly core: StoreCore) {}

  async spawn(script: ActorScript, goal: string, options: SpawnOptions = {}): Promise<StoredActor> {
    validScript(script);
    const id = options.id ?? crypto.randomUUID();
    this.core.scripts.resolve(script.name, script.version, { actorId: id });
    const at = this.core.now();
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
    const inserted = await guarded('state', id, () =>
      this.core.driver.run(
        `INSERT INTO pantheon_actors (id, script_name, script_version, script_data, name, goals, state,
          metadata, created_at, updated_at, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)
          ON CONFLICT (id) DO NOTHING`,
        [id, ...this.core.actorValues(actor)],
      ),
    );
    if (inserted === 0) {
      throw new ActorError(`Actor "${id}" already exists`, id, undefined, { code: 'ACTOR_EXISTS' });
    }
    return { ...actor, version: 1 };
  }

  /** Every actor, in spawn order. */
  async list(): Promise<StoredActor[]> {
    const rows = await guarded('state', undefined, () =>
      this.core.driver.all<ActorRow>('SELECT * FROM pantheon_actors ORDER BY seq'),
    );
    return rows.map((row) => {
      const buffered = this.core.buffer(row.id)?.actor;
      return buffered ? { ...buffered.value } : this.core.toActor(row);
    });
  }

  async get(id: string): Promise<StoredActor | null> {
    const buffer = this.core.buffer(id);
    if (buffer?.actor) return { ...buffer.actor.value };
    const row = await guarded('state', id, () => this.core.loadActor(id));
    if (!row) return null;
    const actor = this.core.toActor(row);
    if (buffer) buffer.actor = { value: actor, baseVersion: actor.version, dirty: false };
    return { ...actor };
  }

  /** The stored version of the actor, or `undefined` for an unknown id. */
  async getVersion(id: string): Promise<number | undefined> {
    const buffered = this.core.buffer(id)?.actor;
    if (buffered) return buffered.baseVersion;
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
    if (patch.script !== undefined) {
      validScript(patch.script);
      this.core.scripts.resolve(patch.script.name, patch.script.version, { actorId: id });
    }
    const { expectedVersion } = options;
    const buffer = this.core.buffer(id);
    if (buffer) {
      const current = (await this.get(id)) ? buffer.actor : undefined;
      if (!current) throw actorNotFound(id);
      if (expectedVersion !== undefined && expectedVersion !== current.baseVersion) {
        throw versionConflict(id, expectedVersion, current.baseVersion);
      }
      current.value = merge(current.value, patch, this.core.now());
      current.dirty = true;
      return { ...current.value };
    }
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
    this.core.buffers.delete(id);
    const removed = await guarded('state', id, () =>
      this.core.driver.run('DELETE FROM pantheon_actors WHERE id = ?', [id]),
    );
    return removed > 0;
  }
}
