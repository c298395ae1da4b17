import { type BusMessage, PantheonError, type TickTransaction } from '@promethean-os/pantheon-core';
import { afterAll, describe, expect, it, vi } from 'vitest';
import {
  backends,
  CuttableProxy,
  contractScripts,
  dropSchema,
  quietScript,
  testSchema,
} from './backends.test-support';
import { type GroupCommitDriver, GroupCommitter } from './group-commit';
import { openPostgresPersistence, Persistence } from './persistence';
import { ScriptRegistry } from './script-registry';
import type { SqlDriver } from './sql-driver';

const ACTORS = 40;

/** Records the size of every group the driver commits (the database work is the real one). */
function recordGroups(db: Persistence): number[] {
  const driver = db.driver as GroupCommitDriver;
  const commitGroup = driver.commitGroup.bind(driver);
  const sizes: number[] = [];
  driver.commitGroup = (units, options) => {
    sizes.push(units.length);
    return commitGroup(units, options);
  };
  return sizes;
}

function message(id: string, to: string): BusMessage {
  return { id, from: 'user', to, content: `hello ${to}` };
}

/** A tick of `actorId`, uncommitted: bumps a counter in its metadata, appends history, writes a key. */
async function countingTick(db: Persistence, actorId: string): Promise<TickTransaction> {
  const tick = db.mailbox.beginTick(actorId);
  const actor = await tick.state.get(actorId);
  await tick.state.update(actorId, {
    metadata: { ticks: Number(actor?.metadata?.ticks ?? 0) + 1 },
  });
  const { context } = tick;
  await context.append?.(actorId, { role: 'assistant', content: `${actorId} handled it` });
  await context.write?.('seen', true, { actorId });
  return tick;
}

const reply = (actorId: string): BusMessage[] => [
  { id: `${actorId}-reply`, from: actorId, to: 'user', content: 'done' },
];

