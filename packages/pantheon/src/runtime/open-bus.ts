import type { NatsConnection } from '@nats-io/transport-node';
import { type MessageBus, PantheonError } from '@promethean-os/pantheon-core';
import { errorMessage } from '@promethean-os/pantheon-core/adapter-kit';
import { redactUrl } from '../config/config-environment';
import type { BusConfig } from '../config/config-schema';
import type { Resource } from './resource';

/** The JetStream stream of `adapters.bus` when it names none. */
export const DEFAULT_NATS_STREAM = 'pantheon';

type NatsBusConfig = Extract<BusConfig, { type: 'nats' }>;

/** A networked bus and the resource that probes and closes it. */
export interface OpenedBus {
  bus: MessageBus;
  resource: Resource;
}

/** A NATS connection with JetStream, and the resource that probes `stream` and closes it. */
export interface OpenedNats {
  connection: NatsConnection;
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
 * Connects to NATS (reconnecting forever once connected) and checks that JetStream answers; the
 * resource probes `stream` (JetStream itself answers) and drains the connection on close. A
 * server that cannot be reached, or runs without JetStream, is `BUS_UNAVAILABLE`.
 */
export async function openNats(config: NatsBusConfig, stream: string): Promise<OpenedNats> {
  const servers = config.url.split(',').map((server) => server.trim());
  const description = `nats ${servers.map(redactUrl).join(',')} stream ${stream}`;
  const { connect } = await import('@nats-io/transport-node');
  const { jetstreamManager } = await import('@nats-io/jetstream');
  let connection: NatsConnection;
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
    const manager = await jetstreamManager(connection);
    return {
      connection,
      resource: {
        name: 'bus',
        description,
        probe: async () => {
          await manager.streams.info(stream);
        },
        close: async () => {
          await connection.drain().catch(() => connection.close());
        },
      },
    };
  } catch (error) {
    await connection.close().catch(() => undefined);
    throw unreachable(description, error);
  }
}

/**
 * Connects to NATS and opens the JetStream bus on the stream, with a durable consumer named after
 * it: one process per stream (several processes need the `cluster` section). `undefined` for
 * `memory`. A server that cannot be reached at start, or without JetStream, is `BUS_UNAVAILABLE`.
 */
export async function openBus(config: BusConfig): Promise<OpenedBus | undefined> {
  if (config.type === 'memory') return undefined;
  const stream = config.stream ?? DEFAULT_NATS_STREAM;
  const nats = await openNats(config, stream);
  const { createNatsMessageBus } = await import('@promethean-os/pantheon-adapters/nats');
  try {
    const bus = await createNatsMessageBus({
      connection: nats.connection,
      stream,
      consumer: { durableName: stream, takeOver: true },
    });
    return {
      bus,
      resource: {
        ...nats.resource,
        close: async () => {
          await bus.close();
          await nats.resource.close();
        },
      },
    };
  } catch (error) {
    await nats.connection.close().catch(() => undefined);
    throw unreachable(nats.resource.description, error);
  }
}
