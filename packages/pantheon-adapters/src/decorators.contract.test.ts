// Every decorator is itself a port, so it runs the same contract as what it wraps.

import { MockLlmAdapter } from '@promethean-os/pantheon-test';
import {
  describeContextPortContract,
  describeLlmPortContract,
  describeMessageBusContract,
  describeToolPortContract,
} from '@promethean-os/pantheon-test/contracts';
import { BatchingMessageBus } from './batching-message-bus';
import { CachedContextAdapter } from './cached-context-adapter';
import { CachedLlmAdapter } from './cached-llm-adapter';
import { InMemoryContextAdapter } from './in-memory-context-adapter';
import { InMemoryMessageBus } from './in-memory-message-bus';
import { InMemoryToolAdapter } from './in-memory-tool-adapter';
import { MonitoredMessageBus } from './monitored-message-bus';
import { MonitoredToolAdapter } from './monitored-tool-adapter';
import { PooledLlmAdapter } from './pooled-llm-adapter';
import { ResilientLlmAdapter } from './resilient-llm-adapter';
import { SecureToolAdapter } from './secure-tool-adapter';
import { TimeoutToolAdapter } from './timeout-tool-adapter';

/** Every tool name the tool contract uses, so the allow-list lets the contract through. */
const contractToolNames = [
  'add',
  'alpha',
  'broken',
  'broken-async',
  'mid',
  'no-such-tool',
  'slow-echo',
  'stuck',
  'stuck-by-default',
  'temporary',
  'watch',
  'zeta',
];

describeToolPortContract(
  'TimeoutToolAdapter',
  () => new TimeoutToolAdapter(new InMemoryToolAdapter(), { timeout: 60_000 }),
);
describeToolPortContract(
  'MonitoredToolAdapter',
  () => new MonitoredToolAdapter(new InMemoryToolAdapter(), { onExecution: () => {} }),
);
describeToolPortContract(
  'SecureToolAdapter',
  () => new SecureToolAdapter(new InMemoryToolAdapter(), { allow: contractToolNames }),
);

describeContextPortContract(
  'CachedContextAdapter',
  () => new CachedContextAdapter(new InMemoryContextAdapter()),
);

describeLlmPortContract('PooledLlmAdapter', ({ replies }) => {
  // One scripted model behind every slot, so the replies keep their order across the pool.
  const model = new MockLlmAdapter().queueResponses(...replies);
  return new PooledLlmAdapter(3, () => model);
});
describeLlmPortContract(
  'CachedLlmAdapter',
  ({ replies }) => new CachedLlmAdapter(new MockLlmAdapter().queueResponses(...replies)),
);
describeLlmPortContract(
  'ResilientLlmAdapter',
  ({ replies }) => new ResilientLlmAdapter(new MockLlmAdapter().queueResponses(...replies)),
);

describeMessageBusContract(
  'MonitoredMessageBus',
  () => new MonitoredMessageBus(new InMemoryMessageBus(), { onSend: () => {} }),
);
describeMessageBusContract(
  'MonitoredMessageBus (onDeliver)',
  () =>
    new MonitoredMessageBus(new InMemoryMessageBus(), { onSend: () => {}, onDeliver: () => {} }),
);
describeMessageBusContract(
  'BatchingMessageBus',
  () => new BatchingMessageBus(new InMemoryMessageBus(), { maxBatchSize: 8, maxDelayMs: 5 }),
  {
    cleanup: async (bus) => {
      await bus.close();
    },
  },
);
