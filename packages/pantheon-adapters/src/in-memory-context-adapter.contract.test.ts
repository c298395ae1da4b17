import { describeContextPortContract } from '@promethean-os/pantheon-test/contracts';
import { InMemoryContextAdapter } from './in-memory-context-adapter';

describeContextPortContract('InMemoryContextAdapter', () => new InMemoryContextAdapter(), {
  addDocuments: (port, documents) =>
    port.addDocuments(documents.map((document, index) => ({ id: `doc-${index}`, ...document }))),
});
