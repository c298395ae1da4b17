import { describeLlmPortContract } from '@promethean-os/pantheon-test/contracts';
import { MockLlmAdapter } from './index';

describeLlmPortContract('MockLlmAdapter', ({ replies }) =>
  new MockLlmAdapter().queueResponses(...replies),
);
