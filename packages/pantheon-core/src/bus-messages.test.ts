import { describe, expect, it } from 'vitest';
import { checkBusMessage } from './bus-messages';
import { ConfigError } from './errors';

describe('checkBusMessage', () => {
  it('returns a well-formed message unchanged', () => {
    const message = { from: 'a', to: 'b', content: 'hi', priority: 'high' as const };
    expect(checkBusMessage(message)).toBe(message);
  });

  it('rejects a malformed message with ConfigError INVALID_MESSAGE naming every field', () => {
    let error: unknown;
    try {
      checkBusMessage({ from: '', content: 42 });
    } catch (caught) {
      error = caught;
    }
    expect(ConfigError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: 'INVALID_MESSAGE' });
    const issues = (error as ConfigError).details?.issues as { path: string }[] | undefined;
    const paths = (issues ?? []).map((issue) => issue.path);
    expect(paths).toEqual(
      expect.arrayContaining(['message.from', 'message.to', 'message.content']),
    );
  });

  it('rejects a value that is not an object', () => {
    for (const value of [null, undefined, 'hi', []]) {
      expect(() => checkBusMessage(value)).toThrow(
        expect.objectContaining({ code: 'INVALID_MESSAGE' }),
      );
    }
  });
});
