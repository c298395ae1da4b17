import { type MessageBus, PantheonError } from '@promethean-os/pantheon-core';
import { errorMessage } from '@promethean-os/pantheon-core/adapter-kit';
import { redactUrl } from '../config/config-environment';
import type { BusConfig } from '../config/config-schema';
import type { Resource } from './resource';

/** The JetStream stream of `adapters.bus` when it names none. */
export const DEFAULT_NATS_STREAM = 'pantheon';

/** A networked bus and the resource that probes and closes it. */
export interface OpenedBus {
  bus: MessageBus;
  resource: Resource;
}

function unreachable(description: string, error: unknown): PantheonError {
  return new PantheonError(
    `Cannot use the NATS message bus (${description}): ${errorMessage(error)}. Check that nats-server runs with JetStream (nats-server -js) and is reachable, and adapters.bus (or PANTHEON_BUS_URL)`,
    'BUS_UNAVAILABLE',
    { field: 'adapters.bus', bus: description },
    { cause: error },
  );
}

/**
 * Connects to NATS (reconnecting forever once connected) and opens the JetStream bus on the
 * stream, with a durable consumer named after it: one process per stream (several processes
 * need `PantheonCluster`). `undefined` for `memory`. A server that cannot be reached at start,
 * or without JetStream, is `BUS_UNAVAILABLE`.
 */
export async function openBus(config: BusConfig): Promise<OpenedBus | undefined> {
  if (config.type === 'memory') return undefined;
  const stream = config.stream ?? DEFAULT_NATS_STREAM;
  const servers = config.url.split(',').map((server) => server.trim());
  const description = `nats ${servers.map(redactUrl).join(',')} stream ${stream}`;
  const { connect } = await import('@nats-io/transport-node');
  const { jetstreamManager } = await import('@nats-io/jetstream');
  const { createNatsMessageBus } = await import('@promethean-os/pantheon-adapters/nats');
  let connection: Awaited<ReturnType<typeof connect>>;
  try {
    connection = await connect({
      servers,
      name: `pantheon-${stream}`,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 500,
      pingInterval: 10_000,
    });
  } catch (error) {
    throw unreachable(description, error);
  }
  try {
    const bus = await createNatsMessageBus({
      connection,
      stream,
      consumer: { durableName: stream, takeOver: true },
    });
    const manager = await jetstreamManager(connection);
    return {
      bus,
      resource: {
        name: 'bus',
        description,
        // The stream's info comes from JetStream itself: the server is up and JetStream answers.
        probe: async () => {
          await manager.streams.info(stream);
        },
        close: async () => {
          await bus.close();
          await connection.drain().catch(() => connection.close());
        },
      },
    };
  } catch (error) {
    await connection.close().catch(() => undefined);
    throw unreachable(description, error);
  }
}
