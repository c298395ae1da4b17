import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BusMessage } from '@promethean-os/pantheon-core';
import { openSqlitePersistence } from '@promethean-os/pantheon-persistence';
import { afterAll, describe, expect, it } from 'vitest';
import { CUSTOMERS } from './desk-process.test-support';
import { recordingModel } from './recording-model.test-support';
import { ScriptedDeskModel } from './scripted-desk-model';
import { createTriageDesk, deskScripts, startTriageDesk } from './triage-desk';

const child = fileURLToPath(new URL('./desk-process.test-support.ts', import.meta.url));
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'pantheon-triage-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the first process until every hand-off reached a specialist, then SIGKILLs it. */
async function crashAfterHandOffs(file: string): Promise<NodeJS.Signals | null> {
  const first = spawn(
    process.execPath,
    ['--disable-warning=ExperimentalWarning', '--import', 'tsx', child, file],
    { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  first.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const exited = new Promise<NodeJS.Signals | null>((resolve) =>
    first.on('exit', (_code, signal) => resolve(signal)),
  );
  await new Promise<void>((resolve, reject) => {
    first.stdout.on('data', (chunk) => {
      stdout += chunk;
      if (stdout.includes('handed off')) resolve();
    });
    void exited.then(() => reject(new Error(`the first process exited early:\n${stderr}`)));
  });
  first.kill('SIGKILL');
  return exited;
}

describe('triage desk on SQLite, killed between the hand-off and the answer', () => {
  it('answers each customer exactly once after the restart, from their own conversation', {
    timeout: 60_000,
  }, async () => {
    const file = join(dir, 'desk.sqlite');
    expect(await crashAfterHandOffs(file)).toBe('SIGKILL');

    const persistence = await openSqlitePersistence({ file, scripts: deskScripts() });
    const model = recordingModel(new ScriptedDeskModel());
    const desk = createTriageDesk({ llm: model, persistence, log: () => {} });
    const replies: BusMessage[] = [];
    const answered = new Promise<void>((resolve) =>
      desk.on('reply', ({ message }) => {
        replies.push(message);
        if (replies.length === CUSTOMERS.length) resolve();
      }),
    );
    await startTriageDesk(desk);
    await answered;
    await desk.whenIdle();
    await desk.shutdown();
    await persistence.close();

    // One reply per customer, from the specialist triage chose, in the customer's conversation.
    expect(replies.map(({ to, from, conversationId }) => ({ to, from, conversationId }))).toEqual(
      expect.arrayContaining([
        { to: 'alice', from: 'billing', conversationId: 'alice-1' },
        { to: 'bob', from: 'billing', conversationId: 'bob-1' },
        { to: 'carol', from: 'tech', conversationId: 'carol-1' },
      ]),
    );
    expect(replies).toHaveLength(CUSTOMERS.length);
    // Triage's hand-offs were committed before the crash: it was not asked again.
    expect(model.shown.filter((call) => call.system.includes('front desk'))).toEqual([]);
    for (const call of model.shown) {
      const text = call.messages.map((message) => message.content).join('\n');
      const customers = CUSTOMERS.filter(({ text: line }) => text.includes(line));
      expect(customers.length, 'one conversation per model call').toBeLessThanOrEqual(1);
    }
  });
});
