import {
  type CompileContextOptions,
  ContextError,
  type ContextPort,
  isMessage,
  type Message,
} from '@promethean-os/pantheon-core';
import { deepFreeze } from '@promethean-os/pantheon-core/adapter-kit';
import { describe, expect, it } from 'vitest';
import {
  type ContractOptions,
  detectFeatures,
  expectPantheonError,
  failureOf,
  featureTitle,
  type PortFactory,
  usePort,
} from './support';

/** Optional `ContextPort` features the suite tests when the adapter has them. */
export interface ContextPortFeatures {
  /**
   * `append` keeps history that `compile` returns (`recentLimit`): per actor, and per
   * conversation within an actor (`conversationId`), the actor-wide history apart.
   */
  history: boolean;
  /** `read`/`write`/`delete` keep a key/value store, per actor or global. */
  store: boolean;
  /** Named query sources (`{ id, where }`) retrieve documents (`queryLimit`). */
  documents: boolean;
}

/** A document for the retrieval tests. */
export interface ContractDocument {
  content: string;
  metadata: Record<string, unknown>;
}

/** Options of `describeContextPortContract`. */
export interface ContextPortContractOptions<P extends ContextPort> extends ContractOptions<P> {
  /**
   * Stores documents so that named sources retrieve them. The port interface has no method for
   * this, so the retrieval tests are registered only when it is given.
   */
  addDocuments?: (port: P, documents: ContractDocument[]) => void | Promise<void>;
  /** Overrides the detected features (`history`, `store`; `documents` follows `addDocuments`). */
  features?: Partial<ContextPortFeatures>;
}

/** Which optional `ContextPort` methods `port` has. */
export function detectContextPortFeatures(
  port: ContextPort,
): Omit<ContextPortFeatures, 'documents'> {
  return {
    history: typeof port.append === 'function',
    store:
      typeof port.read === 'function' &&
      typeof port.write === 'function' &&
      typeof port.delete === 'function',
  };
}

const contents = (messages: Message[]) => messages.map((message) => message.content);

/**
 * Registers the `ContextPort` contract for an adapter: text sources become `system` messages in
 * order, input texts come last as `user` messages (named `from`), `limit` caps the result and
 * keeps the input, the request is not mutated, a malformed request is a `ContextError`
 * `CONTEXT_INVALID_REQUEST` (and a malformed appended message `CONTEXT_INVALID_MESSAGE`) — and,
 * only when the adapter has them, history (`append`, `recentLimit`, per actor and per
 * conversation: two conversations of an actor never see each other's entries, and the
 * actor-wide history — entries appended without a `conversationId` — is seen only by compiles
 * without one), the key/value
 * store (`read`/`write`/`delete`, scoped by actor) and retrieval (`addDocuments`, `where`,
 * `queryLimit`). Optional features are detected on one instance created while the suite is
 * collected, and appear in the suite's title.
 *
 * @example
 * describeContextPortContract('InMemoryContextAdapter', () => new InMemoryContextAdapter(), {
 *   addDocuments: (port, documents) => port.addDocuments(documents),
 * });
 */
