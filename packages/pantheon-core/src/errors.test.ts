import { describe, expect, it } from 'vitest';
import {
  ActorError,
  BehaviorError,
  ConfigError,
  ContextError,
  LlmError,
  PantheonError,
  ToolError,
} from './errors';
import { rememberSecret } from './redact-secrets';

describe('errors', () => {
  it('keep the seed shapes and default codes', () => {
    const actor = new ActorError('gone', 'a-1', { extra: 1 });
    expect(actor.code).toBe('ACTOR_ERROR');
    expect(actor.actorId).toBe('a-1');
    expect(actor.details).toEqual({ actorId: 'a-1', extra: 1 });
    const behavior = new BehaviorError('bad', 'greet');
    expect(behavior.code).toBe('BEHAVIOR_ERROR');
    expect(behavior.details).toEqual({ behaviorName: 'greet' });
    expect(new ContextError('x').code).toBe('CONTEXT_ERROR');
    expect(new ConfigError('x').code).toBe('CONFIG_ERROR');
  });

  it('take a more specific code and a cause', () => {
    const cause = new Error('socket closed');
    const error = new ToolError(
      'slow',
      'search',
      { timeoutMs: 5 },
      { code: 'TOOL_TIMEOUT', cause },
    );
    expect(error.code).toBe('TOOL_TIMEOUT');
    expect(error.cause).toBe(cause);
    expect(error.toolName).toBe('search');
    expect(error).toBeInstanceOf(PantheonError);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('ToolError');
  });

  it('recognise errors from another copy of the package through isInstance', () => {
    const marker = Symbol.for('@promethean-os/pantheon-core/error');
    const foreign = Object.assign(new Error('from a duplicate install'), {
      [marker]: true,
      code: 'X',
    });
    expect(PantheonError.isInstance(foreign)).toBe(true);
    expect(PantheonError.isInstance(new Error('plain'))).toBe(false);
    expect(PantheonError.isInstance(new ActorError('x', 'y'))).toBe(true);
    expect(PantheonError.isInstance(null)).toBe(false);
  });

  it('have a marker per class: each isInstance is true for its class and subclasses only', () => {
    class AcmeToolError extends ToolError {}
    const errors = {
      actor: new ActorError('x', 'a'),
      behavior: new BehaviorError('x', 'b'),
      tool: new ToolError('x', 't'),
      acmeTool: new AcmeToolError('x', 't', undefined, { code: 'TOOL_DENIED' }),
      llm: new LlmError('x'),
      context: new ContextError('x'),
      config: new ConfigError('x'),
      base: new PantheonError('x', 'ABORTED'),
    };
    const classes = {
      actor: ActorError,
      behavior: BehaviorError,
      tool: ToolError,
      llm: LlmError,
      context: ContextError,
      config: ConfigError,
    };
    const matches = (errorClass: { isInstance(error: unknown): boolean }) =>
      Object.entries(errors)
        .filter(([, error]) => errorClass.isInstance(error))
        .map(([name]) => name);
    expect(matches(classes.actor)).toEqual(['actor']);
    expect(matches(classes.behavior)).toEqual(['behavior']);
    expect(matches(classes.tool)).toEqual(['tool', 'acmeTool']);
    expect(matches(classes.llm)).toEqual(['llm']);
    expect(matches(classes.context)).toEqual(['context']);
    expect(matches(classes.config)).toEqual(['config']);
    expect(matches(PantheonError)).toEqual(Object.keys(errors));
    expect(ToolError.isInstance(new Error('plain'))).toBe(false);
    expect(ToolError.isInstance(undefined)).toBe(false);
  });

  it('recognise each class of another copy of the package through its global marker', () => {
    const marked = (...names: string[]) =>
      Object.assign(
        new Error('from a duplicate install'),
        Object.fromEntries(names.map((name) => [Symbol.for(name), true])),
      );
    const foreignTool = marked(
      '@promethean-os/pantheon-core/error',
      '@promethean-os/pantheon-core/error/tool',
    );
    expect(PantheonError.isInstance(foreignTool)).toBe(true);
    expect(ToolError.isInstance(foreignTool)).toBe(true);
    expect(LlmError.isInstance(foreignTool)).toBe(false);
    const foreignLlm = marked(
      '@promethean-os/pantheon-core/error',
      '@promethean-os/pantheon-core/error/llm',
    );
    expect(LlmError.isInstance(foreignLlm)).toBe(true);
    expect(ToolError.isInstance(foreignLlm)).toBe(false);
    for (const [errorClass, marker] of [
      [ActorError, 'actor'],
      [BehaviorError, 'behavior'],
      [ContextError, 'context'],
      [ConfigError, 'config'],
    ] as const) {
      const foreign = marked(`@promethean-os/pantheon-core/error/${marker}`);
      expect(errorClass.isInstance(foreign)).toBe(true);
      expect(ToolError.isInstance(foreign)).toBe(false);
    }
    // The markers are the global ones, not private to this copy.
    const local = new ContextError('x');
    expect(Symbol.for('@promethean-os/pantheon-core/error/context') in local).toBe(true);
    expect(Symbol.for('@promethean-os/pantheon-core/error') in local).toBe(true);
  });

  it('derive retryable from the status of an LlmError', () => {
    expect(
      new LlmError('limited', undefined, { code: 'LLM_RATE_LIMIT', status: 429 }).retryable,
    ).toBe(true);
    expect(new LlmError('down', undefined, { code: 'LLM_SERVER', status: 503 }).retryable).toBe(
      true,
    );
    const auth = new LlmError('nope', undefined, {
      code: 'LLM_AUTH',
      status: 401,
      provider: 'openai',
    });
    expect(auth.retryable).toBe(false);
    expect(auth.provider).toBe('openai');
    expect(auth.details).toMatchObject({ status: 401, provider: 'openai' });
    expect(new LlmError('x', undefined, { status: 400, retryable: true }).retryable).toBe(true);
  });

  it('derive retryable from the code of an LlmError without a status', () => {
    expect(new LlmError('slow', undefined, { code: 'LLM_TIMEOUT' }).retryable).toBe(true);
    expect(new LlmError('down', undefined, { code: 'LLM_SERVER' }).retryable).toBe(true);
    expect(new LlmError('bad', undefined, { code: 'LLM_INVALID_RESPONSE' }).retryable).toBe(false);
    expect(new LlmError('plain').retryable).toBe(false);
    expect(new LlmError('x', undefined, { code: 'LLM_SERVER', retryable: false }).retryable).toBe(
      false,
    );
  });

  it('serialise to JSON with code and details', () => {
    expect(
      JSON.parse(
        JSON.stringify(new ActorError('gone', 'a', undefined, { code: 'ACTOR_NOT_FOUND' })),
      ),
    ).toEqual({
      name: 'ActorError',
      code: 'ACTOR_NOT_FOUND',
      message: 'gone',
      details: { actorId: 'a' },
    });
  });
});

