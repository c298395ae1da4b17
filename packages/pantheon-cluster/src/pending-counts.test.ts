import { jetstreamManager } from '@nats-io/jetstream';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { ClusterFixture, DatabaseProxy, ECHO_SCRIPT } from './cluster.test-support';

const eventually = (assertion: () => unknown, timeout = 15_000) =>
  vi.waitFor(assertion, { timeout, interval: 50 });

/** Messages published to the actors' partition subjects so far. */
async function published(
  connection: Parameters<typeof jetstreamManager>[0],
  name: string,
): Promise<number> {
  const jsm = await jetstreamManager(connection);
  const info = await jsm.streams.info(name, { subjects_filter: `${name}.p.>` });
  return Object.values(info.state.subjects ?? {}).reduce((sum, count) => sum + count, 0);
}

describe("sendMessage's MAILBOX_FULL check, one count query per burst of sends", () => {
  const fixture = new ClusterFixture();
  afterAll(() => fixture.cleanup(), 30_000);
  afterEach(() => fixture.shutdownNodes(), 30_000);

  it('counts each actor as it is when the sends of a turn are checked together', async () => {
    const a = await fixture.node({ limits: { mailboxCapacity: 2 } });
    for (const id of ['full', 'roomy']) {
      // Never started: what they are sent waits in their durable mailboxes.
      await a.cluster.createActor({ id, name: id, script: ECHO_SCRIPT, goals: ['Echo'] });
    }
    const kept = [
      await a.cluster.sendMessage('full', 'one'),
      await a.cluster.sendMessage('full', 'two'),
    ];
    const pending = async (actorId: string) =>
      (await a.db.mailbox.pending()).filter((message) => message.to === actorId);
    await eventually(async () => expect(await pending('full')).toHaveLength(2));
    const before = await published(a.connection, fixture.name);

    const all = vi.spyOn(a.db.driver, 'all');
    const outcomes = await Promise.allSettled([
      a.cluster.sendMessage('full', 'three'),
      a.cluster.sendMessage('roomy', 'a'),
      a.cluster.sendMessage('full', 'four'),
      a.cluster.sendMessage('roomy', 'b'),
    ]);
    const counts = all.mock.calls.filter(([sql]) => sql.includes('AS pending'));
    all.mockRestore();

    expect(outcomes.map((outcome) => outcome.status)).toEqual([
      'rejected',
      'fulfilled',
      'rejected',
      'fulfilled',
    ]);
    for (const index of [0, 2]) {
      expect((outcomes[index] as PromiseRejectedResult).reason).toMatchObject({
        code: 'MAILBOX_FULL',
        actorId: 'full',
      });
    }
    // The four sends were checked by one query.
    expect(counts).toHaveLength(1);
    // Nothing lost, nothing extra: the full mailbox holds its two, the other the two accepted,
    // and only those two were published.
    expect((await pending('full')).map((message) => message.id)).toEqual(kept);
    await eventually(async () =>
      expect((await pending('roomy')).map((message) => message.content)).toEqual(['a', 'b']),
    );
    expect(await published(a.connection, fixture.name)).toBe(before + 2);
    await a.cluster.shutdown();
  }, 40_000);

  it('a failed count rejects every send of its burst with STORE_UNAVAILABLE, publishing none', async () => {
    const proxy = await DatabaseProxy.start();
    try {
      const a = await fixture.node({ postgresUrl: proxy.url });
      await a.cluster.createActor({ id: 'cut', name: 'cut', script: ECHO_SCRIPT, goals: ['Echo'] });
      const before = await published(a.connection, fixture.name);
      proxy.cut();
      const outcomes = await Promise.allSettled([
        a.cluster.sendMessage('cut', 'one'),
        a.cluster.sendMessage('cut', 'two'),
      ]);
      for (const outcome of outcomes) {
        expect(outcome.status).toBe('rejected');
        expect((outcome as PromiseRejectedResult).reason).toMatchObject({
          name: 'PantheonError',
          code: 'STORE_UNAVAILABLE',
          details: { actorId: 'cut' },
        });
      }
      expect(await published(a.connection, fixture.name)).toBe(before);
      // Back: the same send goes through.
      proxy.restore();
      await eventually(() => a.cluster.sendMessage('cut', 'three'));
      expect(await published(a.connection, fixture.name)).toBe(before + 1);
      await a.cluster.shutdown();
    } finally {
      await proxy.close();
    }
  }, 40_000);
});
