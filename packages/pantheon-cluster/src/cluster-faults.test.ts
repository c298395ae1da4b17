import { jetstreamManager } from '@nats-io/jetstream';
import type { Persistence } from '@promethean-os/pantheon-persistence';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ClusterFixture, DatabaseProxy, OwnNatsServer } from './cluster.test-support';
import type { PantheonCluster } from './pantheon-cluster';
import { TickLedger } from './tick-ledger.test-support';

const eventually = (assertion: () => unknown, timeout = 20_000) =>
  vi.waitFor(assertion, { timeout, interval: 50 });

const ACTORS = Array.from({ length: 8 }, (_, index) => `account-${index}`);

/** Sends each actor its next sequence number; counts only what `sendMessage` accepted. */
function sequencer() {
  const accepted = new Map<string, number>(ACTORS.map((id) => [id, 0]));
  return {
    accepted,
    async send(cluster: PantheonCluster, actor: string): Promise<string> {
      const sequence = accepted.get(actor)! + 1;
      const id = await cluster.sendMessage(actor, String(sequence));
      accepted.set(actor, sequence);
      return id;
    },
    /** Asks with the next sequence number; resolves the answer's content. */
    async ask(cluster: PantheonCluster, actor: string): Promise<string> {
      const sequence = accepted.get(actor)! + 1;
      const answer = await cluster.ask(actor, String(sequence), { timeoutMs: 20_000 });
      accepted.set(actor, sequence);
      return `${answer.content} (asked ${sequence})`;
    },
    total: () => [...accepted.values()].reduce((sum, count) => sum + count, 0),
  };
}

/** Messages ticks committed and that are not published yet. */
async function unpublished(db: Persistence): Promise<number> {
  const [row] = await db.driver.all<{ count: number | string }>(
    'SELECT COUNT(*) AS count FROM pantheon_outbox WHERE published_at IS NULL',
  );
  return Number(row?.count);
}

