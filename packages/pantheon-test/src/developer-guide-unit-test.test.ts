// The "Testing Strategies / 1. Unit Testing Actors" example of the developer guide, with the
// imports it needs, `vitest` for `'test'`, the guide's customer-service actor built by
// `createTestCustomerServiceActor`, and `mockMessageBus` being the bus the orchestrator gets.
// The `describe` block below is the guide's, unchanged.
import {
  type Actor,
  type ActorScript,
  type Message,
  makeOrchestrator,
  type Talent,
} from '@promethean-os/pantheon-core';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  createMockActorState,
  createMockScheduler,
  createMockMessageBus as createRecordingBus,
  MockContextAdapter,
  MockLlmAdapter,
  MockToolAdapter,
} from './index';

/** The guide leaves `analyzeComplexity` to the reader: here, signs that a human must step in. */
async function analyzeComplexity(context: Message[]): Promise<boolean> {
  return context.some((message) =>
    /human intervention|speak to (your|a) manager|serious complaint/i.test(message.content),
  );
}

/**
 * The guide's customer-service actor. Its behaviors get the model from their input instead of
 * closing over an adapter. Greeting consults the model once; when the model says the issue needs
 * a human, the greeting hands it to the supervisor instead of answering (the guide's
 * escalation). The passive escalation behavior does the same check on loop ticks.
 */
function createTestCustomerServiceActor(): Actor {
  const customerServiceTalent: Talent = {
    name: 'customer-service',
    description: 'Handles customer inquiries and support',
    behaviors: [
      {
        name: 'greet-customer',
        description: 'Greets customers and identifies their needs',
        mode: 'active',
        plan: async ({ goal, context, llm }) => {
          const response = await llm.complete([
            { role: 'system', content: 'You are a customer service agent.' },
            ...context,
            { role: 'user', content: goal },
          ]);
          if (await analyzeComplexity([response])) {
            return {
              actions: [
                {
                  type: 'message',
                  content: 'I need to escalate this to a human agent.',
                  target: 'supervisor',
                },
              ],
            };
          }
          return { actions: [{ type: 'message', content: response.content, target: 'user' }] };
        },
      },
      {
        name: 'escalate-issue',
        description: 'Escalates complex issues to human agents',
        mode: 'passive',
        plan: async ({ context }) => {
          const needsEscalation = await analyzeComplexity(context);
          if (needsEscalation) {
            return {
              actions: [
                {
                  type: 'message',
                  content: 'I need to escalate this to a human agent.',
                  target: 'supervisor',
                },
              ],
            };
          }
          return { actions: [] };
        },
      },
    ],
  };

  const customerServiceScript: ActorScript = {
    name: 'customer-service-agent',
    description: 'Customer service representative',
    talents: [customerServiceTalent],
    contextSources: [
      {
        type: 'text',
        content: 'Company policies and procedures...',
        metadata: { category: 'policies' },
      },
    ],
  };

  return {
    id: 'customer-service-001',
    script: customerServiceScript,
    goals: [
      'Provide excellent customer service',
      'Resolve customer issues efficiently',
      'Escalate complex problems when needed',
    ],
  };
}

// The guide reads the bus it passed as `mockMessageBus`: this wrapper keeps the one it creates.
let mockMessageBus: ReturnType<typeof createRecordingBus>;

function createMockMessageBus() {
  mockMessageBus = createRecordingBus();
  return mockMessageBus;
}

describe('CustomerServiceActor', () => {
  let orchestrator: ReturnType<typeof makeOrchestrator>;
  let mockContext: MockContextAdapter;
  let mockLlm: MockLlmAdapter;
  let actor: Actor;

  beforeEach(() => {
    // Setup mocks
    mockContext = new MockContextAdapter();
    mockLlm = new MockLlmAdapter();

    // Create orchestrator with mocks
    orchestrator = makeOrchestrator({
      now: () => Date.now(),
      log: () => {},
      context: mockContext,
      tools: new MockToolAdapter(),
      llm: mockLlm,
      bus: createMockMessageBus(),
      schedule: createMockScheduler(),
      state: createMockActorState(),
    });

    // Create test actor
    actor = createTestCustomerServiceActor();
  });

  it('should greet customer when user message is received', async () => {
    // Setup mock responses
    mockContext.setResponse([{ role: 'system', content: 'Company policies...' }]);

    mockLlm.setResponse({
      role: 'assistant',
      content: 'Hello! How can I help you today?',
    });

    // Execute actor tick
    await orchestrator.tickActor(actor, {
      userMessage: 'Hello, I need help',
    });

    // Verify expectations
    expect(mockLlm.getCalls()).toHaveLength(1);
    expect(mockLlm.getCalls()[0].messages).toHaveLength(3); // system + context + user
  });

  it('should escalate complex issues', async () => {
    // Setup scenario that requires escalation
    mockContext.setResponse([{ role: 'system', content: 'Escalation policies...' }]);

    mockLlm.setResponse({
      role: 'assistant',
      content: 'This issue requires human intervention.',
    });

    await orchestrator.tickActor(actor, {
      userMessage: 'I want to speak to your manager about a serious complaint',
    });

    // Verify escalation message was sent
    const messageBusCalls = mockMessageBus.getCalls();
    expect(messageBusCalls).toHaveLength(1);
    expect(messageBusCalls[0].to).toBe('supervisor');
  });
});
