import { chooseModelFromEnvironment } from './model-choice';
import { runSupportDesk } from './support-desk';

const choice = await chooseModelFromEnvironment(process.env);
console.log(`Pantheon support desk — model: ${choice.description}\n`);
const run = await runSupportDesk({ llm: choice.llm, log: (line) => console.log(line) });
for (const error of run.errors) console.error(`error: ${error.code}: ${error.message}`);
for (const { reason, message } of run.deadLetters) {
  console.error(`undelivered (${reason}): ${message.from} → ${message.to}`);
}
if (run.errors.length > 0 || run.deadLetters.length > 0) process.exitCode = 1;
