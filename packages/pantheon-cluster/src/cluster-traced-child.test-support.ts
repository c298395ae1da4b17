/**
 * A cluster process with its own OpenTelemetry tracer provider (run by `cluster-trace.test.ts`
 * with `--import tsx`). Usage:
 *   cluster-traced-child.test-support.ts <nats-url> <postgres-url> <schema> <cluster-name> <partitions> <spans-out>
 * Joins the cluster as a member running the echo script (`cluster.test-support.ts`), prints
 * `ready <partitions it owns>` once it has joined and again whenever that changes; on SIGTERM it
 * leaves the cluster, writes its finished spans as JSON lines to `<spans-out>` and exits 0.
 */
import { writeFileSync } from 'node:fs';
import { connect } from '@nats-io/transport-node';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { InMemoryToolAdapter, NodeScheduler } from '@promethean-os/pantheon-adapters';
import { createOtelHooks } from '@promethean-os/pantheon-adapters/otel';
import type { LlmPort } from '@promethean-os/pantheon-core';
import { openPostgresPersistence, type Persistence } from '@promethean-os/pantheon-persistence';
import { echoScripts } from './cluster.test-support';
import { PantheonCluster } from './pantheon-cluster';

async function main(): Promise<void> {
  const [natsUrl, postgresUrl, schema, name, partitions, out] = process.argv.slice(2) as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  let db: Persistence | undefined;
  db = await openPostgresPersistence({
    connectionString: postgresUrl,
    schema,
    scripts: echoScripts(() => db!),
    poolSize: 4,
  });
  const connection = await connect({ servers: natsUrl, maxReconnectAttempts: -1 });
  const llm: LlmPort = { complete: async () => ({ role: 'assistant', content: 'unused' }) };
  const cluster = await PantheonCluster.start({
    name,
    connection,
    persistence: db,
    partitions: Number(partitions),
    llmAdapter: llm,
    toolAdapter: new InMemoryToolAdapter(),
    scheduler: new NodeScheduler(),
    hooks: createOtelHooks({ tracerProvider }),
    log: () => {},
  });
  const owned = () =>
    cluster
      .ownedPartitions()
      .map((lease) => lease.partition)
      .sort()
      .join(',');
  let said = owned();
  process.stdout.write(`ready ${said}\n`);
  const watch = setInterval(() => {
    if (owned() !== said) {
      said = owned();
      process.stdout.write(`ready ${said}\n`);
    }
  }, 50);
  process.on('SIGTERM', () => {
    clearInterval(watch);
    cluster
      .shutdown()
      .then(() => db?.close())
      .then(() => connection.close())
      .then(() => {
        const spans = exporter.getFinishedSpans().map((span) => ({
          name: span.name,
          traceId: span.spanContext().traceId,
          spanId: span.spanContext().spanId,
          parentSpanId: span.parentSpanContext?.spanId,
          attributes: span.attributes,
        }));
        writeFileSync(out, spans.map((span) => JSON.stringify(span)).join('\n'));
        process.stdout.write(`done: ${spans.length} spans\n`);
        process.exit(0);
      })
      .catch((error) => {
        process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
        process.exit(1);
      });
  });
}

if (process.argv[1]?.endsWith('cluster-traced-child.test-support.ts')) {
  main().catch((error) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  });
}
