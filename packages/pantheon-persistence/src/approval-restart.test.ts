import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { deskScript } from './approval-child.test-support';
import { dropSchema, POSTGRES_URL, testSchema } from './backends.test-support';
import { openPostgresPersistence, openSqlitePersistence, type Persistence } from './persistence';
import { ScriptRegistry } from './script-registry';

const child = fileURLToPath(new URL('./approval-child.test-support.ts', import.meta.url));
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'pantheon-approval-'));
const schemas: string[] = [];

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  for (const schema of schemas) await dropSchema(schema);
});

/** Starts the child; resolves its output lines as they come, and its exit code. */
function startChild(args: string[]) {
  const started = spawn(
    process.execPath,
    ['--disable-warning=ExperimentalWarning', '--import', 'tsx', child, ...args],
    { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  const waiters: Array<() => void> = [];
  started.stdout.on('data', (chunk) => {
    stdout += chunk;
    for (const wake of waiters.splice(0)) wake();
  });
  started.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const exit = new Promise<number | null>((resolve) =>
    started.on('exit', (code) => {
      if (code !== 0 && code !== null) process.stderr.write(stderr);
      for (const wake of waiters.splice(0)) wake();
      resolve(code);
    }),
  );
  /** The first output line starting with `prefix`, without it. */
  async function line(prefix: string): Promise<string> {
    for (;;) {
      const found = stdout.split('\n').find((entry) => entry.startsWith(prefix));
      if (found !== undefined) return found.slice(prefix.length);
      if (started.exitCode !== null) throw new Error(`child exited ${started.exitCode}: ${stderr}`);
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
  }
  return { process: started, exit, line };
}

interface Scenario {
  args: string[];
  open(): Promise<Persistence>;
}

async function killWhilePendingThenApprove({ args, open }: Scenario): Promise<void> {
  const runs = join(dir, `runs-${Math.random().toString(36).slice(2)}.log`);
  writeFileSync(runs, '');
  const first = startChild(['ask', ...args, runs]);
  const approvalId = await first.line('pending ');
  first.process.kill('SIGKILL');
  expect(await first.exit, 'the first process dies by SIGKILL').toBeNull();
  expect(readFileSync(runs, 'utf8')).toBe('');

  const store = await open();
  try {
    // What the killed process left: the approval, pending, and no message left to handle.
    expect((await store.mailbox.approvals()).map(({ id, status }) => ({ id, status }))).toEqual([
      { id: approvalId, status: 'pending' },
    ]);
    expect(await store.mailbox.pending()).toEqual([]);

    const second = startChild(['approve', ...args, runs, approvalId]);
    expect(await second.line('reply ')).toBe('Done: {"refunded":250}');
    expect(await second.exit).toBe(0);

    // The tool ran exactly once, under the approval; the conversation finished.
    expect(readFileSync(runs, 'utf8')).toBe('250 operator\n');
    expect(await store.mailbox.approvals()).toEqual([]);
    expect(await store.mailbox.approval(approvalId)).toMatchObject({
      status: 'approved',
      settled: true,
      decision: { by: 'operator' },
    });
    const history = await store.context.getHistory('desk', 'c-refund');
    expect(history.map((entry) => entry.content)).toEqual([
      'Please refund 250',
      'Done: {"refunded":250}',
    ]);
    expect(await store.mailbox.stats()).toMatchObject({ pending: 0, unpublished: 0 });
  } finally {
    await store.close();
  }
}

const scripts = () => new ScriptRegistry().register(deskScript);

describe('a pending approval survives SIGKILL: restart, approve, the tool runs once', () => {
  it('SQLite', async () => {
    const file = join(dir, 'approval.sqlite');
    await killWhilePendingThenApprove({
      args: ['sqlite', file],
      open: () => openSqlitePersistence({ file, scripts: scripts() }),
    });
  }, 60_000);

  it('PostgreSQL', async () => {
    const schema = testSchema();
    schemas.push(schema);
    await killWhilePendingThenApprove({
      args: ['postgres', `${POSTGRES_URL}|${schema}`],
      open: () =>
        openPostgresPersistence({ connectionString: POSTGRES_URL, schema, scripts: scripts() }),
    });
  }, 60_000);
});