for (const makeBackend of backends) {
  const backend = makeBackend();
  afterAll(() => backend.cleanup());

  describe(`group commit (${backend.name})`, () => {
    async function withActors(options: Parameters<typeof backend.create>[0] = {}) {
      const db = await backend.create(options);
      const ids = Array.from({ length: ACTORS }, (_, index) => `actor-${index}`);
      for (const id of ids) await db.actors.spawn(quietScript('worker'), 'work', { id });
      // Stored together: the enqueues form groups as well.
      const stored = await Promise.all(ids.map((id) => db.mailbox.enqueue(message(`m-${id}`, id))));
      expect(stored.every(Boolean)).toBe(true);
      return { db, ids };
    }

    it('commits the ticks of many actors that finish together in few transactions, each durable', async () => {
      const { db, ids } = await withActors();
      const groups = recordGroups(db);
      const ticks = await Promise.all(ids.map((id) => countingTick(db, id)));
      await Promise.all(
        ticks.map((tick, index) => tick.commit(`m-${ids[index]}`, [], reply(ids[index]!))),
      );

      expect(groups.reduce((sum, size) => sum + size, 0)).toBe(ACTORS);
      expect(groups.length).toBeLessThan(ACTORS / 4);
      expect(await db.mailbox.stats()).toEqual({
        pending: 0,
        acknowledged: ACTORS,
        unpublished: ACTORS,
      });
      const other = await backend.reopen(db);
      for (const id of ids) {
        expect((await other.actors.get(id))?.metadata).toEqual({ ticks: 1 });
        expect(await other.context.getHistory(id)).toHaveLength(1);
        expect(await other.context.read('seen', { actorId: id })).toBe(true);
      }
      // A duplicate stored in a group is still told apart.
      expect(await db.mailbox.enqueue(message(`m-${ids[0]}`, ids[0]!))).toBe(false);
    });

    it('fails only the tick whose actor changed meanwhile (VERSION_CONFLICT); the others of its group commit', async () => {
      const { db, ids } = await withActors();
      const groups = recordGroups(db);
      const ticks = await Promise.all(ids.map((id) => countingTick(db, id)));
      const loser = ids[7]!;
      await db.actors.update(loser, { name: 'changed by another writer' });
      const results = await Promise.allSettled(
        ticks.map((tick, index) => tick.commit(`m-${ids[index]}`, [], reply(ids[index]!))),
      );

      expect(groups.length).toBeLessThan(ACTORS / 4);
      results.forEach((result, index) => {
        if (ids[index] === loser) {
          expect(result).toMatchObject({
            status: 'rejected',
            reason: { name: 'ActorError', code: 'VERSION_CONFLICT', actorId: loser },
          });
        } else {
          expect(result.status).toBe('fulfilled');
        }
      });
      // The loser wrote nothing: its message waits, its history and reply are not stored.
      expect(await db.mailbox.pending()).toEqual([message(`m-${loser}`, loser)]);
      expect(await db.context.getHistory(loser)).toEqual([]);
      expect(await db.context.read('seen', { actorId: loser })).toBeUndefined();
      expect((await db.actors.get(loser))?.name).toBe('changed by another writer');
      expect((await db.mailbox.unpublished()).map((sent) => sent.id)).not.toContain(
        `${loser}-reply`,
      );
      expect((await db.mailbox.stats()).acknowledged).toBe(ACTORS - 1);
      for (const id of ids.filter((id) => id !== loser)) {
        expect((await db.actors.get(id))?.metadata).toEqual({ ticks: 1 });
      }

      // Run again, it commits.
      const retry = await countingTick(db, loser);
      await retry.commit(`m-${loser}`, [], reply(loser));
      expect((await db.actors.get(loser))?.metadata).toEqual({ ticks: 1 });
      expect((await db.mailbox.stats()).pending).toBe(0);
    });

    it('applies nothing for a replayed tick whose message was acknowledged, without failing the others', async () => {
      const { db, ids } = await withActors();
      const replayed = ids[3]!;
      const first = await countingTick(db, replayed);
      await first.commit(`m-${replayed}`, [], reply(replayed));
      // The same message ticked again (an earlier attempt's answer was lost), in a group.
      const ticks = await Promise.all(ids.map((id) => countingTick(db, id)));
      await Promise.all(
        ticks.map((tick, index) => tick.commit(`m-${ids[index]}`, [], reply(ids[index]!))),
      );

      expect((await db.actors.get(replayed))?.metadata).toEqual({ ticks: 1 });
      expect(await db.context.getHistory(replayed)).toHaveLength(1);
      expect(await db.mailbox.stats()).toEqual({
        pending: 0,
        acknowledged: ACTORS,
        unpublished: ACTORS,
      });
    });

    it('gives each write its own transaction with groupCommit: false', async () => {
      const { db, ids } = await withActors({ groupCommit: false });
      const ticks = await Promise.all(ids.slice(0, 5).map((id) => countingTick(db, id)));
      await Promise.all(ticks.map((tick, index) => tick.commit(`m-${ids[index]}`, [], [])));
      expect((await db.mailbox.stats()).acknowledged).toBe(5);
    });

    it('writes a group again unit by unit when a statement fails, so only the unit at fault fails', async () => {
      const db = await backend.create();
      const committer = new GroupCommitter(db.driver);
      const entry = (key: string, value: string | null) => [
        {
          sql: 'INSERT INTO pantheon_kv (scope, key, value, updated_at) VALUES (?, ?, ?, ?)',
          params: ['group', key, value, 0],
        },
      ];
      const results = await Promise.allSettled([
        committer.submit(entry('first', '1')),
        committer.submit(entry('broken', null)), // NOT NULL: the database rejects it
        committer.submit(entry('second', '2')),
      ]);
      expect(results.map((result) => result.status)).toEqual([
        'fulfilled',
        'rejected',
        'fulfilled',
      ]);
      const rows = await db.driver.all<{ key: string }>(
        "SELECT key FROM pantheon_kv WHERE scope = 'group' ORDER BY key",
      );
      expect(rows.map((row) => row.key)).toEqual(['first', 'second']);
    });

    it('writes statements it cannot send as one text (their own RETURNING) one by one, same outcomes', async () => {
      const db = await backend.create();
      const committer = new GroupCommitter(db.driver);
      await db.driver.run(
        "INSERT INTO pantheon_kv (scope, key, value, updated_at) VALUES ('returning', 'k', '0', 0)",
      );
      const bump = (value: string) => [
        {
          sql: "UPDATE pantheon_kv SET value = ? WHERE scope = 'returning' AND key = ? RETURNING key",
          params: [value, 'k'],
          expect: { changes: 1, mismatch: () => new Error('missing') },
        },
      ];
      const missing = [{ ...bump('x')[0]!, params: ['x', 'absent'] }];
      const results = await Promise.allSettled([
        committer.submit(bump('1')),
        committer.submit(missing),
        committer.submit(bump('2')),
      ]);
      expect(results.map((result) => result.status)).toEqual([
        'fulfilled',
        'rejected',
        'fulfilled',
      ]);
      const rows = await db.driver.all<{ value: string }>(
        "SELECT value FROM pantheon_kv WHERE scope = 'returning'",
      );
      expect(rows).toEqual([{ value: '2' }]);
    });

    it('leaves out every kind of failed unit of one group, and commits the others exactly once', async () => {
      const { db, ids } = await withActors();
      await db.driver.run('CREATE TABLE lease (id INTEGER PRIMARY KEY, epoch INTEGER)');
      await db.driver.run('INSERT INTO lease (id, epoch) VALUES (1, 1), (2, 1)');
      const lost = (lease: number) => new PantheonError(`lease ${lease} lost`, 'ACTOR_ERROR');
      // Lease 1 is fenced by a statement that changes its row, lease 2 by one that finds it.
      const fence = (lease: number) => ({
        sql:
          lease === 1
            ? 'UPDATE lease SET epoch = epoch WHERE id = ? AND epoch = 1'
            : 'SELECT 1 FROM lease WHERE id = ? AND epoch = 1',
        params: [lease],
        expect: { changes: 1, mismatch: () => lost(lease) },
      });
      // Half the actors commit under lease 1, the other half under lease 2.
      const leaseOf = (index: number) => (index % 2 === 0 ? 1 : 2);
      const replayed = ids[4]!;
      const conflicted = ids[6]!;
      const first = await countingTick(db, replayed);
      await first.commit(`m-${replayed}`, [], reply(replayed));
      const groups = recordGroups(db);
      const ticks = await Promise.all(
        ids.map(async (id, index) => {
          const tick = db.mailbox.beginTick(id, { guard: fence(leaseOf(index)) });
          const actor = await tick.state.get(id);
          await tick.state.update(id, {
            metadata: { ticks: Number(actor?.metadata?.ticks ?? 0) + 1 },
          });
          await tick.context.append?.(id, { role: 'assistant', content: `${id} handled it` });
          return tick;
        }),
      );
      // Meanwhile: another writer changes one actor, and another owner takes lease 2 over.
      await db.actors.update(conflicted, { name: 'changed by another writer' });
      await db.driver.run('UPDATE lease SET epoch = 2 WHERE id = 2');
      const results = await Promise.allSettled([
        ...ticks.map((tick, index) => tick.commit(`m-${ids[index]}`, [], reply(ids[index]!))),
        db.mailbox.enqueue(message(`m-${ids[0]}`, ids[0]!)),
        db.mailbox.enqueue(message('m-new', ids[0]!)),
      ]);

      expect(groups.length).toBeLessThan(ACTORS / 4);
      const commits = results.slice(0, ACTORS);
      commits.forEach((result, index) => {
        const id = ids[index]!;
        if (leaseOf(index) === 2) {
          expect(result).toMatchObject({ status: 'rejected', reason: { message: 'lease 2 lost' } });
        } else if (id === conflicted) {
          expect(result).toMatchObject({
            status: 'rejected',
            reason: { code: 'VERSION_CONFLICT', actorId: conflicted },
          });
        } else {
          expect(result.status).toBe('fulfilled');
        }
      });
      // The duplicate (of a message acknowledged in the same group) is told apart; the new one
      // is stored.
      expect(results.slice(ACTORS)).toEqual([
        { status: 'fulfilled', value: false },
        { status: 'fulfilled', value: true },
      ]);

      // The replayed tick applied nothing: its first commit stands.
      const committed = ids.filter((id, index) => leaseOf(index) === 1 && id !== conflicted);
      const other = await backend.reopen(db);
      for (const id of ids) {
        const wrote = committed.includes(id);
        expect((await other.actors.get(id))?.metadata).toEqual(wrote ? { ticks: 1 } : undefined);
        expect(await other.context.getHistory(id)).toHaveLength(wrote ? 1 : 0);
      }
      expect((await other.mailbox.pending()).map((waiting) => waiting.id).sort()).toEqual(
        [...ids.filter((id) => !committed.includes(id)).map((id) => `m-${id}`), 'm-new'].sort(),
      );
      expect((await other.mailbox.unpublished()).map((sent) => sent.id).sort()).toEqual(
        committed.map((id) => `${id}-reply`).sort(),
      );
    });

    it('commits one of two ticks of a group that write the same actor, and fails the other whole', async () => {
      const { db, ids } = await withActors();
      const actor = ids[0]!;
      await db.mailbox.enqueue(message('m-second', actor));
      const tick = async (label: string) => {
        const transaction = db.mailbox.beginTick(actor);
        await transaction.state.get(actor);
        await transaction.state.update(actor, { metadata: { by: label } });
        await transaction.context.append?.(actor, { role: 'assistant', content: label });
        return transaction;
      };
      const [one, two] = [await tick('one'), await tick('two')];
      const results = await Promise.allSettled([
        one.commit(`m-${actor}`, [], [{ id: 'out-one', from: actor, to: 'user', content: '1' }]),
        two.commit('m-second', [], [{ id: 'out-two', from: actor, to: 'user', content: '2' }]),
      ]);

      expect(results.map((result) => result.status).sort()).toEqual(['fulfilled', 'rejected']);
      const winner = results[0]!.status === 'fulfilled' ? 'one' : 'two';
      const loser = winner === 'one' ? results[1] : results[0];
      expect(loser).toMatchObject({ reason: { code: 'VERSION_CONFLICT', actorId: actor } });
      // The winner's writes, all of them; none of the loser's.
      expect((await db.actors.get(actor))?.metadata).toEqual({ by: winner });
      expect((await db.context.getHistory(actor)).map((entry) => entry.content)).toEqual([winner]);
      expect((await db.mailbox.unpublished()).map((sent) => sent.id)).toEqual([`out-${winner}`]);
      expect((await db.mailbox.pending()).map((waiting) => waiting.id)).toContain(
        winner === 'one' ? 'm-second' : `m-${actor}`,
      );
    });

    it('writes a unit after an earlier unit of its group that writes the same message', async () => {
      const { db, ids } = await withActors();
      const [first, second] = [ids[0]!, ids[1]!];
      const [one, two] = await Promise.all([countingTick(db, first), countingTick(db, second)]);
      // In one turn: a tick acknowledges its message, a new message is stored, and a tick
      // acknowledges that new message (as if it had been handed to it already).
      const results = await Promise.all([
        one.commit(`m-${first}`, [], []),
        db.mailbox.enqueue(message('m-late', second)),
        two.commit('m-late', [], reply(second)),
      ]);
      expect(results).toEqual([undefined, true, undefined]);
      expect((await db.actors.get(second))?.metadata).toEqual({ ticks: 1 });
      expect((await db.mailbox.pending()).map((waiting) => waiting.id)).not.toContain('m-late');
      expect((await db.mailbox.unpublished()).map((sent) => sent.id)).toEqual([`${second}-reply`]);
    });

    it('stores every character of the texts of a group as they were (quotes, backslashes, unicode)', async () => {
      const { db, ids } = await withActors();
      const texts = [
        "it's",
        'a \\ backslash',
        "\\' both \\\\''",
        "E'\\x41'",
        '$1 ? ?? $$ quoted $$',
        'naïve — 日本語 🎉',
        '\n new\tline\r',
      ];
      const ticks = await Promise.all(
        ids.slice(0, texts.length).map(async (id, index) => {
          const tick = db.mailbox.beginTick(id);
          await tick.state.get(id);
          await tick.state.update(id, { metadata: { text: texts[index] } });
          await tick.context.append?.(id, { role: 'assistant', content: texts[index]! });
          return tick;
        }),
      );
      await Promise.all(
        ticks.map((tick, index) =>
          tick.commit(
            `m-${ids[index]}`,
            [],
            [{ id: `out-${index}`, from: ids[index]!, to: 'user', content: texts[index]! }],
          ),
        ),
      );
      for (const [index, text] of texts.entries()) {
        const id = ids[index]!;
        expect((await db.actors.get(id))?.metadata).toEqual({ text });
        expect((await db.context.getHistory(id)).map((entry) => entry.content)).toEqual([text]);
      }
      const sent = new Map((await db.mailbox.unpublished()).map((out) => [out.id, out.content]));
      expect(texts.map((_, index) => sent.get(`out-${index}`))).toEqual(texts);
    });

    it("writes an actor's script columns only when its tick changed the script", async () => {
      const v1 = quietScript('versioned', '1');
      const v2 = quietScript('versioned', '2');
      const db = await backend.create({ scripts: new ScriptRegistry().register(v1).register(v2) });
      await db.actors.spawn(v1, 'work', { id: 'kept' });
      await db.actors.spawn(v1, 'work', { id: 'moved' });
      // Marks the stored data, to see whether a commit writes it again.
      await db.driver.run("UPDATE pantheon_actors SET script_data = 'as stored'");
      const [kept, moved] = await Promise.all(
        ['kept', 'moved'].map(async (id) => {
          const tick = db.mailbox.beginTick(id);
          await tick.state.get(id);
          await tick.state.update(id, id === 'moved' ? { script: v2 } : { state: 'paused' });
          return tick;
        }),
      );
      await Promise.all([kept!.commit(undefined, [], []), moved!.commit(undefined, [], [])]);

      const rows = await db.driver.all<{ id: string; script_version: string; script_data: string }>(
        'SELECT id, script_version, script_data FROM pantheon_actors ORDER BY id',
      );
      expect(rows.map(({ id, script_version }) => [id, script_version])).toEqual([
        ['kept', '1'],
        ['moved', '2'],
      ]);
      expect(rows[0]!.script_data).toBe('as stored');
      expect(JSON.parse(rows[1]!.script_data)).toMatchObject({ name: 'versioned', version: '2' });
      expect((await db.actors.get('kept'))?.state).toBe('paused');
      expect((await db.actors.get('moved'))?.script).toBe(v2);
    });

    it('stores a message sent twice in one group once, and tells the caller which call stored it', async () => {
      const db = await backend.create();
      await db.actors.spawn(quietScript('worker'), 'work', { id: 'twice' });
      const groups = recordGroups(db);
      const results = await Promise.all([
        db.mailbox.enqueue(message('m-twice', 'twice')),
        db.mailbox.enqueue(message('m-other', 'twice')),
        db.mailbox.enqueue(message('m-twice', 'twice')),
      ]);
      expect(results).toEqual([true, true, false]);
      expect(groups.length).toBeLessThanOrEqual(2);
      expect((await db.mailbox.pending()).map((waiting) => waiting.id)).toEqual([
        'm-twice',
        'm-other',
      ]);
    });

    it('lets what the caller of a committed unit writes next join the following transaction', async () => {
      const db = await backend.create();
      const driver = db.driver as GroupCommitDriver;
      const commitGroup = driver.commitGroup.bind(driver);
      const groups: string[][] = [];
      let held: Promise<void> | undefined;
      driver.commitGroup = async (units, options) => {
        groups.push(units.map((unit) => String(unit.statements[0]!.params[1])));
        await held;
        return commitGroup(units, options);
      };
      const entry = (key: string) => [
        {
          sql: 'INSERT INTO pantheon_kv (scope, key, value, updated_at) VALUES (?, ?, ?, ?)',
          params: ['next', key, '1', 0],
        },
      ];
      const committer = new GroupCommitter(db.driver);
      let release!: () => void;
      held = new Promise((resolve) => {
        release = resolve;
      });
      const first = committer.submit(entry('first'));
      await vi.waitFor(() => expect(groups).toHaveLength(1));
      // Arrives while the first transaction is written…
      const queued = committer.submit(entry('queued'));
      // …and this one only once the first committed, a few steps later (like a publish mark).
      const next = first.then(async () => {
        await null;
        await null;
        await committer.submit(entry('next'));
      });
      held = undefined;
      release();
      await Promise.all([queued, next]);
      expect(groups).toEqual([['first'], ['queued', 'next']]);
    });

    it('writes what is queued before closing', async () => {
      const { db, ids } = await withActors();
      const ticks = await Promise.all(ids.map((id) => countingTick(db, id)));
      const commits = ticks.map((tick, index) => tick.commit(`m-${ids[index]}`, [], []));
      const other = await backend.reopen(db);
      await db.close();
      await Promise.all(commits);
      expect((await other.mailbox.stats()).acknowledged).toBe(ACTORS);
    });
  });
}

