import { type ActorScript, type Behavior, llmBehavior } from '@promethean-os/pantheon-core';
import { afterEach, describe, expect, it } from 'vitest';
import { startApp } from '../app/start-app';
import type { Pantheon } from '../runtime/pantheon';
import { type HttpEndpoint, serveHttpEndpoint } from './http-endpoint';
import { createEndpointMetrics } from './metrics';

const echo: ActorScript = {
  name: 'echo',
  talents: [{ name: 'talk', behaviors: [llmBehavior({ name: 'answer' })] }],
  contextSources: [],
};
const TOKEN = 'a-token-of-at-least-16-characters';
const quiet = () => {};

let pantheon: Pantheon | undefined;
let endpoint: HttpEndpoint | undefined;

afterEach(async () => {
  await endpoint?.close();
  await pantheon?.shutdown({ drain: false });
  endpoint = undefined;
  pantheon = undefined;
});

async function serve(options: { token?: string; host?: string } = {}) {
  const metrics = await createEndpointMetrics('memory');
  endpoint = await serveHttpEndpoint({
    host: options.host ?? '127.0.0.1',
    port: 0,
    token: options.token,
    metrics,
    log: quiet,
  });
  return { endpoint, metrics };
}

async function run(options: { token?: string } = {}) {
  const { endpoint, metrics } = await serve(options);
  pantheon = await startApp(
    {},
    { actors: [{ id: 'echo', script: echo, goals: ['Echo'] }] },
    { hooks: metrics.hooks, log: quiet },
  );
  metrics.observe(pantheon);
  endpoint.attach(pantheon);
  endpoint.setPhase('running');
  return endpoint.url;
}

async function call(url: string, init: RequestInit = {}) {
  const response = await fetch(url, init);
  const text = await response.text();
  return { status: response.status, body: JSON.parse(text) };
}

const post = (body: unknown, headers: Record<string, string> = {}): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...headers },
  body: typeof body === 'string' ? body : JSON.stringify(body),
});

