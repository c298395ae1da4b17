import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContextSourceLoader } from './context-source-loader';
import { InMemoryContextAdapter } from './in-memory-context-adapter';
import { isNonPublicAddress, resolvesToNonPublic } from './network-policy';
import { NodeScheduler } from './node-scheduler';

let server: Server;
let base: string;
let directory: string;
const hanging = new Set<() => void>();

beforeAll(async () => {
  server = createServer((request, response) => {
    switch (request.url) {
      case '/policy':
        response.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
        response.end('Refunds within 30 days. Ünïcode kept.');
        return;
      case '/missing':
        response.writeHead(404);
        response.end('not here');
        return;
      case '/declared-large':
        response.writeHead(200, { 'content-length': '5000' });
        response.end('x'.repeat(5000));
        return;
      case '/streamed-large':
        // No content-length: the cap must hold while the body streams.
        response.writeHead(200);
        for (let chunk = 0; chunk < 10; chunk++) response.write('y'.repeat(500));
        response.end();
        return;
      case '/hang':
        hanging.add(() => response.end());
        return;
      default:
        response.writeHead(500);
        response.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  directory = await mkdtemp(join(tmpdir(), 'pantheon-sources-'));
});

afterAll(async () => {
  for (const end of hanging) end();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await rm(directory, { recursive: true, force: true });
});

/** A loader for the local test server and the temp directory (both closed by default). */
const loader = (options: Partial<ConstructorParameters<typeof ContextSourceLoader>[0]> = {}) =>
  new ContextSourceLoader({
    scheduler: new NodeScheduler(),
    maxSourceBytes: 1000,
    allowPrivateNetwork: true,
    fileRoot: directory,
    ...options,
  });

describe('ContextSourceLoader: url sources', () => {
  it('fetches a URL into a system message that names it', async () => {
    const message = await loader().load({
      type: 'url',
      url: `${base}/policy`,
      metadata: { category: 'policies' },
    });
    expect(message).toEqual({
      role: 'system',
      content: 'Refunds within 30 days. Ünïcode kept.',
      metadata: { category: 'policies', source: 'url', url: `${base}/policy` },
    });
  });

  it('fails an HTTP error status with CONTEXT_SOURCE_FAILED and the status', async () => {
    await expect(loader().load({ type: 'url', url: `${base}/missing` })).rejects.toMatchObject({
      name: 'ContextError',
      code: 'CONTEXT_SOURCE_FAILED',
      details: { status: 404, url: `${base}/missing` },
    });
  });

  it('refuses bodies over the cap, declared or streamed, with CONTEXT_SOURCE_TOO_LARGE', async () => {
    await expect(
      loader().load({ type: 'url', url: `${base}/declared-large` }),
    ).rejects.toMatchObject({
      code: 'CONTEXT_SOURCE_TOO_LARGE',
      details: { maxBytes: 1000, size: 5000 },
    });
    await expect(
      loader().load({ type: 'url', url: `${base}/streamed-large` }),
    ).rejects.toMatchObject({
      code: 'CONTEXT_SOURCE_TOO_LARGE',
      details: { maxBytes: 1000 },
    });
  });

  it('gives up after fetchTimeoutMs with CONTEXT_SOURCE_TIMEOUT and aborts the request', async () => {
    let signal: AbortSignal | undefined;
    const fetchSpy: typeof fetch = (input, init) => {
      signal = init?.signal ?? undefined;
      return fetch(input, init);
    };
    await expect(
      loader({ fetch: fetchSpy, fetchTimeoutMs: 50 }).load({ type: 'url', url: `${base}/hang` }),
    ).rejects.toMatchObject({ code: 'CONTEXT_SOURCE_TIMEOUT', details: { timeoutMs: 50 } });
    expect(signal?.aborted).toBe(true);
  });

  it('wraps network errors, and refuses other protocols and URLs the allow-list rejects', async () => {
    const failing: typeof fetch = () => Promise.reject(new TypeError('fetch failed'));
    await expect(
      loader({ fetch: failing }).load({ type: 'url', url: `${base}/policy` }),
    ).rejects.toMatchObject({ code: 'CONTEXT_SOURCE_FAILED', cause: expect.any(TypeError) });
    await expect(loader().load({ type: 'url', url: 'file:///etc/passwd' })).rejects.toMatchObject({
      code: 'CONTEXT_SOURCE_UNSUPPORTED',
    });
    await expect(loader().load({ type: 'url', url: 'not a url' })).rejects.toMatchObject({
      code: 'CONTEXT_SOURCE_FAILED',
    });
    const onlyDocs = loader({ allowUrl: (url) => url.pathname.startsWith('/docs') });
    await expect(onlyDocs.load({ type: 'url', url: `${base}/policy` })).rejects.toMatchObject({
      code: 'CONTEXT_SOURCE_DENIED',
    });
  });
});

describe('ContextSourceLoader: file sources', () => {
  it('reads a file into a system message that names it', async () => {
    const path = join(directory, 'policy.md');
    await writeFile(path, '# Policy\nBe kind.');
    expect(await loader().load({ type: 'file', path })).toEqual({
      role: 'system',
      content: '# Policy\nBe kind.',
      metadata: { source: 'file', path },
    });
  });

  it('refuses files over the cap, missing files and directories with typed errors', async () => {
    const big = join(directory, 'big.txt');
    await writeFile(big, 'z'.repeat(2000));
    await expect(loader().load({ type: 'file', path: big })).rejects.toMatchObject({
      code: 'CONTEXT_SOURCE_TOO_LARGE',
      details: { size: 2000, maxBytes: 1000 },
    });
    await expect(
      loader().load({ type: 'file', path: join(directory, 'nope.txt') }),
    ).rejects.toMatchObject({
      code: 'CONTEXT_SOURCE_FAILED',
      cause: expect.objectContaining({ code: 'ENOENT' }),
    });
    await expect(loader().load({ type: 'file', path: directory })).rejects.toMatchObject({
      code: 'CONTEXT_SOURCE_FAILED',
    });
  });

  it('keeps files inside fileRoot, following symbolic links', async () => {
    const root = join(directory, 'root');
    await mkdtemp(join(directory, 'unused-'));
    await import('node:fs/promises').then(({ mkdir }) => mkdir(root, { recursive: true }));
    await writeFile(join(root, 'inside.txt'), 'inside');
    await writeFile(join(directory, 'secret.txt'), 'secret');
    await symlink(join(directory, 'secret.txt'), join(root, 'link.txt'));
    const rooted = loader({ fileRoot: root });
    expect((await rooted.load({ type: 'file', path: 'inside.txt' })).content).toBe('inside');
    for (const path of ['../secret.txt', join(directory, 'secret.txt'), 'link.txt']) {
      await expect(rooted.load({ type: 'file', path })).rejects.toMatchObject({
        code: 'CONTEXT_SOURCE_DENIED',
      });
    }
  });
});

describe('InMemoryContextAdapter with url and file sources', () => {
  it('loads them in declaration order with the text sources', async () => {
    const path = join(directory, 'notes.txt');
    await writeFile(path, 'file notes');
    const context = new InMemoryContextAdapter({ allowPrivateNetwork: true, fileRoot: directory });
    const messages = await context.compile({
      texts: ['hi'],
      sources: [
        { type: 'url', url: `${base}/policy` },
        { type: 'text', content: 'text source' },
        { type: 'file', path },
      ],
    });
    expect(messages.map((message) => message.metadata?.source)).toEqual([
      'url',
      'text',
      'file',
      'input',
    ]);
    await expect(
      context.compile({ sources: [{ type: 'url', url: `${base}/missing` }] }),
    ).rejects.toMatchObject({ code: 'CONTEXT_SOURCE_FAILED' });
  });
});

describe('the default source policy (OWASP LLM: excessive agency)', () => {
  const closed = () => new ContextSourceLoader({ scheduler: new NodeScheduler() });

  it('denies loopback, private, link-local and metadata addresses, literally written', async () => {
    const fetched: string[] = [];
    const spy: typeof fetch = async (input) => {
      fetched.push(String(input));
      return new Response('should not be fetched');
    };
    const loader = new ContextSourceLoader({ scheduler: new NodeScheduler(), fetch: spy });
    for (const url of [
      base,
      'http://localhost:8080/admin',
      'http://169.254.169.254/latest/meta-data/',
      'http://metadata.google.internal/computeMetadata/v1/',
      'http://10.1.2.3/',
      'http://192.168.1.1/',
      'http://[::1]/',
      'http://[::ffff:127.0.0.1]/',
      'http://2130706433/',
      'http://[fd00::1]/',
    ]) {
      await expect(loader.load({ type: 'url', url }), url).rejects.toMatchObject({
        code: 'CONTEXT_SOURCE_DENIED',
        message: expect.stringContaining('not on the public internet'),
      });
    }
    expect(fetched).toEqual([]);
  });

  it('denies a name that resolves to a non-public address', async () => {
    expect(await resolvesToNonPublic('localhost')).toBe(true);
    expect(await resolvesToNonPublic('127.0.0.1')).toBe(false); // literal: checked before DNS
    expect(isNonPublicAddress('8.8.8.8')).toBe(false);
    expect(isNonPublicAddress('2606:4700:4700::1111')).toBe(false);
  });

  it('lets allowPrivateNetwork or allowUrl open it', async () => {
    const url = `${base}/policy`;
    expect(
      (await loader({ allowPrivateNetwork: true }).load({ type: 'url', url })).content,
    ).toContain('Refunds');
    const allowed = new ContextSourceLoader({
      scheduler: new NodeScheduler(),
      allowUrl: () => true,
    });
    expect((await allowed.load({ type: 'url', url })).content).toContain('Refunds');
  });

  it('denies file sources without a fileRoot, reading nothing', async () => {
    const path = join(directory, 'private.txt');
    await writeFile(path, 'private');
    await expect(closed().load({ type: 'file', path })).rejects.toMatchObject({
      code: 'CONTEXT_SOURCE_DENIED',
      message: expect.stringContaining('need a fileRoot'),
    });
  });
});
