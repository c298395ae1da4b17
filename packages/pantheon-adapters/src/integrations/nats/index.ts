/**
 * `@promethean-os/pantheon-adapters/nats`: `createNatsMessageBus`, a `MessageBus` on NATS
 * JetStream (de-duplicated by message id, ordered per recipient, acknowledged after the handlers,
 * malformed messages dead-lettered). Needs the optional peers `@nats-io/transport-node` and
 * `@nats-io/jetstream`.
 *
 * @packageDocumentation
 */
export {
  createNatsMessageBus,
  type NatsConsumerOptions,
  type NatsDeadLetter,
  NatsMessageBus,
  type NatsMessageBusOptions,
  subjectToken,
} from './nats-message-bus';