describe('group commit on PostgreSQL', () => {
  const backend = backends[1]!();
  afterAll(() => backend.cleanup());

  it('holds publish marks while reads are under way, so they share the transaction of the tick that follows', async () => {
    const db = await backend.create();
    await db.actors.spawn(quietScript('worker'), 'work', { id: 'reader' });
    await db.mailbox.enqueue(message('m-reader', 'reader'));
    const groups = recordGroups(db);
    const tick = db.mailbox.beginTick('reader');
    // The tick's read is under way when the mark arrives; it commits once the read is answered.
    const reading = tick.state.get('reader');
    const marked = db.mailbox.markPublished(['sent-before']);
    const committed = reading.then(async () => {
      await tick.state.update('reader', { state: 'paused' });
      await tick.commit('m-reader', [], []);
    });
    await Promise.all([marked, committed]);
    expect(groups).toEqual([2]);
    expect((await db.actors.get('reader'))?.state).toBe('paused');

    // With nothing under way, a mark is written at once, alone.
    await db.mailbox.markPublished(['sent-after']);
    expect(groups).toEqual([2, 1]);
  });

  it('does not hold publish marks back behind a steady stream of reads', async () => {
    const db = await backend.create();
    await db.actors.spawn(quietScript('worker'), 'work', { id: 'busy' });
    let marked = false;
    const mark = db.mailbox.markPublished(['sent']).then(() => {
      marked = true;
    });
    let reads = 0;
    while (!marked && reads < 50) {
      await db.actors.get('busy');
      reads++;
    }
    await mark;
    // Written after a few reads at most, not once the reads stopped.
    expect(reads).toBeLessThan(50);
  });
});

