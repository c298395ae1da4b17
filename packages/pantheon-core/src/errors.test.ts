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
