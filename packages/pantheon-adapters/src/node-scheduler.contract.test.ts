import { describeSchedulerContract, realTimeHarness } from '@promethean-os/pantheon-test/contracts';
import { NodeScheduler } from './node-scheduler';

describeSchedulerContract('NodeScheduler', () => realTimeHarness(new NodeScheduler()));
