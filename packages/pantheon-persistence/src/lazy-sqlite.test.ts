import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SCHEMA_VERSION } from './schema';
import { ScriptRegistry } from './script-registry';

const child = fileURLToPath(new URL('./lazy-sqlite-child.test-support.ts', import.meta.url));
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

interface Findings {
  atStart: boolean;
  afterImport: { sqlite: boolean; warnings: string[]; exports: string[] };
  afterOpen: { sqlite: boolean; warnings: string[]; version: number };
}

describe('importing the package', () => {
  it('does not load node:sqlite until a SQLite store is opened', async () => {
    // A fresh Node (the repo's Node 22, which runs the tests) without warnings silenced, so
    // the ExperimentalWarning node:sqlite prints on load is seen too.
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', child], {
      cwd: repoRoot,
      timeout: 30_000,
    });
    const findings = JSON.parse(stdout.trim().split('\n').at(-1)!) as Findings;

    expect(findings.atStart).toBe(false);
    expect(findings.afterImport.exports).toEqual([
      'openPostgresPersistence',
      'openSqlitePersistence',
      'migratePostgres',
    ]);
    expect(findings.afterImport.sqlite).toBe(false);
    expect(findings.afterImport.warnings.filter((warning) => /sqlite/i.test(warning))).toEqual([]);
    // The same checks see node:sqlite once a SQLite store is opened: they are not blind.
    expect(findings.afterOpen.sqlite).toBe(true);
    expect(findings.afterOpen.version).toBe(SCHEMA_VERSION);
    expect(findings.afterOpen.warnings.some((warning) => /SQLite/.test(warning))).toBe(true);
  }, 40_000);

  describe('on a runtime without node:sqlite', () => {
    afterEach(() => {
      vi.doUnmock('./sqlite-driver');
      vi.resetModules();
    });

    it('rejects openSqlitePersistence with a ConfigError naming the module, and PostgreSQL still loads', async () => {
      vi.resetModules();
      vi.doMock('./sqlite-driver', () => {
        throw new Error('No such built-in module: node:sqlite');
      });
      const persistence = await import('./persistence');
      expect(typeof persistence.openPostgresPersistence).toBe('function');
      const failure = await persistence
        .openSqlitePersistence({ file: ':memory:', scripts: new ScriptRegistry() })
        .then(
          () => undefined,
          (error: unknown) => error,
        );
      expect(failure).toMatchObject({
        name: 'ConfigError',
        code: 'CONFIG_ERROR',
        details: { module: 'node:sqlite' },
        message: expect.stringContaining('SQLite persistence needs node:sqlite'),
      });
      expect((failure as Error).cause).toBeInstanceOf(Error);
    });
  });
});
