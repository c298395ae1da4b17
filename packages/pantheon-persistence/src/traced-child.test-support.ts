/**
 * A process that goes on with a traced conversation another process started (run by
 * `trace-propagation.test.ts` with `--import tsx`). Usage:
 *   traced-child.test-support.ts <sqlite-file> <spans-out>
 * It opens the durable store, starts actors `a` and `b`, handles what waits in their stored
 * mailboxes, writes its finished spans as JSON lines to `<spans-out>` and exits 0.
 */
import { writeFileSync } from 'node:fs';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import {
  InMemoryMessageBus,
  InMemoryToolAdapter,
  NodeScheduler,
} from '@promethean-os/pantheon-adapters';
import { createOtelHooks } from '@promethean-os/pantheon-adapters/otel';
import {
  type ActorScript,
  type Behavior,
  type LlmPort,
  PantheonSystem,
} from '@promethean-os/pantheon-core';
import { openSqlitePersistence, type Persistence } from './persistence';
import { ScriptRegistry } from './script-registry';

/** `traced-a` passes every message on to `b`; `traced-b` answers the requester. */
export function tracedScripts(): ScriptRegistry {
  const passOn = (target?: string): Behavior => ({
    name: target ? 'pass-on' : 'answer',
    mode: 'active',
    plan: async ({ context }) => {
      const content = context.at(-1)?.content ?? '';
      return {
        actions: [
          target
            ? { type: 'message', content, target }
            : { type: 'message', content: `b answers ${content}` },
        ],
      };
    },
  });
  const script = (name: string, behavior: Behavior): ActorScript => ({
    name,
    talents: [{ name: 'relay', behaviors: [behavior] }],
    contextSources: [],
  });
  return new ScriptRegistry()
    .register(script('traced-a', passOn('b')))
    .register(script('traced-b', passOn()));
}

/** A system over `db` whose spans go to `exporter`. */
export function tracedSystem(db: Persistence, exporter: InMemorySpanExporter): PantheonSystem {
  const tracerProvider = new BasicTracerProvider({
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const llm: LlmPort = { complete: async () => ({ role: 'assistant', content: 'unused' }) };
  return new PantheonSystem({
    contextAdapter: db.context,
    toolAdapter: new InMemoryToolAdapter(),
    llmAdapter: llm,
    messageBus: new InMemoryMessageBus(),
    scheduler: new NodeScheduler(),
    actorStateAdapter: db.actors,
    store: db.mailbox,
    hooks: createOtelHooks({ tracerProvider }),
    log: () => {},
  });
}

async function main(): Promise<void> {
  const [file, out] = process.argv.slice(2) as [string, string];
  const db = await openSqlitePersistence({ file, scripts: tracedScripts() });
  const exporter = new InMemorySpanExporter();
  const pantheon = tracedSystem(db, exporter);
  await pantheon.startActor('a');
  await pantheon.startActor('b');
  await pantheon.whenIdle();
  await pantheon.shutdown();
  await db.close();
  const spans = exporter.getFinishedSpans().map((span) => ({
    name: span.name,
    traceId: span.spanContext().traceId,
    spanId: span.spanContext().spanId,
    parentSpanId: span.parentSpanContext?.spanId,
    attributes: span.attributes,
  }));
  writeFileSync(out, spans.map((span) => JSON.stringify(span)).join('\n'));
  process.stdout.write(`done: ${spans.length} spans\n`);
}

if (process.argv[1]?.endsWith('traced-child.test-support.ts')) {
  main().catch((error) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  });
}
