import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ROOT_CONTEXT, trace } from '@opentelemetry/api';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { createOtelHooks, traceMetadata } from '@promethean-os/pantheon-adapters/otel';
import { afterAll, describe, expect, it } from 'vitest';
import { ClusterFixture, ECHO_SCRIPT, NATS_URL, POSTGRES_URL } from './cluster.test-support';
import { partitionOf } from './partitioning';

const child = fileURLToPath(new URL('./cluster-traced-child.test-support.ts', import.meta.url));
const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'pantheon-cluster-trace-'));
const PARTITIONS = 2;

interface ExportedSpan {
  name: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  attributes: Record<string, unknown>;
}

const started = new Set<ChildProcess>();
afterAll(() => {
  for (const node of started)
    if (node.exitCode === null && node.signalCode === null) node.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** An actor id of `partition` (ids are hashed to partitions). */
function idIn(prefix: string, partition: number): string {
  for (let index = 0; ; index++) {
    const id = `${prefix}-${index}`;
    if (partitionOf(id, PARTITIONS) === partition) return id;
  }
}

describe('one trace per conversation across cluster processes', () => {
  it("continues the caller's trace from actor a in this process to actor b in another process over NATS", async () => {
    const fixture = new ClusterFixture();
    const exporter = new InMemorySpanExporter();
    const tracerProvider = new BasicTracerProvider({
      spanProcessors: [new SimpleSpanProcessor(exporter)],
    });
    const out = join(dir, `${fixture.name}.jsonl`);
    try {
      // This process: a member with its own tracer provider; it takes both partitions first.
      const here = await fixture.node({
        partitions: PARTITIONS,
        hooks: createOtelHooks({ tracerProvider }),
      });
      // Another process: its own NATS connection, database pool and tracer provider.
      const node = spawn(
        process.execPath,
        [
          '--disable-warning=ExperimentalWarning',
          '--import',
          'tsx',
          child,
          NATS_URL,
          POSTGRES_URL,
          fixture.schema,
          fixture.name,
          String(PARTITIONS),
          out,
        ],
        { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      started.add(node);
      let stdout = '';
      let stderr = '';
      node.stdout?.on('data', (chunk) => {
        stdout += chunk;
      });
      node.stderr?.on('data', (chunk) => {
        stderr += chunk;
      });
      const exited = new Promise<number | null>((resolve) => node.on('exit', resolve));

      // The partitions are shared out: one owned here, the other there.
      const [mine, theirs] = await until('the partitions to be shared out', () => {
        const owned = here.cluster.ownedPartitions().map((lease) => lease.partition);
        const lines = stdout.trim().split('\n');
        const there = lines.at(-1)?.match(/^ready (\d+)$/)?.[1];
        if (owned.length !== 1 || there === undefined || Number(there) === owned[0]) return;
        return [owned[0] as number, Number(there)] as const;
      });
      const a = idIn('a', mine);
      const b = idIn('b', theirs);
      await here.cluster.createActor({ id: a, name: a, script: ECHO_SCRIPT, goals: ['relay'] });
      await here.cluster.createActor({ id: b, name: b, script: ECHO_SCRIPT, goals: ['answer'] });
      await here.cluster.startActor(a);
      await here.cluster.startActor(b);

      // The user's request, in the caller's span: a answers and forwards to b, over NATS.
      const caller = new BasicTracerProvider().getTracer('caller').startSpan('POST /relay');
      const answer = await here.cluster.ask(a, `forward:${b}:parcel 7`, {
        metadata: traceMetadata(trace.setSpan(ROOT_CONTEXT, caller)),
        timeoutMs: 30_000,
      });
      caller.end();
      expect([answer.from, answer.content]).toEqual([a, `echo:forward:${b}:parcel 7`]);
      await until('b to handle the forwarded message', async () =>
        (await here.db.context.read('count', { actorId: b })) === 1 ? true : undefined,
      );

      node.kill('SIGTERM');
      const code = await exited;
      if (code !== 0) process.stderr.write(stderr);
      expect(code).toBe(0);
      expect(stdout).toMatch(/done: \d+ spans/);

      const spansHere = exporter.getFinishedSpans();
      const tickOfA = spansHere.find((span) => span.name === `invoke_agent ${a}`);
      expect(tickOfA?.spanContext().traceId).toBe(caller.spanContext().traceId);
      expect(tickOfA?.parentSpanContext?.spanId).toBe(caller.spanContext().spanId);
      // No tick of b here: b ran only in the other process.
      expect(spansHere.some((span) => span.name === `invoke_agent ${b}`)).toBe(false);

      const spansThere = readFileSync(out, 'utf8')
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as ExportedSpan);
      const tickOfB = spansThere.find((span) => span.name === `invoke_agent ${b}`);
      expect(tickOfB).toMatchObject({
        traceId: caller.spanContext().traceId,
        parentSpanId: tickOfA?.spanContext().spanId,
        attributes: { 'gen_ai.agent.id': b, 'pantheon.message.from': a },
      });
      // b's answer to the user is in the same trace.
      const sendOfB = spansThere.find((span) => span.name === 'send user');
      expect(sendOfB?.traceId).toBe(caller.spanContext().traceId);
      // Every span of the conversation, in both processes, is in the caller's one trace.
      expect(
        new Set([
          ...spansHere.map((span) => span.spanContext().traceId),
          ...spansThere.map((span) => span.traceId),
        ]),
      ).toEqual(new Set([caller.spanContext().traceId]));
    } finally {
      await fixture.cleanup();
    }
  }, 90_000);
});