describe('what an error stores and logs', () => {
  it('redacts secrets in toJSON: known shapes and configured keys', () => {
    rememberSecret('corp-gateway-key-7f3a91');
    const error = new LlmError(
      'Incorrect API key provided: sk-proj-abcdefghijklmnop1234 (gateway key corp-gateway-key-7f3a91)',
      { status: 401, headers: { authorization: 'Bearer abcdefghijk' } },
      { code: 'LLM_AUTH' },
    );
    const stored = JSON.stringify(error.toJSON());
    expect(stored).not.toContain('sk-proj-abcdefghijklmnop1234');
    expect(stored).not.toContain('corp-gateway-key-7f3a91');
    expect(stored).not.toContain('abcdefghijk');
    expect(stored).toContain('[REDACTED]');
    // The thrown error itself is unchanged for the code that catches it.
    expect(error.message).toContain('sk-proj-abcdefghijklmnop1234');
  });

  it('keeps a transcript out of toJSON, keeping its length', () => {
    const error = new BehaviorError(
      'too many steps',
      'answer',
      {
        maxSteps: 2,
        transcript: [
          { role: 'user', content: 'my card 4242' },
          { role: 'assistant', content: 'ok' },
        ],
      },
      { code: 'MAX_STEPS_EXCEEDED' },
    );
    expect(error.toJSON().details).toEqual({
      behaviorName: 'answer',
      maxSteps: 2,
      transcriptLength: 2,
    });
    expect(JSON.stringify(error.toJSON())).not.toContain('4242');
    expect(error.details?.transcript).toHaveLength(2);
  });
});
