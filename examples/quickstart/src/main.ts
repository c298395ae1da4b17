import { ScriptedOfflineModel } from './scripted-offline-model';
import { runQuickstart } from './weather-desk';

console.log(
  `Pantheon quickstart — offline: the model is ${ScriptedOfflineModel.label}, not a real LLM.\n`,
);
await runQuickstart({ log: (line) => console.log(line) });
console.log('\nDone. Next: docs/developer-guide.md');
