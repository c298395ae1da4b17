import { describeActorStatePortContract } from '@promethean-os/pantheon-test/contracts';
import { createMockActorState } from './index';

// The contract's `update` of an unknown id is ACTOR_NOT_FOUND; the mock's default upserts.
describeActorStatePortContract('MockActorState (unknownIds: reject)', () =>
  createMockActorState({ unknownIds: 'reject' }),
);
