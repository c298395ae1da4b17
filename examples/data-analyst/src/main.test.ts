import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const exampleDir = fileURLToPath(new URL('..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'pantheon-data-analyst-main-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The test's environment without anything that chooses a model, a Pantheon setting or the CSV. */
function offlineEnvironment(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(process.env).filter(
      (entry): entry is [string, string] =>
        entry[1] !== undefined && !/^(PANTHEON_|OPENAI_|ANTHROPIC_|DATA_ANALYST_)/.test(entry[0]),
    ),
  );
}

/** Runs `src/main.ts` as `pnpm start` does, offline, with `env` on top. */
function runMain(args: string[], env: Record<string, string> = {}) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'src/main.ts', ...args],
      {
        cwd: exampleDir,
        env: { ...offlineEnvironment(), ...env },
        timeout: 30_000,
      },
      (error, stdout, stderr) =>
        resolve({ code: error ? (error.code as number) : 0, stdout, stderr }),
    );
  });
}

describe('pnpm start', () => {
  it('answers the sample questions offline, each once, under a header naming the stand-in model', {
    timeout: 40_000,
  }, async () => {
    const { code, stdout, stderr } = await runMain([]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toBe(
      [
        'Pantheon data analyst',
        '  model: SCRIPTED STAND-IN (fixed rules, not a language model); set PANTHEON_LLM_PROVIDER=openai and OPENAI_API_KEY (or claude and ANTHROPIC_API_KEY) for a real model',
        '  data:  data/sales.csv, 40 rows: order_id, date, region, customer, product, units (number), unit_price_eur (number), revenue_eur (number)',
        '',
        '? What was the total revenue by region?',
        '  analyst called describe-csv {} → 40 rows, 8 columns',
        '  analyst called query-csv {"aggregate":"sum","column":"revenue_eur","groupBy":"region","order":"desc"} → 4 groups from 40 rows',
        'analyst: Total revenue_eur by region: South 7,608.80, East 6,501.30, West 4,337.50, North 4,145.70 (40 of 40 rows).',
        '',
        '? How many orders had more than 15 units?',
        '  analyst called describe-csv {} → 40 rows, 8 columns',
        '  analyst called query-csv {"aggregate":"count","filters":[{"column":"units","op":">","value":15}]} → 13 rows matched',
        'analyst: 13 of 40 rows match: units > 15.',
        '',
        '? Chart the units sold per product.',
        '  analyst handed the conversation to reporter (a chart was asked for)',
        '  reporter called describe-csv {} → 40 rows, 8 columns',
        '  reporter called chart-csv {"aggregate":"sum","column":"units","groupBy":"product","order":"desc"} → 4 bars',
        'reporter:',
        '  Sum of units by product',
        `  Lantern         ${'█'.repeat(30)} 156`,
        `  Sleeping bag    ${'█'.repeat(28)} 147`,
        `  Thermos         ${'█'.repeat(21)} 110`,
        `  Tent, 2-person  ${'█'.repeat(5)} 24`,
        '',
      ].join('\n'),
    );
  });

  it('answers the question given on the command line', { timeout: 40_000 }, async () => {
    const { code, stdout } = await runMain([
      'How',
      'many',
      'orders',
      'came',
      'from',
      'the',
      'West?',
    ]);
    expect(code).toBe(0);
    expect(stdout).toContain('\n? How many orders came from the West?\n');
    expect(stdout).toContain('\nanalyst: 9 of 40 rows match: region = West.\n');
    expect(stdout).not.toContain('What was the total revenue');
  });

  it('exits 1 with the typed error, and no stack, for a malformed CSV', {
    timeout: 40_000,
  }, async () => {
    const file = join(dir, 'ragged.csv');
    writeFileSync(file, 'region,units\nNorth,3\nSouth\n');
    const { code, stdout, stderr } = await runMain([], { DATA_ANALYST_CSV: file });
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toBe(
      `error: CSV_INVALID: ${file}:3: the row has 1 field; the header has 2 columns\n`,
    );
  });

  it('exits 1 naming the key the model chosen by PANTHEON_LLM_PROVIDER needs', {
    timeout: 40_000,
  }, async () => {
    const { code, stdout, stderr } = await runMain([], { PANTHEON_LLM_PROVIDER: 'claude' });
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toBe(
      'error: CONFIG_ERROR: adapters.llm.type is "claude" but ANTHROPIC_API_KEY is not set. Set it in the environment (API keys are never read from the configuration file), or run offline with PANTHEON_LLM_PROVIDER=mock\n',
    );
  });

  it('exits 1 naming an invalid Pantheon variable', { timeout: 40_000 }, async () => {
    const { code, stdout, stderr } = await runMain([], { PANTHEON_LLM_PROVIDER: 'gemini' });
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain(
      '  - adapters.llm.type (from environment variable PANTHEON_LLM_PROVIDER): expected one of mock, openai, claude, got "gemini"',
    );
    expect(stderr).toMatch(/^error: CONFIG_INVALID: /);
  });
});
