/**
 * The first process of the crash test (`durable-desk.test.ts` starts it with `--import tsx`):
 * runs the desk on a SQLite file, sends the customers to triage and lets triage hand them off;
 * the specialists' model never answers. Once every hand-off waits in a specialist's mailbox the
 * process prints `handed off` and idles, so the test can kill it right there.
 *   desk-process.test-support.ts <sqlite-file>
 */
import type { LlmPort } from '@promethean-os/pantheon-core';
import { openSqlitePersistence } from '@promethean-os/pantheon-persistence';
import { ScriptedDeskModel } from './scripted-desk-model';
import { createTriageDesk, deskScripts, startTriageDesk } from './triage-desk';

/** Two customers for billing at once, and one for tech. */
export const CUSTOMERS = [
  { customer: 'alice', conversationId: 'alice-1', text: 'My card 4242 was charged twice.' },
  { customer: 'bob', conversationId: 'bob-1', text: 'Where is the invoice I paid last week?' },
  { customer: 'carol', conversationId: 'carol-1', text: 'The app crashes when I sign in.' },
] as const;

async function main(file: string): Promise<void> {
  const triageModel = new ScriptedDeskModel();
  const holdingModel: LlmPort = {
    complete(messages, options) {
      if (options?.tools?.some((tool) => tool.name === 'handoff')) {
        return triageModel.complete(messages, options);
      }
      return new Promise(() => {});
    },
  };
  const persistence = await openSqlitePersistence({ file, scripts: deskScripts() });
  const desk = createTriageDesk({ llm: holdingModel, persistence, log: () => {} });
  await startTriageDesk(desk);
  for (const { customer, conversationId, text } of CUSTOMERS) {
    await desk.sendMessage('triage', text, { from: customer, conversationId });
  }
  const handedOff = async () => {
    const waiting = [...(await desk.getMailbox('billing')), ...(await desk.getMailbox('tech'))];
    return CUSTOMERS.every(({ conversationId }) =>
      waiting.some((message) => message.conversationId === conversationId),
    );
  };
  while (!(await handedOff())) await new Promise((resolve) => setTimeout(resolve, 10));
  process.stdout.write('handed off\n');
  setInterval(() => {}, 60_000); // held until the test kills the process
}

if (process.argv[1]?.endsWith('desk-process.test-support.ts')) {
  main(process.argv[2]!).catch((error) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  });
}
