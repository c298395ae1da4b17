import {
  AckPolicy,
  DeliverPolicy,
  type JsMsg,
  jetstream,
  jetstreamManager,
} from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import pg from 'pg';

/** Where the raw durable loop runs and how much it does. */
export interface RawDurableOptions {
  natsUrl: string;
  postgresUrl: string;
  /** A schema made by the persistence's migrations (the loop writes into its tables). */
  schema: string;
  messages: number;
  actors: number;
  partitions: number;
  /** Publishes in flight at most, as the cluster bench's sender. */
  inFlight: number;
}

interface Sent {
  id: string;
  to: string;
  content: string;
}

/**
 * The cluster's work for each message, written by hand on the raw clients in one process and
 * batched as far as it goes — the floor under what `PantheonCluster` can do with the same
 * engines. Per message: a JetStream publish with `Nats-Msg-Id` (the sender); consumed from the
 * partition subjects, stored in `pantheon_mailbox` and acknowledged; a "tick" that reads the
 * actor and its recent history and commits the acknowledgement, the actor's update, two history
 * rows and the reply in the outbox; the reply published on JetStream and marked published; the
 * reply consumed and acknowledged (the asker). Every batch of messages that arrived together
 * shares one statement per step (`unnest` arrays), as a hand-tuned loop would. Resolves
 * messages/s and this process's CPU ms per message (PostgreSQL's and NATS's own not counted).
 */
export async function rawDurableLoop(
  options: RawDurableOptions,
): Promise<{ perSecond: number; cpuMs: number }> {
  const connection = await connect({ servers: options.natsUrl });
  const jsm = await jetstreamManager(connection);
  const stream = `bench_rawd_${crypto.randomUUID().slice(0, 8)}`;
  const pool = new pg.Pool({
    connectionString: options.postgresUrl,
    max: 4,
    options: `-c search_path=${options.schema} -c synchronous_commit=off`,
  });
  const run = crypto.randomUUID().slice(0, 8);
  const actors = Array.from({ length: options.actors }, (_, index) => `rawd-${index}`);
  try {
    await jsm.streams.add({ name: stream, subjects: [`${stream}.>`] });
    for (const [name, subject] of [
      ['messages', `${stream}.p.*`],
      ['replies', `${stream}.r.*`],
    ] as const) {
      await jsm.consumers.add(stream, {
        durable_name: name,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.All,
        filter_subject: subject,
      });
    }
    await pool.query(
      `INSERT INTO pantheon_actors (id, script_name, script_data, goals, state, created_at,
        updated_at, version)
       SELECT id, 'bench-replier', '{}', '["bench"]', 'idle', 0, 0, 1 FROM unnest($1::text[]) AS id
       ON CONFLICT (id) DO NOTHING`,
      [actors],
    );
    const js = jetstream(connection);
    const cpu = process.cpuUsage();
    const started = performance.now();

    /** One batch of consumed messages: stored, acknowledged, ticked, answered, marked. */
    const handle = async (batch: JsMsg[]) => {
      const sent = batch.map((message) => message.json<Sent>());
      const ids = sent.map((message) => message.id);
      const recipients = [...new Set(sent.map((message) => message.to))];
      const now = Date.now();
      await pool.query(
        `INSERT INTO pantheon_mailbox (id, recipient, message, enqueued_at)
         SELECT id, recipient, message, $4 FROM unnest($1::text[], $2::text[], $3::text[])
           AS rows (id, recipient, message)
         ON CONFLICT (id) DO NOTHING`,
        [
          ids,
          sent.map((message) => message.to),
          sent.map((message) => JSON.stringify(message)),
          now,
        ],
      );
      for (const message of batch) message.ack();
      await pool.query(
        'SELECT id, state, metadata, version FROM pantheon_actors WHERE id = ANY($1)',
        [recipients],
      );
      await pool.query(
        `SELECT actor_id, message FROM pantheon_history WHERE actor_id = ANY($1)
         ORDER BY seq DESC LIMIT 20`,
        [recipients],
      );
      const replies = sent.map((message) => ({
        id: `${message.id}:0`,
        from: message.to,
        to: 'user',
        content: 'ok',
      }));
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        await client.query(
          'UPDATE pantheon_mailbox SET acked_at = $2 WHERE id = ANY($1) AND acked_at IS NULL',
          [ids, now],
        );
        await client.query(
          `UPDATE pantheon_actors SET state = 'idle', metadata = $2, updated_at = $3,
             version = version + 1 WHERE id = ANY($1)`,
          [recipients, JSON.stringify({ lastTick: { at: now } }), now],
        );
        await client.query(
          `INSERT INTO pantheon_history (actor_id, message, created_at)
           SELECT actor_id, message, $3 FROM unnest($1::text[], $2::text[]) AS rows (actor_id, message)`,
          [
            sent.flatMap((message) => [message.to, message.to]),
            sent.flatMap((message, index) => [
              JSON.stringify(message),
              JSON.stringify(replies[index]),
            ]),
            now,
          ],
        );
        await client.query(
          `INSERT INTO pantheon_outbox (id, message, created_at)
           SELECT id, message, $3 FROM unnest($1::text[], $2::text[]) AS rows (id, message)`,
          [replies.map((reply) => reply.id), replies.map((reply) => JSON.stringify(reply)), now],
        );
        await client.query('COMMIT');
      } finally {
        client.release();
      }
      await Promise.all(
        replies.map((reply) =>
          js.publish(`${stream}.r.user`, JSON.stringify(reply), { msgID: reply.id }),
        ),
      );
      await pool.query('UPDATE pantheon_outbox SET published_at = $2 WHERE id = ANY($1)', [
        replies.map((reply) => reply.id),
        Date.now(),
      ]);
    };

    // The owner: what arrived during one event-loop turn is one batch; batches run one at a time.
    const owner = (async () => {
      const messages = await (await js.consumers.get(stream, 'messages')).consume({
        max_messages: 256,
      });
      let waiting: JsMsg[] = [];
      let working: Promise<void> = Promise.resolve();
      let received = 0;
      for await (const message of messages) {
        if (waiting.length === 0) {
          working = working
            .then(() => new Promise((resolve) => setImmediate(resolve)))
            .then(() => {
              const batch = waiting;
              waiting = [];
              return handle(batch);
            });
        }
        waiting.push(message);
        if (++received === options.messages) break;
      }
      await working;
      await messages.close();
    })();
    // The asker: every reply, acknowledged.
    const asker = (async () => {
      const replies = await (await js.consumers.get(stream, 'replies')).consume({
        max_messages: 256,
      });
      let answered = 0;
      for await (const reply of replies) {
        reply.ack();
        if (++answered === options.messages) break;
      }
      await replies.close();
    })();
    for (let sent = 0; sent < options.messages; sent += options.inFlight) {
      await Promise.all(
        Array.from({ length: Math.min(options.inFlight, options.messages - sent) }, (_, index) => {
          const number = sent + index;
          const to = actors[number % actors.length]!;
          const message: Sent = { id: `rawd-${run}-${number}`, to, content: 'ping' };
          return js.publish(`${stream}.p.${number % options.partitions}`, JSON.stringify(message), {
            msgID: message.id,
          });
        }),
      );
    }
    await Promise.all([owner, asker]);
    const perSecond = (options.messages / (performance.now() - started)) * 1_000;
    const used = process.cpuUsage(cpu);
    return { perSecond, cpuMs: (used.user + used.system) / 1_000 / options.messages };
  } finally {
    await jsm.streams.delete(stream).catch(() => undefined);
    await connection.close();
    await pool.end();
  }
}
