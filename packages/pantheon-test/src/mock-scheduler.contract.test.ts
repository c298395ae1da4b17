import {
  describeSchedulerContract,
  virtualTimeHarness,
} from '@promethean-os/pantheon-test/contracts';
import { createMockScheduler } from './index';

describeSchedulerContract('MockScheduler', () => virtualTimeHarness(createMockScheduler()));