describe('PantheonCluster when NATS goes down and comes back', () => {
  let server: OwnNatsServer;
  let fixture: ClusterFixture;
  beforeAll(async () => {
    server = await OwnNatsServer.start();
    fixture = new ClusterFixture(server.url);
  });
  afterEach(() => fixture.shutdownNodes(), 30_000);
  /** True while the test has the broker killed (so that clean-up brings it back first). */
  let down = false;
  afterAll(async () => {
    if (down) await server.restart();
    await fixture.cleanup();
    await server.stop();
  }, 60_000);

  it('fails sends with BUS_UNAVAILABLE or holds them until NATS is back; every accepted message is handled once, in order', async () => {
    const ledger = new TickLedger();
    // a gives up publishing after 1 s, b keeps trying for 30 s. A delivery lost with the broker
    // comes again after `ackWaitMs`.
    const a = await fixture.node({
      nodeId: 'a',
      scripts: ledger.scripts('a'),
      timing: { publishTimeoutMs: 1_000, ackWaitMs: 2_000 },
    });
    ledger.watch(a.cluster);
    const b = await fixture.node({
      nodeId: 'b',
      scripts: ledger.scripts('b'),
      timing: { publishTimeoutMs: 30_000, ackWaitMs: 2_000 },
    });
    ledger.watch(b.cluster);
    for (const id of ACTORS) {
      await a.cluster.createActor({ id, name: id, script: TickLedger.script, goals: ['Record'] });
      await a.cluster.startActor(id);
    }
    await eventually(() => {
      expect(a.cluster.ownedPartitions()).toHaveLength(8);
      expect(b.cluster.ownedPartitions()).toHaveLength(8);
    });
    const owned = [...a.cluster.ownedPartitions(), ...b.cluster.ownedPartitions()];
    const traffic = sequencer();
    const answers = new Set<string>();
    a.cluster.on('reply', ({ message }) => answers.add(message.id as string));

    // 1. Traffic before the crash, from both processes.
    for (const [index, id] of ACTORS.entries())
      await traffic.send(index % 2 ? a.cluster : b.cluster, id);
    await eventually(async () => {
      for (const id of ACTORS) expect(await ledger.log(a.db, id)).toHaveLength(1);
    });

    // 2. Messages stored by their owners whose ticks are still running when the broker dies:
    // they commit while it is down, and their answers wait in the outbox. A burst accepted just
    // before the crash is in flight (being stored, acknowledged) when it happens.
    ledger.hold();
    for (const id of ACTORS) await traffic.send(a.cluster, id);
    await eventually(() =>
      expect(
        new Set(ledger.attempts.filter((t) => t.sequence === 2).map((t) => t.actor)).size,
      ).toBe(ACTORS.length),
    );
    await eventually(async () => expect(await unpublished(a.db)).toBe(0));
    await Promise.all(
      ACTORS.map((id, index) => traffic.send(index % 2 ? a.cluster : b.cluster, id)),
    );
    await server.kill();
    down = true;
    ledger.release();
    await eventually(async () => {
      for (const id of ACTORS)
        expect((await ledger.log(a.db, id)).length).toBeGreaterThanOrEqual(2);
    });
    expect(await unpublished(a.db)).toBeGreaterThanOrEqual(ACTORS.length);

    // 3. While it is down: a's send and ask fail typed (nothing accepted); b's sends wait.
    await expect(a.cluster.sendMessage(ACTORS[0]!, 'refused')).rejects.toMatchObject({
      code: 'BUS_UNAVAILABLE',
    });
    await expect(a.cluster.ask(ACTORS[1]!, 'refused', { timeoutMs: 10_000 })).rejects.toMatchObject(
      {
        code: 'BUS_UNAVAILABLE',
      },
    );
    const held = ACTORS.map((id) => traffic.send(b.cluster, id));

    // 4. The broker comes back on the same port with the same store.
    await server.restart();
    down = false;
    await Promise.all(held);
    for (const [index, id] of ACTORS.entries())
      await traffic.send(index % 2 ? a.cluster : b.cluster, id);
    // The answers come back to the asking process: its replies consumer resumed too.
    expect(await traffic.ask(a.cluster, ACTORS[2]!)).toBe(`${ACTORS[2]}:6 (asked 6)`);
    await eventually(async () => {
      for (const [id, count] of traffic.accepted)
        expect(await ledger.log(a.db, id)).toHaveLength(count);
    }, 30_000);
    await ledger.check(a.db, traffic.accepted);
    // No process restarted and no partition moved: the same owners, at the same epochs.
    expect([...a.cluster.ownedPartitions(), ...b.cluster.ownedPartitions()]).toEqual(owned);
    // Every answer was published once (the outbox emptied; JetStream stored each id once).
    await eventually(async () => expect(await unpublished(a.db)).toBe(0));
    const jsm = await jetstreamManager(a.connection);
    const info = await jsm.streams.info(fixture.name, { subjects_filter: `${fixture.name}.r.>` });
    expect(info.state.subjects?.[`${fixture.name}.r.user`]).toBe(traffic.total());
    await eventually(() => expect(answers.size).toBe(traffic.total()));
  }, 90_000);
});

/** Every log line of a process, with its fields. */
function logBook() {
  const lines: { message: string; [field: string]: unknown }[] = [];
  return {
    lines,
    log: (message: string, fields?: Record<string, unknown>) => lines.push({ message, ...fields }),
  };
}

