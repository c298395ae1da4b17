// The snippets of the architecture's "Core types" section and the developer guide, compiled
// unchanged against this package (the type checker runs over test files too).
import { describe, expect, it } from 'vitest';
import { isAction, isActor, isToolSpec } from './guards';
import type {
  Action,
  Actor,
  ActorScript,
  Behavior,
  ContextSource,
  Message,
  Talent,
  ToolSpec,
} from './index';

interface WeatherToolArgs {
  location: string;
  units?: 'metric' | 'imperial';
}

class WeatherTool implements ToolSpec {
  name = 'get-weather';
  description = 'Gets current weather information for a location';
  parameters = {
    type: 'object',
    properties: {
      location: { type: 'string', description: 'The location to get weather for' },
      units: {
        type: 'string',
        enum: ['metric', 'imperial'],
        default: 'metric',
        description: 'Temperature units',
      },
    },
    required: ['location'],
  };

  async execute(args: WeatherToolArgs): Promise<string> {
    if (!args.location) throw new Error('Location is required');
    return `The current temperature in ${args.location} is 21${args.units === 'imperial' ? '°F' : '°C'}.`;
  }
}

interface CustomBehaviorOptions {
  priority: number;
  conditions: Array<(context: Message[]) => Promise<boolean>>;
  maxRetries: number;
}

class CustomBehavior implements Behavior {
  name: string;
  description: string;
  mode: 'active' | 'passive' | 'persistent';
  private options: CustomBehaviorOptions;

  constructor(
    name: string,
    description: string,
    mode: Behavior['mode'],
    options: CustomBehaviorOptions,
  ) {
    this.name = name;
    this.description = description;
    this.mode = mode;
    this.options = options;
  }

  async plan(params: { goal: string; context: Message[] }): Promise<{ actions: Action[] }> {
    for (const condition of this.options.conditions) {
      if (!(await condition(params.context))) return { actions: [] };
    }
    return { actions: [{ type: 'message', content: `Analysing: ${params.goal}` }] };
  }
}

const llmAdapter = {
  async complete(_messages: Message[]): Promise<Message> {
    return { role: 'assistant', content: 'Hello!' };
  },
};

const talent: Talent = {
  name: 'customer-service',
  description: 'Handles customer inquiries and support',
  behaviors: [
    {
      name: 'greet-customer',
      description: 'Greets customers and identifies their needs',
      mode: 'active',
      plan: async ({ goal, context }) => {
        const response = await llmAdapter.complete([
          { role: 'system', content: 'You are a customer service agent.' },
          ...context,
          { role: 'user', content: goal },
        ]);
        return { actions: [{ type: 'message', content: response.content, target: 'user' }] };
      },
    },
    {
      name: 'escalate-issue',
      description: 'Escalates complex issues to human agents',
      mode: 'passive',
      plan: async () => ({
        actions: [
          {
            type: 'message',
            content: 'I need to escalate this to a human agent.',
            target: 'supervisor',
          },
        ],
      }),
    },
  ],
};

const name = 'customer-service-agent';
const description = 'Customer service representative';
const script: ActorScript = {
  name,
  description,
  talents: [talent],
  contextSources: [
    { type: 'text', content: 'Company policies...', metadata: { category: 'policies' } },
  ],
};
const actor: Actor = {
  id: 'customer-service-001',
  script,
  goals: ['Provide excellent service'],
};

describe('seed compatibility', () => {
  it('accepts the guide’s actor, script and talent literals', () => {
    expect(isActor(actor)).toBe(true);
    const sources: ContextSource[] = [
      { type: 'url', url: 'https://example.com/policies' },
      { type: 'file', path: './policies.md' },
      { id: 'faq', label: 'FAQ', where: { category: 'faq' } },
    ];
    expect(sources).toHaveLength(3);
  });

  it('accepts a class-based ToolSpec and keeps its typed execute', async () => {
    const tool = new WeatherTool();
    expect(isToolSpec(tool)).toBe(true);
    await expect(tool.execute({ location: 'Oslo' })).resolves.toContain('Oslo');
  });

  it('accepts a class-based Behavior and calls plan as a method', async () => {
    const behavior: Behavior = new CustomBehavior('analyze-data', 'Analyzes data', 'active', {
      priority: 1,
      conditions: [async (context) => context.some((message) => message.content.includes('data'))],
      maxRetries: 3,
    });
    const plan = await behavior.plan({
      goal: 'report',
      context: [{ role: 'user', content: 'some data' }],
      actor,
      llm: llmAdapter,
      tools: { register() {}, invoke: async () => undefined },
      signal: new AbortController().signal,
    });
    expect(plan.actions.every(isAction)).toBe(true);
    expect(plan.actions[0]).toEqual({ type: 'message', content: 'Analysing: report' });
  });
});