describe('group commit when PostgreSQL is cut off (through a TCP proxy)', () => {
  const proxy = new CuttableProxy({ host: '127.0.0.1', port: 5432 });
  const schema = testSchema();
  afterAll(async () => {
    await proxy.close();
    await dropSchema(schema);
  });

  it('fails every tick of the group with STORE_UNAVAILABLE naming its actor, then commits them once it is back', async () => {
    const port = await proxy.listen();
    const db = await openPostgresPersistence({
      connectionString: `postgres://postgres@127.0.0.1:${port}/test`,
      schema,
      scripts: contractScripts(),
      connectionTimeoutMs: 500,
    });
    const ids = Array.from({ length: 10 }, (_, index) => `cut-${index}`);
    for (const id of ids) await db.actors.spawn(quietScript('worker'), 'work', { id });
    await Promise.all(ids.map((id) => db.mailbox.enqueue(message(`m-${id}`, id))));
    const ticks = await Promise.all(ids.map((id) => countingTick(db, id)));

    proxy.cut();
    const results = await Promise.allSettled(
      ticks.map((tick, index) => tick.commit(`m-${ids[index]}`, [], reply(ids[index]!))),
    );
    results.forEach((result, index) => {
      expect(result).toMatchObject({
        status: 'rejected',
        reason: { code: 'STORE_UNAVAILABLE', details: { actorId: ids[index] } },
      });
    });
    proxy.restore();

    // Nothing was written; run again, every tick commits once.
    expect(await db.mailbox.stats()).toEqual({ pending: 10, acknowledged: 0, unpublished: 0 });
    const again = await Promise.all(ids.map((id) => countingTick(db, id)));
    await Promise.all(
      again.map((tick, index) => tick.commit(`m-${ids[index]}`, [], reply(ids[index]!))),
    );
    expect(await db.mailbox.stats()).toEqual({ pending: 0, acknowledged: 10, unpublished: 10 });
    for (const id of ids) expect((await db.actors.get(id))?.metadata).toEqual({ ticks: 1 });
    await db.close();
  }, 30_000);
});