export function describeContextPortContract<P extends ContextPort>(
  name: string,
  factory: PortFactory<P>,
  options: ContextPortContractOptions<P> = {},
): void {
  describe(`ContextPort contract: ${name}`, async () => {
    const { addDocuments } = options;
    const features = await detectFeatures<P, ContextPortFeatures>(
      factory,
      options.cleanup,
      (port) => ({ ...detectContextPortFeatures(port), documents: addDocuments !== undefined }),
      options.features,
    );

    describe(`features${featureTitle(features) || ' [none]'}`, () => {
      const port = usePort(factory, options.cleanup);

      it('returns well-formed messages', async () => {
        const messages = await port().compile({
          sources: [{ type: 'text', content: 'Policies' }],
          texts: ['Hello'],
        });
        expect(Array.isArray(messages)).toBe(true);
        for (const message of messages) expect(isMessage(message)).toBe(true);
      });

      it('turns text sources into system messages, in order, before the input', async () => {
        const messages = await port().compile({
          sources: [
            { type: 'text', content: 'Rule one', metadata: { category: 'policies' } },
            { type: 'text', content: 'Rule two' },
          ],
          texts: ['Question'],
        });
        const one = messages.findIndex((message) => message.content === 'Rule one');
        const two = messages.findIndex((message) => message.content === 'Rule two');
        const input = messages.findIndex((message) => message.content === 'Question');
        expect(one).toBeGreaterThanOrEqual(0);
        expect(messages[one]?.role).toBe('system');
        expect(messages[two]?.role).toBe('system');
        expect(one).toBeLessThan(two);
        expect(two).toBeLessThan(input);
      });

      it('returns each input text as a user message, in order, at the end', async () => {
        const messages = await port().compile({
          sources: [{ type: 'text', content: 'Policies' }],
          texts: ['first', 'second'],
        });
        expect(messages.slice(-2)).toEqual([
          expect.objectContaining({ role: 'user', content: 'first' }),
          expect.objectContaining({ role: 'user', content: 'second' }),
        ]);
      });

      it('names input messages after their sender (`from`)', async () => {
        const messages = await port().compile({ sources: [], texts: ['ping'], from: 'actor-7' });
        expect(messages.at(-1)).toEqual(
          expect.objectContaining({ role: 'user', content: 'ping', name: 'actor-7' }),
        );
      });

      it('adds no user message when there is no input', async () => {
        const messages = await port().compile({ sources: [{ type: 'text', content: 'Only' }] });
        expect(messages.filter((message) => message.role === 'user')).toEqual([]);
        expect(contents(messages)).toContain('Only');
      });

      it('returns at most `limit` messages and keeps the input', async () => {
        const messages = await port().compile({
          sources: ['a', 'b', 'c', 'd', 'e'].map((content) => ({ type: 'text', content })),
          texts: ['the question'],
          limit: 3,
        });
        expect(messages.length).toBeLessThanOrEqual(3);
        expect(messages.at(-1)).toEqual(
          expect.objectContaining({ role: 'user', content: 'the question' }),
        );
      });

      it('does not mutate the request', async () => {
        const request = {
          sources: [{ type: 'text' as const, content: 'Policies', metadata: { tags: ['a'] } }],
          texts: ['Hello'],
          limit: 10,
        };
        const snapshot = structuredClone(request);
        await port().compile(deepFreeze(request));
        expect(request).toEqual(snapshot);
      });

      it('rejects a malformed request with CONTEXT_INVALID_REQUEST', async () => {
        for (const request of [{ sources: 'not a list' }, {}, null]) {
          const error = await failureOf(() =>
            port().compile(request as unknown as { sources: [] }),
          );
          expectPantheonError(error, 'CONTEXT_INVALID_REQUEST', ContextError);
        }
      });

      if (features.history) {
        describe('history (append)', () => {
          const append = (actorId: string, message: Message) => port().append!(actorId, message);

          it('returns the actor history in order, between the sources and the input', async () => {
            await append('agent-1', { role: 'user', content: 'earlier question' });
            await append('agent-1', { role: 'assistant', content: 'earlier answer' });
            const messages = await port().compile({
              sources: [{ type: 'text', content: 'Policies' }],
              texts: ['new question'],
              actorId: 'agent-1',
            });
            const order = ['Policies', 'earlier question', 'earlier answer', 'new question'].map(
              (content) => contents(messages).indexOf(content),
            );
            expect(order.every((index) => index >= 0)).toBe(true);
            expect([...order].sort((a, b) => a - b)).toEqual(order);
            expect(messages[order[2]!]?.role).toBe('assistant');
          });

          it('keeps only the `recentLimit` most recent history entries', async () => {
            for (let index = 1; index <= 5; index++) {
              await append('agent-1', { role: 'user', content: `entry ${index}` });
            }
            const messages = await port().compile({
              sources: [],
              actorId: 'agent-1',
              recentLimit: 2,
            });
            const history = contents(messages).filter((content) => content.startsWith('entry'));
            expect(history).toEqual(['entry 4', 'entry 5']);
          });

          it("keeps each actor's history to itself", async () => {
            await append('agent-1', { role: 'user', content: 'secret of agent 1' });
            await append('agent-2', { role: 'user', content: 'secret of agent 2' });
            const messages = await port().compile({ sources: [], actorId: 'agent-2' });
            expect(contents(messages)).toContain('secret of agent 2');
            expect(contents(messages)).not.toContain('secret of agent 1');
          });

          it('rejects a malformed message with CONTEXT_INVALID_MESSAGE and stores nothing', async () => {
            const error = await failureOf(() =>
              append('agent-1', { role: 'robot', content: 42 } as unknown as Message),
            );
            expectPantheonError(error, 'CONTEXT_INVALID_MESSAGE', ContextError);
            const messages = await port().compile({ sources: [], actorId: 'agent-1' });
            expect(messages).toEqual([]);
          });
        });

        describe('history per conversation (append with a conversationId)', () => {
          const append = (actorId: string, content: string, conversationId?: string) =>
            conversationId === undefined
              ? port().append!(actorId, { role: 'user', content })
              : port().append!(actorId, { role: 'user', content }, { conversationId });
          /** The history contents a compile of that actor and conversation returns. */
          const historyOf = async (
            actorId: string,
            conversationId?: string,
            recentLimit?: number,
          ) => {
            const request: CompileContextOptions = { sources: [], texts: ['now'], actorId };
            if (conversationId !== undefined) request.conversationId = conversationId;
            if (recentLimit !== undefined) request.recentLimit = recentLimit;
            return contents(await port().compile(request)).slice(0, -1);
          };

          it("never shows one conversation's entries to another conversation of the actor", async () => {
            await append('support', 'Alice: my card number is 4111', 'conversation-alice');
            await append('support', 'Bob: where is my parcel?', 'conversation-bob');
            // Alice's compile first, then Bob's with otherwise identical options: a cache keyed
            // without the conversation would hand Bob Alice's context.
            expect(await historyOf('support', 'conversation-alice')).toEqual([
              'Alice: my card number is 4111',
            ]);
            expect(await historyOf('support', 'conversation-bob')).toEqual([
              'Bob: where is my parcel?',
            ]);
          });

          it("returns the conversation's entries in order, between the sources and the input", async () => {
            await append('support', 'first', 'conversation-1');
            await append('support', 'elsewhere', 'conversation-2');
            await port().append!(
              'support',
              { role: 'assistant', content: 'second' },
              { conversationId: 'conversation-1' },
            );
            await append('support', 'third', 'conversation-1');
            const messages = await port().compile({
              sources: [{ type: 'text', content: 'Policies' }],
              texts: ['new question'],
              actorId: 'support',
              conversationId: 'conversation-1',
            });
            expect(contents(messages)).toEqual([
              'Policies',
              'first',
              'second',
              'third',
              'new question',
            ]);
            expect(messages[2]?.role).toBe('assistant');
          });

          it('keeps the actor-wide history apart from every conversation', async () => {
            await append('support', 'actor-wide note');
            await append('support', 'in a conversation', 'conversation-1');
            expect(await historyOf('support')).toEqual(['actor-wide note']);
            expect(await historyOf('support', 'conversation-1')).toEqual(['in a conversation']);
            expect(await historyOf('support', 'conversation-new')).toEqual([]);
          });

          it('keeps the same conversation id of two actors apart', async () => {
            await append('agent-1', 'for agent 1', 'shared-conversation');
            await append('agent-2', 'for agent 2', 'shared-conversation');
            expect(await historyOf('agent-1', 'shared-conversation')).toEqual(['for agent 1']);
            expect(await historyOf('agent-2', 'shared-conversation')).toEqual(['for agent 2']);
          });

          it('counts `recentLimit` within the conversation', async () => {
            for (let index = 1; index <= 4; index++) {
              await append('support', `entry ${index}`, 'conversation-1');
            }
            await append('support', 'later, elsewhere', 'conversation-2');
            await append('support', 'later, actor-wide');
            expect(await historyOf('support', 'conversation-1', 2)).toEqual(['entry 3', 'entry 4']);
          });

          it('rejects a conversationId that is not a non-empty string, storing nothing', async () => {
            for (const conversationId of ['', 42]) {
              const error = await failureOf(() =>
                port().append!(
                  'support',
                  { role: 'user', content: `filed under ${String(conversationId)}` },
                  { conversationId } as { conversationId: string },
                ),
              );
              expectPantheonError(error, 'CONTEXT_INVALID_REQUEST', ContextError);
            }
            expect(await historyOf('support')).toEqual([]);
          });

          it('rejects a compile whose conversationId is not a non-empty string', async () => {
            for (const conversationId of ['', 42]) {
              const error = await failureOf(() =>
                port().compile({
                  sources: [],
                  actorId: 'support',
                  conversationId: conversationId as string,
                }),
              );
              expectPantheonError(error, 'CONTEXT_INVALID_REQUEST', ContextError);
            }
          });
        });
      }

      if (features.store) {
        describe('key/value store (read, write, delete)', () => {
          it('reads back what was written, and undefined for a missing entry', async () => {
            await port().write!('profile', { tier: 'gold', visits: [1, 2] });
            expect(await port().read!('profile')).toEqual({ tier: 'gold', visits: [1, 2] });
            expect(await port().read!('missing')).toBeUndefined();
          });

          it('overwrites and deletes entries', async () => {
            await port().write!('counter', 1);
            await port().write!('counter', 2);
            expect(await port().read!('counter')).toBe(2);
            await port().delete!('counter');
            expect(await port().read!('counter')).toBeUndefined();
          });

          it('scopes entries by actor and keeps global entries apart', async () => {
            await port().write!('note', 'global');
            await port().write!('note', 'for agent 1', { actorId: 'agent-1' });
            await port().write!('note', 'for agent 2', { actorId: 'agent-2' });
            expect(await port().read!('note')).toBe('global');
            expect(await port().read!('note', { actorId: 'agent-1' })).toBe('for agent 1');
            await port().delete!('note', { actorId: 'agent-1' });
            expect(await port().read!('note', { actorId: 'agent-1' })).toBeUndefined();
            expect(await port().read!('note', { actorId: 'agent-2' })).toBe('for agent 2');
            expect(await port().read!('note')).toBe('global');
          });
        });
      }

      if (features.documents && addDocuments) {
        describe('retrieval (named sources)', () => {
          const documents: ContractDocument[] = [
            { content: 'Refunds within 30 days', metadata: { category: 'policies' } },
            { content: 'Lunch menu', metadata: { category: 'food' } },
            { content: 'Warranty lasts a year', metadata: { category: 'policies' } },
            { content: 'Shipping is free', metadata: { category: 'policies' } },
          ];

          it('retrieves only documents that match the source `where`, the relevant one included', async () => {
            await addDocuments(port(), documents);
            const messages = await port().compile({
              sources: [{ id: 'knowledge-base', where: { category: 'policies' } }],
              texts: ['What is your refund policy?'],
            });
            // Adapters that rank by relevance may leave out policies the question does not touch.
            const stored = documents.map((document) => document.content);
            const retrieved = contents(messages).filter((content) => stored.includes(content));
            expect(retrieved).toContain('Refunds within 30 days');
            expect(retrieved).not.toContain('Lunch menu');
          });

          it('retrieves at most `queryLimit` documents per source', async () => {
            await addDocuments(port(), documents);
            const messages = await port().compile({
              sources: [{ id: 'knowledge-base', where: { category: 'policies' } }],
              queryLimit: 2,
            });
            const policies = documents
              .filter((document) => document.metadata.category === 'policies')
              .map((document) => document.content);
            expect(contents(messages).filter((content) => policies.includes(content))).toHaveLength(
              2,
            );
          });
        });
      }
    });
  });
}
