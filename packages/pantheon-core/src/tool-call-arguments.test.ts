import { describe, expect, it } from 'vitest';
import { LlmError } from './errors';
import { checkToolCallArguments, parseToolCallArguments } from './tool-call-arguments';

const source = { provider: 'openai', toolName: 'get-weather', toolCallId: 'call_1' };

describe('parseToolCallArguments', () => {
  it('parses the text of a JSON object', () => {
    expect(parseToolCallArguments('{"location":"Paris","days":2}', source)).toEqual({
      location: 'Paris',
      days: 2,
    });
  });

  it('reads blank text as no arguments', () => {
    expect(parseToolCallArguments('  ', source)).toEqual({});
  });

  it.each(['{"location": "Par', '[1,2]', 'null', '"Paris"'])(
    'rejects %s as LLM_INVALID_RESPONSE',
    (text) => {
      let thrown: unknown;
      try {
        parseToolCallArguments(text, source);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(LlmError);
      expect(thrown).toMatchObject({
        code: 'LLM_INVALID_RESPONSE',
        provider: 'openai',
        retryable: false,
        details: { toolName: 'get-weather', toolCallId: 'call_1' },
      });
    },
  );
});

describe('checkToolCallArguments', () => {
  it('accepts an object and rejects anything else', () => {
    expect(checkToolCallArguments({ a: 1 }, source)).toEqual({ a: 1 });
    expect(() => checkToolCallArguments('text', source)).toThrowError(/not a JSON object/);
  });
});