describe('group commit over a driver without commitGroup (a plain SqlDriver)', () => {
  it('commits each write in its own transaction, with the same outcomes', async () => {
    const backend = backends[0]!();
    try {
      const store = await backend.create();
      const { driver } = store;
      // Only the methods every SqlDriver has.
      const plain: SqlDriver = {
        dialect: driver.dialect,
        all: (sql, params) => driver.all(sql, params),
        run: (sql, params) => driver.run(sql, params),
        batch: (statements) => driver.batch(statements),
        close: async () => {},
      };
      const db = new Persistence(plain, { scripts: contractScripts() });
      const ids = ['plain-0', 'plain-1', 'plain-2'];
      for (const id of ids) await db.actors.spawn(quietScript('worker'), 'work', { id });
      expect(
        await Promise.all(ids.map((id) => db.mailbox.enqueue(message(`m-${id}`, id)))),
      ).toEqual([true, true, true]);
      expect(await db.mailbox.enqueue(message('m-plain-0', 'plain-0'))).toBe(false);
      const ticks = await Promise.all(ids.map((id) => countingTick(db, id)));
      await db.actors.update('plain-1', { name: 'changed meanwhile' });
      const results = await Promise.allSettled(
        ticks.map((tick, index) => tick.commit(`m-${ids[index]}`, [], [])),
      );
      expect(results.map((result) => result.status)).toEqual([
        'fulfilled',
        'rejected',
        'fulfilled',
      ]);
      expect(results[1]).toMatchObject({ reason: { code: 'VERSION_CONFLICT' } });
      expect((await db.mailbox.stats()).acknowledged).toBe(2);
    } finally {
      await backend.cleanup();
    }
  });
});
