import { describeSchedulerContract, realTimeHarness } from '@promethean-os/pantheon-test/contracts';
import { realTimeScheduler } from './real-time';

// Also checks `realTimeHarness`: the suite on real timers, with short real waits.
describeSchedulerContract('realTimeScheduler (internal, real timers)', () =>
  realTimeHarness(realTimeScheduler),
);
