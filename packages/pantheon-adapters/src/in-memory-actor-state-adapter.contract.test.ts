import { describeActorStatePortContract } from '@promethean-os/pantheon-test/contracts';
import { InMemoryActorStateAdapter } from './in-memory-actor-state-adapter';

describeActorStatePortContract('InMemoryActorStateAdapter', () => new InMemoryActorStateAdapter());
