import { describeContextPortContract } from '@promethean-os/pantheon-test/contracts';
import { MockContextAdapter } from './index';

describeContextPortContract('MockContextAdapter', () => new MockContextAdapter(), {
  addDocuments: (port, documents) => {
    port.addDocuments(...documents);
  },
});
