import { join, resolve } from 'node:path';
import { ConfigError } from '@promethean-os/pantheon-core';
import { describe, expect, it } from 'vitest';
import { EXAMPLE_DIR, exampleConfig, startAnalyst } from './analyst.test-support';
import { CSV_VARIABLE, csvFile, SAMPLE_CSV } from './data-analyst';

describe('the example’s configuration (pantheon.config.ts)', () => {
  it('names the app module and leaves the rest to the defaults: in memory, offline', async () => {
    const config = await exampleConfig({});
    expect(config.entry).toBe(join(EXAMPLE_DIR, 'src/app.ts'));
    expect(config.adapters).toEqual({
      context: { type: 'memory' },
      llm: { type: 'mock' },
      persistence: { type: 'memory' },
      bus: { type: 'memory' },
    });
  });

  it('takes a real model from PANTHEON_* variables', async () => {
    const config = await exampleConfig({
      PANTHEON_LLM_PROVIDER: 'claude',
      PANTHEON_LLM_MODEL: 'claude-x',
    });
    expect(config.adapters.llm).toEqual({ type: 'claude', model: 'claude-x' });
  });

  it('refuses to start without the API key a chosen model needs, naming it', async () => {
    const error = await startAnalyst({ PANTHEON_LLM_PROVIDER: 'claude' }, { log: () => {} }).catch(
      (caught: unknown) => caught,
    );
    expect(ConfigError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({
      code: 'CONFIG_ERROR',
      details: { field: 'adapters.llm.type', variable: 'ANTHROPIC_API_KEY' },
    });
  });
});

describe('csvFile: the example’s own setting', () => {
  it('is the bundled sample unless DATA_ANALYST_CSV names a file (empty counts as unset)', () => {
    expect(CSV_VARIABLE).toBe('DATA_ANALYST_CSV');
    expect(csvFile({})).toBe(SAMPLE_CSV);
    expect(csvFile({ DATA_ANALYST_CSV: ' ' })).toBe(SAMPLE_CSV);
    expect(SAMPLE_CSV).toBe(join(EXAMPLE_DIR, 'data/sales.csv'));
  });

  it('resolves a relative path in the working directory', () => {
    expect(csvFile({ DATA_ANALYST_CSV: 'data/mine.csv' })).toBe(resolve('data/mine.csv'));
    expect(csvFile({ DATA_ANALYST_CSV: 'mine.csv' }, '/srv/reports')).toBe('/srv/reports/mine.csv');
    expect(csvFile({ DATA_ANALYST_CSV: '/data/orders.csv' }, '/srv/reports')).toBe(
      '/data/orders.csv',
    );
  });
});
