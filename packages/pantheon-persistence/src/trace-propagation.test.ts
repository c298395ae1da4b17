import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { traceMetadata } from '@promethean-os/pantheon-adapters/otel';
import { afterAll, describe, expect, it } from 'vitest';
import { openSqlitePersistence } from './persistence';
import { tracedScripts, tracedSystem } from './traced-child.test-support';

const child = fileURLToPath(new URL('./traced-child.test-support.ts', import.meta.url));
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'pantheon-trace-'));

afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface ExportedSpan {
  name: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  attributes: Record<string, unknown>;
}

function runChild(args: string[]): Promise<{ code: number | null; stdout: string }> {
  const started = spawn(
    process.execPath,
    ['--disable-warning=ExperimentalWarning', '--import', 'tsx', child, ...args],
    { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  started.stdout.on('data', (chunk) => {
    stdout += chunk;
  });
  started.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  return new Promise((resolve) =>
    started.on('exit', (code) => {
      if (code !== 0) process.stderr.write(stderr);
      resolve({ code, stdout });
    }),
  );
}

describe('trace context through the durable store and across processes', () => {
  it('continues the trace of a conversation in the process that handles its stored message', async () => {
    const file = join(dir, 'traced.sqlite');
    const out = join(dir, 'child-spans.jsonl');

    // This process: the caller's span, then actor a handles the message and sends to b, which
    // is not started here: the message waits in b's stored mailbox when this process stops.
    const db = await openSqlitePersistence({ file, scripts: tracedScripts() });
    await db.actors.spawn(tracedScripts().get('traced-a')!, 'relay', { id: 'a', name: 'a' });
    await db.actors.spawn(tracedScripts().get('traced-b')!, 'answer', { id: 'b', name: 'b' });
    const exporter = new InMemorySpanExporter();
    const pantheon = tracedSystem(db, exporter);
    const caller = new BasicTracerProvider().getTracer('caller').startSpan('POST /relay');
    await pantheon.startActor('a');
    await pantheon.sendMessage('a', 'parcel 7', {
      metadata: traceMetadata(trace.setSpan(ROOT_CONTEXT, caller)),
    });
    await pantheon.whenIdle();
    const report = await pantheon.shutdown();
    await db.close();
    caller.end();
    expect(report.kept.map((message) => [message.to, message.content])).toEqual([
      ['b', 'parcel 7'],
    ]);
    const here = exporter.getFinishedSpans();
    const tickOfA = here.find((span) => span.name === 'invoke_agent a');
    expect(tickOfA?.parentSpanContext?.spanId).toBe(caller.spanContext().spanId);

    // Another process: b handles the stored message in the same trace, under a's tick.
    const { code, stdout } = await runChild([file, out]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^done: \d+ spans/);
    const there = readFileSync(out, 'utf8')
      .split('\n')
      .map((line) => JSON.parse(line) as ExportedSpan);
    const tickOfB = there.find((span) => span.name === 'invoke_agent b');
    expect(tickOfB).toMatchObject({
      traceId: caller.spanContext().traceId,
      parentSpanId: tickOfA?.spanContext().spanId,
      attributes: { 'gen_ai.agent.id': 'b', 'pantheon.message.from': 'a' },
    });
    const sendOfB = there.find((span) => span.name === 'send user');
    expect(sendOfB?.traceId).toBe(caller.spanContext().traceId);
    // Every span of both processes is in the caller's one trace.
    expect(
      new Set([
        ...here.map((span) => span.spanContext().traceId),
        ...there.map((span) => span.traceId),
      ]),
    ).toEqual(new Set([caller.spanContext().traceId]));
  }, 60_000);
});
