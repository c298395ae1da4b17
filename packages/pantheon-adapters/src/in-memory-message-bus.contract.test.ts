import { describeMessageBusContract } from '@promethean-os/pantheon-test/contracts';
import { InMemoryMessageBus } from './in-memory-message-bus';

describeMessageBusContract('InMemoryMessageBus', () => new InMemoryMessageBus());
