import { describeToolPortContract } from '@promethean-os/pantheon-test/contracts';
import { InMemoryToolAdapter } from './in-memory-tool-adapter';

describeToolPortContract('InMemoryToolAdapter', () => new InMemoryToolAdapter());
