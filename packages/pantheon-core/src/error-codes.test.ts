import { describe, expect, expectTypeOf, it } from 'vitest';
import { ERROR_CODES, type PantheonErrorCode } from './error-codes';
import { ConfigError, PantheonError, ToolError } from './errors';
import { ERROR_CODES as exportedCodes } from './index';

// The documented extension: a package adds its codes to the registry type by augmentation.
declare module '@promethean-os/pantheon-core' {
  interface PantheonErrorCodes {
    EXAMPLE_ADAPTER_QUOTA: 'Test only: an adapter code added through the documented augmentation';
  }
}

describe('the error code registry', () => {
  it('holds upper-snake-case codes, each with a one-line meaning', () => {
    const entries = Object.entries(ERROR_CODES);
    expect(entries.length).toBeGreaterThan(50);
    for (const [code, meaning] of entries) {
      expect(code).toMatch(/^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/);
      expect(meaning.trim(), code).not.toBe('');
      expect(meaning, code).not.toMatch(/[\n|]/);
    }
  });

  it('is exported from the package entry', () => {
    expect(exportedCodes).toBe(ERROR_CODES);
  });

  it('holds the default code of every error class', () => {
    const defaults = [
      new PantheonError('x', 'ACTOR_ERROR').code,
      new ToolError('x', 't').code,
      new ConfigError('x').code,
    ];
    for (const code of defaults) expect(Object.keys(ERROR_CODES)).toContain(code);
  });

  it('types `code` with the registry, extended by augmentation', () => {
    expectTypeOf<keyof typeof ERROR_CODES>().toExtend<PantheonErrorCode>();
    expectTypeOf<'EXAMPLE_ADAPTER_QUOTA'>().toExtend<PantheonErrorCode>();
    expectTypeOf<'NOT_A_REGISTERED_CODE'>().not.toExtend<PantheonErrorCode>();
    const quota = new ToolError('Quota spent', 'search', undefined, {
      code: 'EXAMPLE_ADAPTER_QUOTA',
    });
    expect(quota.code).toBe('EXAMPLE_ADAPTER_QUOTA');
    expectTypeOf(quota.code).toEqualTypeOf<PantheonErrorCode>();
    // @ts-expect-error an unregistered code does not compile
    const loose = new PantheonError('x', 'NOT_A_REGISTERED_CODE');
    expect(loose.code).toBe('NOT_A_REGISTERED_CODE');
  });
});
