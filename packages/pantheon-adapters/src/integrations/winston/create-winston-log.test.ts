import { Writable } from 'node:stream';
import {
  InMemoryActorStateAdapter,
  InMemoryContextAdapter,
  InMemoryMessageBus,
  InMemoryToolAdapter,
  NodeScheduler,
} from '@promethean-os/pantheon-adapters';
import { makeOrchestrator } from '@promethean-os/pantheon-core';
import { describe, expect, it } from 'vitest';
import { createLogger, format, transports } from 'winston';
import { createWinstonLog } from './create-winston-log';

const CANARY_OPENAI = 'sk-proj-CANARY0123456789abcdefXYZ';
const CANARY_ANTHROPIC = 'sk-ant-api03-CANARY0123456789abcdef';
const CANARY_PASSWORD = 'hunter2-canary';

function capturedLogger() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  const logger = createLogger({
    level: 'debug',
    format: format.combine(format.errors({ stack: true }), format.json()),
    transports: [new transports.Stream({ stream })],
  });
  return { logger, lines };
}

describe('createWinstonLog', () => {
  it('redacts secret keys and secret-looking values before winston sees them', () => {
    const { logger, lines } = capturedLogger();
    const log = createWinstonLog(logger);
    const meta = {
      apiKey: CANARY_OPENAI,
      request: {
        headers: { Authorization: `Bearer ${CANARY_OPENAI}`, 'x-api-key': CANARY_ANTHROPIC },
        body: { password: CANARY_PASSWORD, prompt: 'hello' },
      },
      note: `the key ${CANARY_ANTHROPIC} was rejected`,
      error: new Error(`401 for key ${CANARY_OPENAI}`),
      usage: { inputTokens: 12, outputTokens: 3 },
    };
    log(`calling the model with ${CANARY_OPENAI}`, meta);
    expect(lines).toHaveLength(1);
    const output = lines.join('');
    for (const canary of [CANARY_OPENAI, CANARY_ANTHROPIC, CANARY_PASSWORD, 'CANARY']) {
      expect(output).not.toContain(canary);
    }
    const entry = JSON.parse(lines[0]!);
    expect(entry).toMatchObject({
      level: 'info',
      message: 'calling the model with [REDACTED]',
      apiKey: '[REDACTED]',
      request: {
        headers: { Authorization: '[REDACTED]', 'x-api-key': '[REDACTED]' },
        body: { password: '[REDACTED]', prompt: 'hello' },
      },
      note: 'the key [REDACTED] was rejected',
      error: { name: 'Error', message: '401 for key [REDACTED]' },
      usage: { inputTokens: 12, outputTokens: 3 },
    });
    expect(meta.apiKey).toBe(CANARY_OPENAI);
  });

  it('takes extra keys and patterns, a level, and can be turned off', () => {
    const { logger, lines } = capturedLogger();
    createWinstonLog(logger, {
      level: 'warn',
      redact: { keys: ['sessionSecret'], patterns: [/acct-\d+/], replacement: '***' },
    })('account acct-42', { sessionSecret: 'abc', cyclic: undefined });
    createWinstonLog(logger, { redact: false })('raw', { token: 'visible' });
    createWinstonLog(logger)('no meta');
    const [custom, raw, bare] = lines.map((line) => JSON.parse(line));
    expect(custom).toMatchObject({ level: 'warn', message: 'account ***', sessionSecret: '***' });
    expect(raw).toMatchObject({ message: 'raw', token: 'visible' });
    expect(bare).toEqual({ level: 'info', message: 'no meta' });
  });

  it('keeps a canary key out of what an orchestrator logs', async () => {
    const { logger, lines } = capturedLogger();
    const state = new InMemoryActorStateAdapter();
    const orchestrator = makeOrchestrator({
      now: Date.now,
      log: createWinstonLog(logger),
      context: new InMemoryContextAdapter(),
      tools: new InMemoryToolAdapter(),
      llm: { complete: async () => ({ role: 'assistant', content: 'ok' }) },
      bus: new InMemoryMessageBus(),
      schedule: new NodeScheduler(),
      state,
      hooks: {
        onTickStart: () => {
          throw new Error(`telemetry exporter rejected key ${CANARY_OPENAI}`);
        },
      },
    });
    const actor = await state.spawn({ name: 'quiet', talents: [], contextSources: [] }, 'wait');
    await orchestrator.tickActor(actor);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.join('')).not.toContain('CANARY');
    expect(JSON.parse(lines[0]!)).toMatchObject({
      message: 'Orchestrator hook onTickStart threw; ignored',
      error: 'telemetry exporter rejected key [REDACTED]',
    });
  });
});
