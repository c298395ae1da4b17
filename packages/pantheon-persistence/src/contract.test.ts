import {
  describeActorStatePortContract,
  describeContextPortContract,
} from '@promethean-os/pantheon-test/contracts';
import { afterAll } from 'vitest';
import { backends } from './backends.test-support';
import type { DurableActorState } from './durable-actor-state';
import type { DurableContext } from './durable-context';
import type { Persistence } from './persistence';

for (const makeBackend of backends) {
  const backend = makeBackend();
  afterAll(() => backend.cleanup());
  const owners = new WeakMap<object, Persistence>();
  const close = async (port: object) => {
    await owners.get(port)?.close();
  };

  describeActorStatePortContract<DurableActorState>(
    `DurableActorState (${backend.name})`,
    async () => {
      const store = await backend.create();
      owners.set(store.actors, store);
      return store.actors;
    },
    { cleanup: close },
  );

  describeContextPortContract<DurableContext>(
    `DurableContext (${backend.name})`,
    async () => {
      const store = await backend.create();
      owners.set(store.context, store);
      return store.context;
    },
    { cleanup: close },
  );
}
