import { chooseModelFromEnvironment, SUPPORT_DESK_CASSETTE } from './model-choice';
import { recordCassette } from './record-cassette';
import { ScriptedSupportModel } from './scripted-support-model';

// `pnpm record` re-records the committed cassette from the scripted model. `pnpm record --live`
// records the real model that the environment selects instead (see README).
const live = process.argv.includes('--live');
const choice = live ? await chooseModelFromEnvironment(process.env) : undefined;
if (choice?.provider === 'replay') {
  throw new Error(
    '--live needs AI_SDK_MODEL, or PANTHEON_LLM_PROVIDER (openai or claude) with its API key',
  );
}
const model = choice?.llm ?? new ScriptedSupportModel();
console.log(
  `Recording ${choice?.description ?? ScriptedSupportModel.label} to ${SUPPORT_DESK_CASSETTE}\n`,
);
const run = await recordCassette(model, SUPPORT_DESK_CASSETTE, {
  log: (line) => console.log(line),
});
if (run.errors.length > 0) {
  console.error(`\n${run.errors.length} error(s):`, run.errors.map(String));
  process.exitCode = 1;
}
