import { describeMessageBusContract } from '@promethean-os/pantheon-test/contracts';
import { createMockMessageBus } from './index';

describeMessageBusContract('MockMessageBus', () => createMockMessageBus());