describe('PantheonCluster when PostgreSQL goes away', () => {
  // A cluster (schema, stream) and a cuttable proxy to the shared PostgreSQL per test.
  const fixtures: ClusterFixture[] = [];
  const proxies: DatabaseProxy[] = [];
  const cluster = async () => {
    const fixture = new ClusterFixture();
    fixtures.push(fixture);
    const database = await DatabaseProxy.start();
    proxies.push(database);
    return { fixture, database };
  };
  afterEach(async () => {
    for (const fixture of fixtures) await fixture.shutdownNodes();
  }, 30_000);
  afterAll(async () => {
    for (const database of proxies) await database.close();
    for (const fixture of fixtures) await fixture.cleanup();
  }, 60_000);

  it('fails ticks with STORE_UNAVAILABLE, leaves what it could not store unacknowledged on JetStream, and resumes by itself', async () => {
    const { fixture, database } = await cluster();
    const ledger = new TickLedger();
    const book = logBook();
    // The outage is shorter than the lease: the owners keep their partitions.
    const timing = { leaseMs: 15_000, heartbeatMs: 250 };
    const nodes = [];
    for (const nodeId of ['a', 'b']) {
      const node = await fixture.node({
        nodeId,
        postgresUrl: database.url,
        scripts: ledger.scripts(nodeId),
        timing,
        log: book.log,
      });
      ledger.watch(node.cluster);
      nodes.push(node);
    }
    const [a, b] = nodes as [(typeof nodes)[0], (typeof nodes)[0]];
    // A client in front of the cluster (a web server) that still reaches the database.
    const front = await fixture.node({ member: false, scripts: ledger.scripts('front') });
    for (const id of ACTORS) {
      await front.cluster.createActor({
        id,
        name: id,
        script: TickLedger.script,
        goals: ['Record'],
      });
      await front.cluster.startActor(id);
    }
    await eventually(() => {
      expect(a.cluster.ownedPartitions()).toHaveLength(8);
      expect(b.cluster.ownedPartitions()).toHaveLength(8);
    });
    const owned = [...a.cluster.ownedPartitions(), ...b.cluster.ownedPartitions()];
    const failures: string[] = [];
    const stopped: string[] = [];
    front.cluster.on('actor.restarted', ({ error }) => failures.push(error.code));
    front.cluster.on('actor.failed', ({ actorId }) => stopped.push(actorId));
    const traffic = sequencer();
    for (const [index, id] of ACTORS.entries())
      await traffic.send([front, a, b][index % 3]!.cluster, id);
    await eventually(async () => {
      for (const id of ACTORS) expect(await ledger.log(front.db, id)).toHaveLength(1);
    });

    // Ticks are running (past their read, before their commit) when the database goes away.
    ledger.hold();
    for (const id of ACTORS) await traffic.send(front.cluster, id);
    await eventually(() =>
      expect(
        new Set(ledger.attempts.filter((t) => t.sequence === 2).map((t) => t.actor)).size,
      ).toBe(ACTORS.length),
    );
    database.cut();
    ledger.release();
    // Their commits fail typed; the runtime retries them.
    await eventually(() =>
      expect(failures.filter((code) => code === 'STORE_UNAVAILABLE').length).toBeGreaterThanOrEqual(
        ACTORS.length,
      ),
    );
    // A process cut from the database refuses sends typed (nothing published), and control;
    // of actors it knows (it sent them messages before) too.
    await expect(a.cluster.sendMessage(ACTORS[1]!, 'refused')).rejects.toMatchObject({
      code: 'STORE_UNAVAILABLE',
    });
    await expect(b.cluster.ask(ACTORS[2]!, 'refused', { timeoutMs: 10_000 })).rejects.toMatchObject(
      { code: 'STORE_UNAVAILABLE' },
    );
    await expect(a.cluster.stopActor(ACTORS[4]!)).rejects.toMatchObject({
      code: 'STATE_UNAVAILABLE',
    });
    // The client still accepts messages: JetStream holds them; their owners cannot store them,
    // so they stay unacknowledged.
    const during: string[] = [];
    for (const id of ACTORS) during.push(await traffic.send(front.cluster, id));
    await eventually(() => {
      const refused = new Set(
        book.lines
          .filter((line) => line.message === 'Storing a cluster message failed; retrying')
          .map((line) => {
            expect(line.code).toBe('STORE_UNAVAILABLE');
            return line.messageId;
          }),
      );
      for (const id of during) expect(refused).toContain(id);
    });
    const jsm = await jetstreamManager(front.connection);
    let waiting = 0;
    for await (const consumer of jsm.consumers.list(fixture.name)) {
      if (consumer.name.startsWith(`${fixture.name}-p`))
        waiting += consumer.num_ack_pending + consumer.num_pending;
    }
    expect(waiting).toBe(during.length);
    // Past supervision's default maxFailures (5 in 10 s), an outage stops no actor.
    await eventually(() => expect(failures.length).toBeGreaterThan(ACTORS.length * 5));

    database.restore();
    for (const id of ACTORS) await traffic.send(b.cluster, id);
    await eventually(async () => {
      for (const [id, count] of traffic.accepted)
        expect(await ledger.log(front.db, id)).toHaveLength(count);
    }, 30_000);
    await ledger.check(front.db, traffic.accepted);
    expect(stopped).toEqual([]);
    expect(
      failures.every((code) =>
        ['STORE_UNAVAILABLE', 'STATE_UNAVAILABLE', 'CONTEXT_UNAVAILABLE'].includes(code),
      ),
      failures.join(),
    ).toBe(true);
    expect([...a.cluster.ownedPartitions(), ...b.cluster.ownedPartitions()]).toEqual(owned);
    // The answers were published once the database was back.
    await eventually(async () => expect(await unpublished(front.db)).toBe(0));
  }, 60_000);

  it('fences a process cut from the database: its partitions move to the others and come back, never two owners at once', async () => {
    const { fixture, database } = await cluster();
    const ledger = new TickLedger();
    const timing = { leaseMs: 1_500, heartbeatMs: 100, handoverTimeoutMs: 2_000 };
    const released: { partition: number; lost: boolean }[] = [];
    const a = await fixture.node({
      nodeId: 'a',
      postgresUrl: database.url,
      scripts: ledger.scripts('a'),
      timing,
    });
    ledger.watch(a.cluster);
    a.cluster.on('partition.released', ({ partition, lost }) => released.push({ partition, lost }));
    const b = await fixture.node({ nodeId: 'b', scripts: ledger.scripts('b'), timing });
    ledger.watch(b.cluster);
    for (const id of ACTORS) {
      await b.cluster.createActor({ id, name: id, script: TickLedger.script, goals: ['Record'] });
      await b.cluster.startActor(id);
    }
    await eventually(() => expect(a.cluster.ownedPartitions()).toHaveLength(8));
    const mine = a.cluster.ownedPartitions().map((lease) => lease.partition);
    const traffic = sequencer();
    for (const id of ACTORS) await traffic.send(b.cluster, id);
    await eventually(async () => {
      for (const id of ACTORS) expect(await ledger.log(b.db, id)).toHaveLength(1);
    });

    // a's ticks are between their read and their commit when it loses the database.
    ledger.hold();
    for (const id of ACTORS) await traffic.send(b.cluster, id);
    await eventually(() =>
      expect(
        new Set(ledger.attempts.filter((t) => t.sequence === 2).map((t) => t.actor)).size,
      ).toBe(ACTORS.length),
    );
    database.cut();
    await expect(a.cluster.sendMessage(ACTORS[0]!, 'refused')).rejects.toMatchObject({
      code: 'STORE_UNAVAILABLE',
    });
    for (const id of ACTORS) await traffic.send(b.cluster, id);
    // Its leases expire: b takes its partitions, a stops them as lost.
    await eventually(() => {
      expect(b.cluster.ownedPartitions()).toHaveLength(16);
      expect(a.cluster.ownedPartitions()).toEqual([]);
    });
    // Announced once its running ticks stopped (at `handoverTimeoutMs`; none could commit).
    await eventually(() =>
      expect(
        released
          .filter((event) => event.lost)
          .map((event) => event.partition)
          .sort(),
      ).toEqual([...mine].sort()),
    );
    ledger.release();
    await eventually(async () => {
      for (const [id, count] of traffic.accepted)
        expect(await ledger.log(b.db, id)).toHaveLength(count);
    }, 30_000);

    // a gets the database back and its share of the partitions, under new epochs.
    database.restore();
    await eventually(() => expect(a.cluster.ownedPartitions()).toHaveLength(8), 30_000);
    for (const [index, id] of ACTORS.entries())
      await traffic.send(index % 2 ? a.cluster : b.cluster, id);
    await eventually(async () => {
      for (const [id, count] of traffic.accepted)
        expect(await ledger.log(b.db, id)).toHaveLength(count);
    }, 30_000);
    await ledger.check(b.db, traffic.accepted);
  }, 60_000);
});
