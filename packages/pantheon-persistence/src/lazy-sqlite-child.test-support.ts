/**
 * A fresh process for `lazy-sqlite.test.ts` (started with `--import tsx`): imports the package
 * entry, notes whether `node:sqlite` was loaded and which warnings were emitted, then opens a
 * SQLite store — which must load it, proving the check can see it — and prints the findings
 * as one JSON line.
 */

/** Whether Node has loaded its SQLite module (it lists every built-in module it loads). */
function sqliteLoaded(): boolean {
  const loaded = (process as unknown as { moduleLoadList?: string[] }).moduleLoadList;
  if (!Array.isArray(loaded)) throw new Error('process.moduleLoadList is not available');
  return loaded.some((entry) => entry === 'NativeModule sqlite');
}

/** Lets warnings emitted so far reach the listener (Node emits them on the next tick). */
const settle = () => new Promise((resolve) => setTimeout(resolve, 10));

async function main(): Promise<void> {
  const warnings: string[] = [];
  process.on('warning', (warning) => warnings.push(`${warning.name}: ${warning.message}`));
  const atStart = sqliteLoaded();
  const persistence = await import('./index');
  await settle();
  const afterImport = {
    sqlite: sqliteLoaded(),
    warnings: [...warnings],
    exports: ['openPostgresPersistence', 'openSqlitePersistence', 'migratePostgres'].filter(
      (name) => typeof (persistence as Record<string, unknown>)[name] === 'function',
    ),
  };
  const db = await persistence.openSqlitePersistence({
    file: ':memory:',
    scripts: new persistence.ScriptRegistry(),
  });
  const version = await db.migrate();
  await db.close();
  await settle();
  const afterOpen = { sqlite: sqliteLoaded(), warnings: [...warnings], version };
  process.stdout.write(`${JSON.stringify({ atStart, afterImport, afterOpen })}\n`);
}

if (process.argv[1]?.endsWith('lazy-sqlite-child.test-support.ts')) {
  main().catch((error) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  });
}
