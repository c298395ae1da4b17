import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors';
import { describeValue, invalidArgument, requireFinite, requireFunction } from './invalid-argument';

function thrown(call: () => unknown): ConfigError {
  try {
    call();
  } catch (error) {
    if (ConfigError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('argument checks', () => {
  it('names the call and each field in an INVALID_ARGUMENT ConfigError', () => {
    const issues = [
      { path: 'options.to', message: 'expected a string' },
      { path: 'handler', message: 'expected a function' },
    ];
    const error = invalidArgument('MessageBus.subscribe', issues);
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.message).toBe(
      'MessageBus.subscribe: options.to: expected a string; handler: expected a function',
    );
    expect(error.details).toEqual({ method: 'MessageBus.subscribe', issues });
  });

  it('requires a function', () => {
    expect(() => requireFunction('once', 'job', () => {})).not.toThrow();
    expect(thrown(() => requireFunction('once', 'job', null)).message).toBe(
      'once: job: expected a function, received null',
    );
  });

  it('requires a finite number, at least `min` when given, and returns it', () => {
    expect(requireFinite('advance', 'ms', 0, 0)).toBe(0);
    expect(requireFinite('advance', 'ms', -5)).toBe(-5);
    expect(thrown(() => requireFinite('advance', 'ms', -1, 0)).message).toBe(
      'advance: ms: expected a finite number >= 0, received -1',
    );
    expect(thrown(() => requireFinite('advance', 'ms', '5')).message).toBe(
      'advance: ms: expected a finite number, received 5',
    );
    expect(thrown(() => requireFinite('advance', 'ms', Number.NaN)).code).toBe('INVALID_ARGUMENT');
  });

  it('describes a value by its kind', () => {
    expect([null, [], {}, undefined, 'x', 1, () => {}].map(describeValue)).toEqual([
      'null',
      'an array',
      'object',
      'undefined',
      'a string',
      'a number',
      'a function',
    ]);
  });
});
