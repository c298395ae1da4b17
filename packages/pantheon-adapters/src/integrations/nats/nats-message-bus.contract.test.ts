import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { describeMessageBusContract } from '@promethean-os/pantheon-test/contracts';
import { afterAll, beforeAll } from 'vitest';
import { createNatsMessageBus, type NatsMessageBus } from './nats-message-bus';
import { NATS_URL } from './nats-server.test-support';

let connection: NatsConnection;
const streams: string[] = [];
const run = crypto.randomUUID().slice(0, 8);

beforeAll(async () => {
  connection = await connect({ servers: NATS_URL });
});

afterAll(async () => {
  const jsm = await jetstreamManager(connection);
  for (const stream of streams) await jsm.streams.delete(stream).catch(() => undefined);
  await connection.close();
});

describeMessageBusContract(
  'NatsMessageBus',
  async () => {
    // One stream per test, so a test never sees another one's messages.
    const stream = `pantheon_contract_${run}_${streams.length}`;
    streams.push(stream);
    return createNatsMessageBus({ connection, stream, onHandlerError: () => {} });
  },
  { cleanup: (bus: NatsMessageBus) => bus.close(), deliveryTimeoutMs: 5_000 },
);
