import { ScriptedDeskModel } from './scripted-desk-model';
import { createTriageDesk, startTriageDesk } from './triage-desk';

console.log(`Pantheon triage desk — model: ${ScriptedDeskModel.label}\n`);
const desk = createTriageDesk({ llm: new ScriptedDeskModel() });
await startTriageDesk(desk);

// Two customers at once, each in their own conversation, both starting at triage.
const questions = [
  { customer: 'alice', text: 'Hi, my card 4242 was charged twice for one order.' },
  { customer: 'bob', text: 'The app crashes every time I sign in.' },
];
const answers = await Promise.all(
  questions.map(({ customer, text }) =>
    desk.ask('triage', text, {
      from: customer,
      conversationId: `${customer}-1`,
      timeoutMs: 10_000,
    }),
  ),
);
for (const [index, answer] of answers.entries()) {
  console.log(`${questions[index]!.customer} asked triage: ${questions[index]!.text}`);
  console.log(`  ${answer.from} → ${answer.to}: ${answer.content}\n`);
}
await desk.shutdown();
