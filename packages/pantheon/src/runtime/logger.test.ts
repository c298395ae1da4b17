import { describe, expect, it } from 'vitest';
import { createLogger } from './logger';

const at = Date.UTC(2026, 0, 2, 3, 4, 5, 678);

function capture(level: 'debug' | 'info' | 'warn' | 'error', format: 'json' | 'pretty') {
  const lines: string[] = [];
  const log = createLogger({ level, format, write: (line) => lines.push(line), now: () => at });
  return { log, lines };
}

describe('createLogger', () => {
  it('writes one JSON object per entry at the level and above, info by default', () => {
    const { log, lines } = capture('info', 'json');
    log('hidden', { level: 'debug' });
    log('Pantheon started', { url: 'http://127.0.0.1:3000' });
    log('Tick failed', { level: 'error', actorId: 'a', code: 'TOOL_FAILED' });
    expect(lines.map((line) => JSON.parse(line))).toEqual([
      {
        time: '2026-01-02T03:04:05.678Z',
        level: 'info',
        msg: 'Pantheon started',
        url: 'http://127.0.0.1:3000',
      },
      {
        time: '2026-01-02T03:04:05.678Z',
        level: 'error',
        msg: 'Tick failed',
        actorId: 'a',
        code: 'TOOL_FAILED',
      },
    ]);
  });

  it('drops entries below a higher level', () => {
    const { log, lines } = capture('warn', 'json');
    log('info entry');
    log('warning', { level: 'warn' });
    expect(lines.map((line) => JSON.parse(line).msg)).toEqual(['warning']);
  });

  it('writes human lines in pretty format', () => {
    const { log, lines } = capture('debug', 'pretty');
    log('HTTP request', { level: 'debug', path: '/healthz', status: 200 });
    expect(lines).toEqual(['03:04:05.678 DEBUG HTTP request path=/healthz status=200']);
  });

  it('redacts secrets in messages and fields', () => {
    const { log, lines } = capture('info', 'json');
    log('Calling with sk-proj-abcdefghijklmnopqrstuvwx', {
      apiKey: 'anything',
      headers: { authorization: 'Bearer abc' },
    });
    const entry = JSON.parse(lines[0]!);
    expect(entry.msg).toBe('Calling with [REDACTED]');
    expect(entry.apiKey).toBe('[REDACTED]');
    expect(entry.headers.authorization).toBe('[REDACTED]');
  });
});
