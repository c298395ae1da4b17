import { describe, expect, it } from 'vitest';
import { checkActorScript } from './actor-scripts';
import { ConfigError } from './errors';
import type { ActorScript } from './types';

const script: ActorScript = {
  name: 'support',
  description: 'Answers customers',
  talents: [
    {
      name: 'talk',
      behaviors: [{ name: 'reply', mode: 'active', plan: () => ({ actions: [] }) }],
    },
  ],
  contextSources: [],
};

describe('checkActorScript', () => {
  it('returns a valid script unchanged', () => {
    expect(checkActorScript(script)).toBe(script);
  });

  it('rejects an invalid script with ConfigError SCRIPT_INVALID naming the field', () => {
    const invalid = {
      ...script,
      talents: [{ name: 'talk', behaviors: [{ name: 'reply', plan: () => ({ actions: [] }) }] }],
    };
    let error: unknown;
    try {
      checkActorScript(invalid);
    } catch (caught) {
      error = caught;
    }
    expect(ConfigError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({
      code: 'SCRIPT_INVALID',
      message: expect.stringContaining('script.talents[0].behaviors[0].mode'),
    });
    expect(() => checkActorScript(null)).toThrow(
      expect.objectContaining({ code: 'SCRIPT_INVALID' }),
    );
  });
});
