/**
 * The real services the tests run against — PostgreSQL (through a proxy a test can cut) and NATS
 * (the shared server, or one of the test's own to kill) — from the test support of the packages
 * that own them, plus clean-up of the test's JetStream streams.
 */
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { NATS_URL } from '../../pantheon-adapters/src/integrations/nats/nats-server.test-support';

export {
  freePort,
  NATS_URL,
  OwnNatsServer,
} from '../../pantheon-adapters/src/integrations/nats/nats-server.test-support';
export {
  CuttableProxy,
  dropSchema,
  POSTGRES_URL,
  testSchema,
} from '../../pantheon-persistence/src/backends.test-support';

/** A JetStream stream name of its own for one test. */
export function testStream(): string {
  return `pantheon_umbrella_${process.pid}_${crypto.randomUUID().slice(0, 8)}`;
}

/** Deletes the streams (and their durable consumers) from the server at `url`. */
export async function deleteStreams(names: readonly string[], url = NATS_URL): Promise<void> {
  const connection = await connect({ servers: url });
  try {
    const manager = await jetstreamManager(connection);
    for (const name of names) await manager.streams.delete(name).catch(() => undefined);
  } finally {
    await connection.close();
  }
}
