import { describeToolPortContract } from '@promethean-os/pantheon-test/contracts';
import { MockToolAdapter } from './index';

describeToolPortContract('MockToolAdapter', () => new MockToolAdapter());