describe('the HTTP endpoint of pantheon start', () => {
  it('is alive but not ready while starting and while draining; /actors answers 503 then', async () => {
    const { endpoint } = await serve();
    expect(await call(`${endpoint.url}/healthz`)).toEqual({ status: 200, body: { status: 'ok' } });
    expect(await call(`${endpoint.url}/readyz`)).toEqual({
      status: 503,
      body: { status: 'starting', checks: [] },
    });
    expect(await call(`${endpoint.url}/actors`)).toEqual({
      status: 503,
      body: { error: { code: 'SYSTEM_SHUT_DOWN', message: 'The instance is still starting' } },
    });
    endpoint.setPhase('draining');
    expect((await call(`${endpoint.url}/readyz`)).body).toEqual({ status: 'draining', checks: [] });
    expect(await call(`${endpoint.url}/actors/echo/ask`, post({ message: 'hi' }))).toEqual({
      status: 503,
      body: { error: { code: 'SYSTEM_SHUT_DOWN', message: 'The instance is shutting down' } },
    });
  });

  it('asks an actor, with a conversation to continue', async () => {
    const url = await run();
    const first = await call(`${url}/actors/echo/ask`, post({ message: 'one' }));
    expect(first).toEqual({
      status: 200,
      body: {
        reply: {
          id: expect.any(String),
          from: 'echo',
          content: '[offline mock model] You said: one',
          conversationId: expect.any(String),
        },
      },
    });
    const { conversationId } = first.body.reply;
    const second = await call(`${url}/actors/echo/ask`, post({ message: 'two', conversationId }));
    expect(second.body.reply.conversationId).toBe(conversationId);
  });

  it('refuses malformed asks with a code, and asks nothing', async () => {
    const url = await run();
    const cases: [unknown, number, string][] = [
      ['not json', 400, 'The body must be JSON: { "message": "…" }'],
      [['a list'], 400, 'The body must be a JSON object: { "message": "…" }'],
      [{}, 400, '"message" must be a non-empty string'],
      [{ message: '' }, 400, '"message" must be a non-empty string'],
      [
        { message: 'hi', timeoutMs: 0 },
        400,
        '"timeoutMs" must be a whole number of milliseconds from 1 to 600000',
      ],
      [{ message: 'hi', conversationId: 7 }, 400, '"conversationId" must be a non-empty string'],
    ];
    for (const [body, status, message] of cases) {
      expect(await call(`${url}/actors/echo/ask`, post(body))).toEqual({
        status,
        body: { error: { code: 'INVALID_ARGUMENT', message } },
      });
    }
    expect(await call(`${url}/actors/ghost/ask`, post({ message: 'hi' }))).toEqual({
      status: 404,
      body: { error: { code: 'ACTOR_NOT_FOUND', message: 'Actor "ghost" not found' } },
    });
    expect(
      (await call(`${url}/actors/echo/ask`, post({ message: 'x'.repeat(70_000) }))).body.error.code,
    ).toBe('MESSAGE_TOO_LARGE');
    expect(await call(`${url}/nowhere`)).toEqual({
      status: 404,
      body: { error: { message: 'No route GET /nowhere' } },
    });
    expect((await call(`${url}/actors`, { method: 'DELETE' })).status).toBe(405);
    // Nothing reached the actor's history: it sent nothing.
    expect(await pantheon!.getActorMessages('echo')).toEqual([]);
  });

  it('refuses a POST from a page of another origin', async () => {
    const url = await run();
    expect(
      await call(
        `${url}/actors/echo/ask`,
        post({ message: 'hi' }, { origin: 'https://evil.example' }),
      ),
    ).toEqual({
      status: 403,
      body: { error: { message: 'Requests from another origin are refused' } },
    });
    expect(await pantheon!.getActorMessages('echo')).toEqual([]);
  });

  it('needs the token on /actors when one is set; health, readiness and metrics stay open', async () => {
    const url = await run({ token: TOKEN });
    for (const [path, init] of [
      ['/actors', {}],
      ['/actors/echo/ask', post({ message: 'hi' })],
      ['/actors', { headers: { authorization: `Bearer ${TOKEN}x` } }],
      ['/actors', { headers: { authorization: TOKEN } }],
    ] as const) {
      expect(await call(`${url}${path}`, init)).toEqual({
        status: 401,
        body: {
          error: {
            code: 'UNAUTHORIZED',
            message: 'A valid token is required: send Authorization: Bearer <PANTHEON_API_TOKEN>',
          },
        },
      });
    }
    expect(await pantheon!.getActorMessages('echo')).toEqual([]);
    const authorized = { authorization: `Bearer ${TOKEN}` };
    expect((await call(`${url}/actors`, { headers: authorized })).body.actors).toEqual([
      { id: 'echo', name: 'echo', script: 'echo', state: 'idle', started: true, mailboxDepth: 0 },
    ]);
    expect((await call(`${url}/actors/echo/ask`, post({ message: 'hi' }, authorized))).status).toBe(
      200,
    );
    expect((await call(`${url}/healthz`)).status).toBe(200);
    expect((await call(`${url}/readyz`)).status).toBe(200);
    expect((await fetch(`${url}/metrics`)).status).toBe(200);
  });

  it('refuses to listen beyond loopback without a token of 16 characters', async () => {
    const metrics = await createEndpointMetrics('memory');
    for (const token of [undefined, 'short']) {
      await expect(
        serveHttpEndpoint({ host: '0.0.0.0', port: 0, token, metrics, log: quiet }),
      ).rejects.toMatchObject({
        code: 'CONFIG_ERROR',
        details: { field: 'http.host', variable: 'PANTHEON_API_TOKEN' },
      });
    }
    const { endpoint } = await serve({ host: '0.0.0.0', token: TOKEN });
    expect(endpoint.url).toMatch(/^http:\/\/0\.0\.0\.0:\d+$/);
  });

  it('serves the runtime metrics of the system', async () => {
    const url = await run();
    await call(`${url}/actors/echo/ask`, post({ message: 'count me' }));
    const response = await fetch(`${url}/metrics`);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = await response.text();
    expect(text).toMatch(/^pantheon_actor_ticks_total\{actor_name="echo",status="success"\} 1$/m);
    expect(text).toMatch(
      /^pantheon_tick_duration_seconds_count\{actor_name="echo",status="success"\} 1$/m,
    );
    expect(text).toContain('# HELP pantheon_dead_letters_total');
    expect(text).toMatch(/^nodejs_heap_size_used_bytes \d+/m);
  });

  it('answers 502 when the actor fails the request, 429 when its chain ends on a full mailbox', async () => {
    const { endpoint: served } = await serve();
    const script = (name: string, plan: Behavior['plan']): ActorScript => ({
      name,
      talents: [{ name, behaviors: [{ name, mode: 'active', plan }] }],
      contextSources: [],
    });
    const broken = script('broken', () => {
      throw new Error('the tool behind me is down');
    });
    const relay = script('relay', ({ context }) => ({
      actions: [{ type: 'message', content: context.at(-1)?.content ?? '', target: 'idle' }],
    }));
    pantheon = (await startApp(
      { limits: { mailboxCapacity: 1 }, supervision: { maxFailures: 1 } },
      {
        actors: [
          { id: 'broken', script: broken, goals: ['Fail'] },
          { id: 'relay', script: relay, goals: ['Pass on'] },
          { id: 'idle', script: echo, goals: ['Wait'], start: false },
        ],
      },
      { log: quiet },
    )) as Pantheon;
    served.attach(pantheon);
    served.setPhase('running');
    const failed = await call(`${served.url}/actors/broken/ask`, post({ message: 'hi' }));
    expect(failed.status).toBe(502);
    expect(failed.body.error.code).toBe('ASK_FAILED');
    expect(failed.body.error.message).toContain('broken');

    // The idle actor is not started: its one-message mailbox fills, and the relayed ask ends there.
    await pantheon.sendMessage('idle', 'first');
    const full = await call(`${served.url}/actors/relay/ask`, post({ message: 'second' }));
    expect(full).toMatchObject({ status: 429, body: { error: { code: 'ASK_FAILED' } } });
    expect(full.body.error.message).toContain('MAILBOX_FULL');
    expect((await pantheon.getMailbox('idle')).map((message) => message.content)).toEqual([
      'first',
    ]);
  });
});
