import type { PantheonSystem, PendingApproval } from '@promethean-os/pantheon-core';
import { afterEach, describe, expect, it } from 'vitest';
import { inspectedSystem } from './inspector-fixture.test-support';
import { type Inspector, serveInspector } from './serve-inspector';

let running: { inspector?: Inspector; shutdown?: () => Promise<unknown> } = {};
afterEach(async () => {
  await running.inspector?.close();
  await running.shutdown?.();
  running = {};
});

async function start(options: Parameters<typeof serveInspector>[1] = {}) {
  const { system, recorder, refunds, gate } = await inspectedSystem();
  const inspector = await serveInspector(system, { port: 0, recorder, ...options });
  running = { inspector, shutdown: () => system.shutdown() };
  const base = `http://127.0.0.1:${inspector.port}`;
  return { system, inspector, base, refunds, gate };
}

/** Resolves with the next approval the system asks for. */
function nextApproval(system: PantheonSystem): Promise<PendingApproval> {
  return new Promise((resolve) => {
    const off = system.on('approval.requested', ({ approval }) => {
      off();
      resolve(approval);
    });
  });
}

describe('serveInspector: JSON endpoints', () => {
  it('lists actors with state, mailbox depth and last tick, and shows a tick with its span tree', async () => {
    const { system, base } = await start();
    await system.sendMessage('parked', 'waits');
    const answer = await fetch(`${base}/api/actors/support/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ content: 'Where is order 7?', ask: true }),
    });
    expect(answer.status).toBe(200);
    expect(await answer.json()).toMatchObject({
      reply: { from: 'support', to: 'user', content: 'Order status: shipped' },
    });
    await system.whenIdle();

    const actors = (await (await fetch(`${base}/api/actors`)).json()) as Record<string, unknown>[];
    expect(
      actors.map(({ id, name, state, started, mailboxDepth }) => ({
        id,
        name,
        state,
        started,
        mailboxDepth,
      })),
    ).toEqual([
      { id: 'support', name: 'support desk', state: 'idle', started: true, mailboxDepth: 0 },
      { id: 'looper', name: 'looper', state: 'idle', started: true, mailboxDepth: 0 },
      { id: 'parked', name: 'parked', state: 'idle', started: false, mailboxDepth: 1 },
    ]);
    expect(actors[0]?.lastTick).toMatchObject({ state: 'idle', errors: 0 });
    expect(actors[2]?.oldestMessageAt).toEqual(expect.any(Number));

    const timeline = await (await fetch(`${base}/api/actors/support/timeline`)).json();
    expect(timeline.recorded).toBe(true);
    expect(timeline.ticks).toHaveLength(1);
    const [tick] = timeline.ticks;
    expect(tick).toMatchObject({
      actorId: 'support',
      state: 'idle',
      input: { from: 'user', content: 'Where is order 7?' },
      sent: [{ to: 'user', content: 'Order status: shipped' }],
      toolCalls: [
        {
          name: 'lookup-order',
          toolCallId: 'call-1',
          args: { question: 'Where is order 7?' },
          result: 'shipped',
        },
      ],
      errors: [],
    });
    const names = (span: { name: string; children: unknown[] }): unknown => [
      span.name,
      ...(span.children as { name: string; children: unknown[] }[]).map(names),
    ];
    expect(names(tick.span)).toEqual([
      'invoke_agent support desk',
      [
        'behavior answer',
        ['chat desk-model'],
        ['execute_tool lookup-order'],
        ['chat desk-model'],
        ['send user'],
      ],
    ]);
    expect(timeline.sent.map((message: { content: string }) => message.content)).toEqual([
      'Order status: shipped',
    ]);
  });

  it('sends a message, lists dead letters with their reason, and redacts secrets', async () => {
    const { system, base } = await start();
    const secret = 'sk-proj-abcdefghijklmnopqrstuvwxyz0123';
    const sent = await fetch(`${base}/api/actors/looper/messages`, {
      method: 'POST',
      body: JSON.stringify({ content: `round and round with ${secret}` }),
    });
    expect(await sent.json()).toEqual({ messageId: expect.any(String) });
    await system.whenIdle();
    const response = await fetch(`${base}/api/dead-letters`);
    const text = await response.text();
    expect(text).not.toContain(secret);
    expect(JSON.parse(text)).toEqual([
      {
        reason: 'HOP_LIMIT',
        message: expect.objectContaining({
          from: 'looper',
          to: 'looper',
          content: 'round and round with [REDACTED]',
        }),
      },
    ]);
    // The system itself still has the message as it was: only what is shown is redacted.
    expect(system.getDeadLetters()[0]?.message.content).toContain(secret);
  });

  it('answers bad requests with their status and the runtime error code', async () => {
    const { base } = await start();
    const post = (path: string, body: string) =>
      fetch(`${base}${path}`, { method: 'POST', body }).then(async (response) => ({
        status: response.status,
        body: await response.json(),
      }));
    expect(await post('/api/actors/support/messages', 'not json')).toEqual({
      status: 400,
      body: { error: 'The body must be a JSON object' },
    });
    expect(await post('/api/actors/support/messages', '{"content":""}')).toMatchObject({
      status: 400,
    });
    expect(await post('/api/actors/nobody/messages', '{"content":"hi"}')).toMatchObject({
      status: 404,
      body: { code: 'ACTOR_NOT_FOUND' },
    });
    expect((await fetch(`${base}/api/actors/nobody/timeline`)).status).toBe(404);
    expect((await fetch(`${base}/nothing`)).status).toBe(404);
  });

  it('needs the token on every request when one is set, and for any host but loopback', async () => {
    await expect(
      serveInspector((await inspectedSystem()).system, { host: '0.0.0.0', port: 0 }),
    ).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      details: { host: '0.0.0.0', field: 'token' },
    });
    const token = 'a-long-enough-test-token';
    const { inspector, base } = await start({ token });
    expect(inspector.url).toBe(`http://127.0.0.1:${inspector.port}/?token=${token}`);
    expect((await fetch(`${base}/api/actors`)).status).toBe(401);
    expect((await fetch(`${base}/`)).status).toBe(401);
    expect((await fetch(`${base}/api/actors?token=wrong`)).status).toBe(401);
    expect((await fetch(`${base}/api/actors?token=${token}`)).status).toBe(200);
    const page = await fetch(`${base}/`, { headers: { authorization: `Bearer ${token}` } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>Pantheon inspector</title>');
  });

  it('streams actor snapshots and ticks as Server-Sent Events', async () => {
    const { system, base } = await start();
    const controller = new AbortController();
    const response = await fetch(`${base}/api/events`, { signal: controller.signal });
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let received = '';
    const until = async (pattern: RegExp) => {
      while (!pattern.test(received)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`stream ended before ${pattern}`);
        received += value;
      }
    };
    await until(/event: actors\ndata: \[.*"support"/);
    await system.ask('support', 'Is order 9 shipped?');
    await until(/event: tick\ndata: \{.*"state":"idle"/);
    expect(received).toContain('event: tick\ndata: {"seq":1,"actorId":"support"');
    expect(received).toMatch(/event: reply\ndata: .*Order status: shipped/);
    controller.abort();
  });

  it('lists pending approvals and approves or denies them as the operator, with typed errors', async () => {
    const { system, base, refunds } = await start({ operator: 'ops@example.com' });
    const post = (path: string, body?: unknown) =>
      fetch(`${base}${path}`, {
        method: 'POST',
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      }).then(async (response) => ({ status: response.status, body: await response.json() }));

    const requested = nextApproval(system);
    const answer = system.ask('support', 'Please refund 250', { timeoutMs: 10_000 });
    const approval = await requested;
    const pending = await (await fetch(`${base}/api/approvals`)).json();
    expect(pending).toEqual([
      expect.objectContaining({
        id: approval.id,
        actorId: 'support',
        tool: 'issue-refund',
        args: { amount: 250 },
        toolCallId: 'refund-250',
        requestedBy: 'user',
      }),
    ]);
    expect(refunds).toEqual([]);

    expect(await post(`/api/approvals/${approval.id}/approve`, { note: 'checked' })).toEqual({
      status: 200,
      body: { id: approval.id, decision: 'approved', by: 'ops@example.com' },
    });
    expect((await answer).content).toBe('Refund outcome: {"refunded":250}');
    expect(refunds).toEqual([{ amount: 250 }]);
    expect(await (await fetch(`${base}/api/approvals`)).json()).toEqual([]);

    // Deciding it again, or an approval that does not exist, is the runtime's typed error.
    expect(await post(`/api/approvals/${approval.id}/approve`)).toMatchObject({
      status: 409,
      body: { code: 'APPROVAL_ALREADY_DECIDED' },
    });
    expect(await post(`/api/approvals/${approval.id}/deny`, { reason: 'late' })).toMatchObject({
      status: 409,
      body: { code: 'APPROVAL_ALREADY_DECIDED' },
    });
    expect(await post('/api/approvals/no-such-approval/approve')).toMatchObject({
      status: 404,
      body: { code: 'APPROVAL_NOT_FOUND' },
    });
    expect(await post(`/api/approvals/${approval.id}/deny`, { reason: 7 })).toMatchObject({
      status: 400,
    });

    // Denied: the tool does not run and the model gets the reason.
    const second = nextApproval(system);
    const denied = system.ask('support', 'Please refund 900', { timeoutMs: 10_000 });
    const { id } = await second;
    expect(await post(`/api/approvals/${id}/deny`, { reason: 'already refunded' })).toEqual({
      status: 200,
      body: { id, decision: 'denied', by: 'ops@example.com' },
    });
    expect((await denied).content).toMatch(
      /^Refund outcome: Error \(APPROVAL_DENIED\): .*ops@example\.com.*already refunded/,
    );
    expect(refunds).toEqual([{ amount: 250 }]);

    // A page of another origin cannot decide.
    const foreign = await fetch(`${base}/api/approvals/${id}/approve`, {
      method: 'POST',
      headers: { origin: 'http://evil.example' },
    });
    expect(foreign.status).toBe(403);
  });

  it('streams an asked reply as lines of JSON events', async () => {
    const { base } = await start();
    const response = await fetch(`${base}/api/actors/support/stream`, {
      method: 'POST',
      body: JSON.stringify({ content: 'Where is order 7?' }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/x-ndjson; charset=utf-8');
    const events = (await response.text())
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(events.map((event) => event.type)).toEqual([
      'tool-call',
      'tool-result',
      'text-delta',
      'text-delta',
      'text-delta',
      'message',
    ]);
    expect(events[1]).toMatchObject({ name: 'lookup-order', content: 'shipped' });
    expect(
      events
        .filter((event) => event.type === 'text-delta')
        .map((event) => event.delta)
        .join(''),
    ).toBe('Order status: shipped');
    expect(events.at(-1)).toMatchObject({
      actorId: 'support',
      message: { from: 'support', to: 'user', content: 'Order status: shipped' },
    });

    const missing = await fetch(`${base}/api/actors/nobody/stream`, {
      method: 'POST',
      body: JSON.stringify({ content: 'hi' }),
    });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ code: 'ACTOR_NOT_FOUND' });
  });

  it('cancels the streamed request when the client goes away mid-stream', async () => {
    const { system, base, gate } = await start();
    gate.hold(1);
    const controller = new AbortController();
    const response = await fetch(`${base}/api/actors/support/stream`, {
      method: 'POST',
      body: JSON.stringify({ content: 'Where is order 7?' }),
      signal: controller.signal,
    });
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let received = '';
    while (!received.includes('"text-delta"')) received += (await reader.read()).value ?? '';
    expect(system.getRuntimeStats().pendingAsks).toBe(1);
    controller.abort();
    await expect.poll(() => system.getRuntimeStats().pendingAsks).toBe(0);
    gate.release();
    await system.whenIdle();
  });

  it('pushes the pending approvals as Server-Sent Events when they change', async () => {
    const { system, base } = await start();
    const controller = new AbortController();
    const response = await fetch(`${base}/api/events`, { signal: controller.signal });
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let received = '';
    const until = async (pattern: RegExp) => {
      while (!pattern.test(received)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`stream ended before ${pattern}`);
        received += value;
      }
    };
    await until(/event: approvals\ndata: \[\]\n/);
    const requested = nextApproval(system);
    const answer = system.ask('support', 'refund 120', { timeoutMs: 10_000 });
    const approval = await requested;
    await until(/event: approvals\ndata: \[\{.*"tool":"issue-refund"/);
    received = '';
    await system.approve(approval.id, { by: 'test' });
    await until(/event: approvals\ndata: \[\]\n/);
    await answer;
    controller.abort();
  });
});
