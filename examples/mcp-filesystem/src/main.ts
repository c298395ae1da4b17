/**
 *   pnpm --filter @promethean-os/example-mcp-filesystem start [folder] [question…]
 * Without arguments: the bundled sample folder and three questions.
 */
import { fileURLToPath } from 'node:url';
import { startFolderAssistant } from './folder-assistant';
import { chooseModel } from './model-choice';

const SAMPLE_FOLDER = fileURLToPath(new URL('../sample-folder', import.meta.url));
const [folderArgument, ...questionWords] = process.argv.slice(2);
const questions =
  questionWords.length > 0
    ? [questionWords.join(' ')]
    : [
        'How much flour goes into the pancakes?',
        'When is the boiler service?',
        'Who won the football on Sunday?',
      ];

const choice = await chooseModel(process.env);
console.log(`Pantheon + MCP filesystem server — model: ${choice.description}`);
const assistant = await startFolderAssistant({
  llm: choice.llm,
  folder: folderArgument ?? SAMPLE_FOLDER,
  log: (message, meta) => {
    if (meta?.level === 'error' || meta?.level === 'warn') console.error(message, meta);
  },
});
console.log(`Folder: ${assistant.folder} (filesystem server pid ${assistant.serverPid})`);
console.log(`Tools offered to the model: ${assistant.toolNames.join(', ')}\n`);
try {
  for (const question of questions) {
    console.log(`? ${question}`);
    console.log(`${await assistant.ask(question)}\n`);
  }
} catch (error) {
  console.error(error);
  process.exitCode = 1;
} finally {
  await assistant.close();
}
